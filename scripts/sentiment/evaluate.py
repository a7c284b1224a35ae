"""Accuracy and macro-F1 of the Chorus classifier and of baselines on the labelled sets.

Usage:
  python scripts/sentiment/evaluate.py                 # report split: the figures in docs/sentiment.md
  python scripts/sentiment/evaluate.py --split dev     # development split, for tuning
  python scripts/sentiment/evaluate.py --split dev --errors ru 20   # show mistakes to study

Systems: the shipped classifier (lexicon + trained model); the lexicon alone (the same lexicon, rules
and thresholds, no model: what Russian texts get); TextBlob polarity (> 0
positive, < 0 negative); VADER compound (>= 0.05 / <= -0.05, its authors' thresholds); and the
majority class of the set itself.

The dev splits are part of the model's training pool (scripts/sentiment/datasets.TRAINING), so the
model's dev figures are in-sample; the cross-validated figures are printed by train_model.py.
"""
from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from datasets import SETS

from chorus.monitor.sentiment import VERSION, classify
from chorus.monitor.sentiment.classification import label_for
from chorus.monitor.sentiment.classifier import public_language
from chorus.monitor.sentiment.cleaning import clean
from chorus.monitor.sentiment.language import detect
from chorus.monitor.sentiment.scoring import analyse
from chorus.monitor.sentiment.tokens import tokenize

LABELS = ("positive", "neutral", "negative")


def macro_f1(gold: list[str], predicted: list[str]) -> float:
    scores = []
    for label in LABELS:
        tp = sum(1 for g, p in zip(gold, predicted) if g == p == label)
        fp = sum(1 for g, p in zip(gold, predicted) if p == label and g != label)
        fn = sum(1 for g, p in zip(gold, predicted) if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores)


def accuracy(gold: list[str], predicted: list[str]) -> float:
    return sum(1 for g, p in zip(gold, predicted) if g == p) / len(gold)


def _textblob():
    from textblob import TextBlob

    def predict(text: str) -> str:
        polarity = TextBlob(text).sentiment.polarity
        return "positive" if polarity > 0 else "negative" if polarity < 0 else "neutral"
    return predict


def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()

    def predict(text: str) -> str:
        compound = analyzer.polarity_scores(text)["compound"]
        return "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"
    return predict


def chorus(text: str) -> str:
    return classify(text).label


def lexicon_only(text: str) -> str:
    """The lexicon alone: its score and thresholds, no model (what Russian texts get)."""
    tokens = tokenize(clean(text))
    if public_language(detect(tokens)) == "other":
        return "neutral"
    return label_for(round(analyse(tokens, irony=True).score, 4))


def main() -> None:
    parser = argparse.ArgumentParser(description="Evaluate the sentiment classifier")
    parser.add_argument("--split", choices=("dev", "report"), default="report")
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--errors", nargs=2, metavar=("LANG", "N"), help="print N random mistakes")
    args = parser.parse_args()
    systems = {"Chorus " + VERSION: chorus, "Chorus lexicon only (no model)": lexicon_only}
    if not args.no_baselines:
        systems.update({"TextBlob": _textblob(), "VADER": _vader()})
    print(f"split: {args.split}\n")
    print("| language | set | n | classes (pos/neu/neg) | system | accuracy | macro-F1 |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    mistakes = []
    for language, sets in SETS.items():
        for name, load in sets.items():
            rows = load(args.split)
            if not rows:
                continue
            gold = [label for _, label in rows]
            counts = Counter(gold)
            shape = f"{counts['positive']}/{counts['neutral']}/{counts['negative']}"
            majority = counts.most_common(1)[0][0]
            results = {system: [predict(text) for text, _ in rows] for system, predict in systems.items()}
            results[f"majority ({majority})"] = [majority] * len(rows)
            for system, predicted in results.items():
                print(f"| {language} | {name} | {len(rows)} | {shape} | {system} | "
                      f"{accuracy(gold, predicted):.3f} | {macro_f1(gold, predicted):.3f} |")
            if args.errors and args.errors[0] == language:
                ours = results["Chorus " + VERSION]
                mistakes += [(name, t, g, p) for (t, g), p in zip(rows, ours) if g != p]
    if args.errors:
        random.seed(7)
        for name, text, gold, predicted in random.sample(mistakes, min(int(args.errors[1]), len(mistakes))):
            print(f"[{name}] gold={gold} ours={predicted} score={classify(text).score}: {text[:200]!r}")


if __name__ == "__main__":
    main()
