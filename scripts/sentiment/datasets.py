"""Loads the labelled evaluation sets from /work/shared/datasets (never from the repository).

Every loader returns (text, label) pairs with labels positive/neutral/negative, for one split:
"dev" (may be tuned on) or "report" (figures only, never tuned on). Licences and label mappings are
documented in docs/sentiment.md; sets whose licence allows evaluation only have no dev split here.
"""
from __future__ import annotations

import csv
import hashlib
import os
from pathlib import Path

ROOT = Path(os.environ.get("CHORUS_DATASETS", "/work/shared/datasets"))

# GoEmotions' own grouping of its 27 emotions into sentiment (Demszky et al. 2020, "sentiment" level).
_GO_POSITIVE = {0, 1, 4, 5, 8, 13, 15, 17, 18, 20, 21, 23}
_GO_NEGATIVE = {2, 3, 9, 10, 11, 12, 14, 16, 19, 24, 25}
_GO_NEUTRAL = {27}
# CEDR: 0 joy, 1 sadness, 2 surprise, 3 fear, 4 anger; no label means no emotion.
_CEDR_NEGATIVE = {1, 3, 4}


def _label_ids(value: str) -> set[int]:
    """Label lists are written "[4, 27]" or numpy-style "[ 4 27]"."""
    return {int(part) for part in value.strip("[] ").replace(",", " ").split()}


def _half(key: str) -> str:
    """A stable split of a set that has no dev/test split of its own."""
    return "dev" if int(hashlib.sha1(key.encode()).hexdigest(), 16) % 2 == 0 else "report"


def _vader_rated(name: str) -> list[tuple[str, str, str]]:
    """One of VADER's rated sets (MIT; 10 or 20 raters each on -4..4) as (id, text, label): mean > 0.5
    positive, < -0.5 negative, else neutral."""
    rows = []
    path = ROOT / f"vader/hutto_ICWSM_2014/{name}_GroundTruth.txt"
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split("\t")
        if len(parts) < 3:
            continue
        mean = float(parts[1])
        rows.append((parts[0], parts[2], "positive" if mean > 0.5 else "negative" if mean < -0.5 else "neutral"))
    return rows


def vader_tweets(split: str) -> list[tuple[str, str]]:
    """VADER's 4,200 tweets, split into dev and report halves by a stable hash of the tweet id."""
    return [(text, label) for key, text, label in _vader_rated("tweets") if _half(key) == split]


def vader_snippets(kind: str) -> list[tuple[str, str]]:
    """VADER's other rated sets (``nyt`` editorial sentences, ``amazon`` review sentences). Training only:
    they are not social text, so no figure is reported on them."""
    name = {"nyt": "nytEditorialSnippets", "amazon": "amazonReviewSnippets"}[kind]
    return [(text, label) for _, text, label in _vader_rated(name)]


def _go_label(labels: set[int]) -> str | None:
    if labels <= _GO_POSITIVE:
        return "positive"
    if labels <= _GO_NEGATIVE:
        return "negative"
    if labels <= _GO_NEUTRAL:
        return "neutral"
    return None  # mixed or ambiguous (confusion, curiosity, realization, surprise)


def _goemotions(split: str, column: str) -> list[tuple[str, str]]:
    name = {"dev": "validation", "report": "test"}[split]
    rows = []
    with open(ROOT / f"goemotions/{name}.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            label = _go_label(_label_ids(row["labels"]))
            if label is not None:
                rows.append((row[column], label))
    return rows


def goemotions_en_train() -> list[tuple[str, str]]:
    """GoEmotions' own train split (English only; no Russian translation of it was fetched), mapped
    like the other splits. For training the model only: it has no report counterpart of its own."""
    rows = []
    path = ROOT / "goemotions/original-train.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        text, ids, _ = line.split("\t")
        label = _go_label({int(part) for part in ids.split(",")})
        if label is not None:
            rows.append((text, label))
    return rows


def goemotions_en(split: str) -> list[tuple[str, str]]:
    """GoEmotions Reddit comments (CC BY 4.0), mapped by the authors' sentiment grouping."""
    return _goemotions(split, "text")


def goemotions_ru(split: str) -> list[tuple[str, str]]:
    """The same comments machine-translated into Russian (ru-goemotions, MIT)."""
    return _goemotions(split, "ru_text")


def tweeteval(split: str) -> list[tuple[str, str]]:
    """TweetEval sentiment (SemEval-2017 4A tweets): evaluation only, never trained on; dev = its
    validation split (2,000 tweets), report = its test split."""
    names = {"0": "negative", "1": "neutral", "2": "positive"}
    base = ROOT / "tweeteval"
    part = {"dev": "val", "report": "test"}[split]
    texts = (base / f"{part}_text.txt").read_text(encoding="utf-8").splitlines()
    labels = (base / f"{part}_labels.txt").read_text(encoding="utf-8").split()
    return [(text, names[label]) for text, label in zip(texts, labels)]


def cedr(split: str) -> list[tuple[str, str]]:
    """CEDR sentences from LiveJournal, Twitter and news (Apache-2.0): joy -> positive, sadness/fear/
    anger -> negative, no emotion -> neutral; surprise alone and joy mixed with a negative are left out."""
    name = {"dev": "train", "report": "test"}[split]
    rows = []
    with open(ROOT / f"cedr/{name}.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            labels = _label_ids(row["labels"])
            if not labels:
                label = "neutral"
            elif labels == {0}:
                label = "positive"
            elif labels and labels <= _CEDR_NEGATIVE | {2} and labels & _CEDR_NEGATIVE:
                label = "negative"
            else:
                continue
            rows.append((row["text"], label))
    return rows


def rusentiment(split: str) -> list[tuple[str, str]]:
    """RuSentiment VK posts (CC BY-NC-SA 4.0): evaluation only, its test split; speech acts and skips
    are left out, as in the three-class setting."""
    if split != "report":
        return []
    rows = []
    with open(ROOT / "rusentiment/rusentiment_test.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["label"] in ("positive", "negative", "neutral"):
                rows.append((row["text"].strip(), row["label"]))
    return rows


SETS = {
    "en": {"vader-tweets": vader_tweets, "goemotions-en": goemotions_en, "tweeteval": tweeteval},
    "ru": {"rusentiment": rusentiment, "cedr": cedr, "goemotions-ru": goemotions_ru},
}

# What the trained model may learn from: redistributable sets, never a report split, never an
# evaluation-only set (RuSentiment, TweetEval). Hyper-parameters are chosen by cross-validation inside
# these pools (scripts/sentiment/train_model.py).
TRAINING = {
    "en": {"goemotions-en-train": goemotions_en_train, "goemotions-en": lambda: goemotions_en("dev"),
           "vader-tweets": lambda: vader_tweets("dev"), "vader-nyt-train": lambda: vader_snippets("nyt"),
           "vader-amazon-train": lambda: vader_snippets("amazon")},
    "ru": {"cedr": lambda: cedr("dev"), "goemotions-ru": lambda: goemotions_ru("dev")},
}
