"""Sentiment classifier throughput, beside TextBlob and VADER measured in the same run on the same texts.

    python bench/sentiment.py [--texts 20000] [--corpus auto|datasets|synthetic] [--repeats 3]

Corpus: "datasets" takes real social texts of at most 140 characters from /work/shared/datasets
(RuSentiment VK posts, TweetEval and VADER tweets; about 70% Russian, 30% English, ~60 characters on
average); "synthetic" builds a deterministic mix of the same shape from templates, a word list and
made-up words, for machines without the datasets (its vocabulary is smaller than real text's, so its
cold-cache figure is optimistic); "auto" picks the first one available.

Prints texts/s on one core for Chorus with a cold lemma cache (cleared before the pass, so every new
Russian word form costs a pymorphy3 analysis) and a warm one (the same texts again), the lexicon alone
(the same lexicon without the trained model: what Russian texts get) warm, then TextBlob polarity and
VADER compound on the same texts, and the cost of a cold start in a fresh interpreter.
Goal (issue 7): >= 5,000 texts/s per core.
"""
from __future__ import annotations

import argparse
import csv
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts/sentiment"))

from evaluate import lexicon_only  # the lexicon alone, as the evaluation measures it

from chorus.monitor.sentiment import VERSION, classify
from chorus.monitor.sentiment.lemmas import LEMMATISER

DATASETS = Path("/work/shared/datasets")
MAX_CHARS = 140

_RU = ["Спасибо за {adj} {noun}", "Где мой {noun}? Жду уже {n} дней", "{adj} {noun}, всем рекомендую)))",
       "Почему {noun} до сих пор не пришёл?", "Очень {adv}, буду заказывать ещё", "Не понравился {noun}, {adv}(",
       "Подскажите, есть {noun} в {city}?", "{noun} пришёл {adv}, упаковка {adj}", "Верните деньги за {noun}!!!",
       "Ну такое... {noun} {adj}", "@{user} {adj} {noun} 👍", "#{noun} {adv} 😍", "Спасибо! https://vk.cc/{user}"]
_EN = ["Thanks for the {en_adj} {en_noun}!", "Where is my {en_noun}? Waiting {n} days", "The {en_noun} is {en_adj} :)",
       "@{user} my {en_noun} stopped working", "lol this {en_noun} is sooo {en_adj}", "Not happy with the {en_noun}"]
_SLOTS = {
    "adj": ["отличный", "хороший", "ужасный", "новый", "красивый", "быстрый", "дорогой", "дешёвый",
            "странный", "удобный", "мятый", "большой"],
    "noun": ["заказ", "товар", "курьер", "пакет", "размер", "доставка", "магазин", "платье", "телефон",
             "чехол", "возврат", "менеджер"],
    "adv": ["быстро", "медленно", "отлично", "плохо", "нормально", "аккуратно", "долго", "удобно"],
    "city": ["Казани", "Москве", "Самаре", "Перми", "Томске"],
    "en_adj": ["great", "awful", "new", "nice", "slow", "cheap", "broken", "amazing"],
    "en_noun": ["order", "parcel", "app", "phone", "refund", "delivery", "support", "case"],
    "user": ["brand", "shop", "support", "anna_k", "ivan88"],
}


_TRANSLIT = str.maketrans("карминстлезупвотыбшо", "karminstlezupvotybso")


def synthetic(count: int) -> list[str]:
    rng = random.Random(7)
    syllables = ["ка", "ро", "ми", "ст", "на", "ле", "зу", "пр", "во", "ты", "ба", "ни", "ко", "ша"]
    texts = []
    for _ in range(count):
        russian = rng.random() < 0.7
        parts = []
        for _ in range(rng.choice((1, 2, 2))):
            fill = {slot: rng.choice(words) for slot, words in _SLOTS.items()}
            fill["noun"] += rng.choice(["", "", "ами", "ы", "ом"])
            parts.append(rng.choice(_RU if russian else _EN).format(n=rng.randint(2, 30), **fill))
        # open vocabulary, as real text has (names, typos, slang): made-up words from syllables
        coined = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        parts.insert(rng.randint(0, len(parts)), coined if russian else coined.translate(_TRANSLIT))
        texts.append(" ".join(parts))
    return texts


def from_datasets(count: int) -> list[str]:
    russian, english = [], []
    with open(DATASETS / "rusentiment/rusentiment_random_posts.csv", encoding="utf-8", newline="") as handle:
        russian = [row["text"].strip() for row in csv.DictReader(handle)]
    for name in ("tweeteval/test_text.txt", "tweeteval/val_text.txt"):
        english += (DATASETS / name).read_text(encoding="utf-8").splitlines()
    vader = DATASETS / "vader/hutto_ICWSM_2014/tweets_GroundTruth.txt"
    english += [line.split("\t")[-1] for line in vader.read_text(encoding="utf-8", errors="replace").splitlines()]
    russian = [t for t in russian if 0 < len(t) <= MAX_CHARS]
    english = [t for t in english if 0 < len(t) <= MAX_CHARS]
    rng = random.Random(7)
    ru_count = int(count * 0.7)
    return rng.sample(russian, min(ru_count, len(russian))) + rng.sample(english, min(count - ru_count, len(english)))


def rate(function, texts: list[str], repeats: int, before=None) -> float:
    best = 0.0
    for _ in range(repeats):
        if before:
            before()
        start = time.perf_counter()
        for text in texts:
            function(text)
        best = max(best, len(texts) / (time.perf_counter() - start))
    return best


def cold_start() -> float:
    code = "import time; t=time.perf_counter(); from chorus.monitor.sentiment import classify; " \
           "classify('Спасибо, всё отлично'); classify('great'); print(time.perf_counter()-t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=20_000)
    parser.add_argument("--corpus", choices=("auto", "datasets", "synthetic"), default="auto")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    corpus = args.corpus
    if corpus == "auto":
        corpus = "datasets" if (DATASETS / "rusentiment").exists() else "synthetic"
    texts = from_datasets(args.texts) if corpus == "datasets" else synthetic(args.texts)
    random.Random(1).shuffle(texts)
    print(f"corpus: {corpus}, {len(texts)} texts, {sum(map(len, texts)) / len(texts):.0f} chars on average; "
          f"classifier {VERSION}")
    cold = rate(classify, texts, args.repeats, before=LEMMATISER.clear)
    warm = rate(classify, texts, args.repeats)
    print(f"chorus cold lemma cache: {cold:10,.0f} texts/s")
    print(f"chorus warm lemma cache: {warm:10,.0f} texts/s  ({len(LEMMATISER):,} word forms cached)")
    print(f"lexicon only, warm:      {rate(lexicon_only, texts, args.repeats):10,.0f} texts/s")
    from textblob import TextBlob
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    textblob = rate(lambda t: TextBlob(t).sentiment.polarity, texts, args.repeats)
    compound = rate(lambda t: vader.polarity_scores(t)["compound"], texts, args.repeats)
    print(f"textblob polarity:       {textblob:10,.0f} texts/s")
    print(f"vader compound:          {compound:10,.0f} texts/s")
    print(f"chorus cold start (fresh interpreter, import + first two calls): {cold_start() * 1000:.0f} ms")


if __name__ == "__main__":
    main()
