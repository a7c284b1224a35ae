"""Builds the packaged lexicons in services/monitor/sentiment/data/ from their sources.

Sources (licences and provenance: docs/sentiment.md):
- English: the VADER lexicon (MIT, C.J. Hutto), words and multi-word entries only (its emoticons are
  replaced by our own table), then ``sources/en_authored.tsv`` on top.
- Russian: ``sources/ru_authored.tsv``, each word lemmatised by the classifier's own lemmatiser so the
  keys match what it produces at run time.
- Emoji and emoticons: ``sources/emoji_authored.tsv``.

Usage: python scripts/sentiment/build_lexicons.py [--vader PATH_TO/vader_lexicon.txt]
"""
from __future__ import annotations

import argparse
import re
from collections import defaultdict
from pathlib import Path

from chorus.monitor.sentiment.keys import PREFIX, entry_key
from chorus.monitor.sentiment.tokens import normalise_emoticon

ROOT = Path(__file__).resolve().parents[2]
SOURCES = Path(__file__).resolve().parent / "sources"
DATA = ROOT / "services" / "monitor" / "sentiment" / "data"
DEFAULT_VADER = Path("/work/shared/datasets/vader/vader_lexicon.txt")
_VADER_WORD = re.compile(r"^[a-z][a-z'\-]*( [a-z][a-z'\-]*)*$")
_SELECTORS = dict.fromkeys([0xFE0F, 0xFE0E, 0x20E3, 0x200D, *range(0x1F3FB, 0x1F400)])


def _authored(name: str) -> list[tuple[str, float]]:
    rows = []
    for line in (SOURCES / name).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            term, value = line.split("\t")[:2]
            rows.append((term.strip(), float(value)))
    return rows


def _write(name: str, header: str, entries: dict[str, float]) -> None:
    lines = [f"# {line}" for line in header.strip().splitlines()]
    lines += [f"{key}\t{value:.2f}" for key, value in sorted(entries.items())]
    (DATA / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{name}: {len(entries)} entries")


def build_english(vader: Path) -> None:
    entries: dict[str, float] = {}
    for line in vader.read_text(encoding="utf-8").splitlines():
        term, value = line.split("\t")[:2]
        term = term.lower()
        if _VADER_WORD.match(term):
            entries[term] = float(value)
    for term, value in _authored("en_authored.tsv"):
        entries[" ".join(entry_key(w) for w in term.lower().split())] = value
    _write("en.tsv", "English lexicon. Derived from the VADER lexicon (MIT, (c) 2016 C.J. Hutto) and\n"
           "Chorus additions (MIT). Built by scripts/sentiment/build_lexicons.py; do not edit by hand.", entries)


def build_russian() -> None:
    values: dict[str, list[float]] = defaultdict(list)
    lemmas: dict[str, list[float]] = defaultdict(list)
    for term, value in _authored("ru_authored.tsv"):
        words = term.lower().replace("ё", "е").split()
        if len(words) > 1:
            values[" ".join(entry_key(w) for w in words)].append(value)
        elif words[0].endswith("="):
            values[words[0].rstrip("=")].append(value)
        else:
            values[words[0]].append(value)
            lemma = entry_key(words[0])
            if lemma != words[0]:
                lemmas[lemma].append(value)
    for lemma, vs in lemmas.items():
        values.setdefault(lemma, vs)  # a lemma's own entry wins over its forms' entries
    entries = {key: sum(vs) / len(vs) for key, vs in values.items()}
    _write("ru.tsv", "Russian lexicon, keys are pymorphy3 lemmas. Authored by the Chorus team (MIT).\n"
           "Built by scripts/sentiment/build_lexicons.py; do not edit by hand.", entries)


def build_prefixes() -> None:
    """The first letters of every form of every Russian key, so the classifier can skip lemmatising
    words that cannot be one of them (keys.word_keys)."""
    import pymorphy3

    morph = pymorphy3.MorphAnalyzer()
    words = set()
    for line in (DATA / "ru.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            words.update(line.split("\t")[0].split(" "))
    for line in (DATA / "modifiers.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("ru\t"):
            words.add(line.split("\t")[2])
    prefixes = set()
    for word in words:
        prefixes.add(word[:PREFIX])
        for parse in morph.parse(word):
            if parse.normal_form.replace("ё", "е") == word:
                prefixes.update(form.word.replace("ё", "е")[:PREFIX] for form in parse.lexeme)
    lines = ["# First letters of every form of every Russian lexicon and modifier word.",
             "# Built by scripts/sentiment/build_lexicons.py; do not edit by hand."] + sorted(prefixes)
    (DATA / "ru_prefixes.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"ru_prefixes.txt: {len(prefixes)} prefixes")


def build_emoji() -> None:
    entries = {}
    for term, value in _authored("emoji_authored.tsv"):
        key = term.translate(_SELECTORS) if not term.isascii() else normalise_emoticon(term)
        entries[key] = value
    _write("emoji.tsv", "Emoji and emoticon valences. Authored by the Chorus team (MIT).\n"
           "Built by scripts/sentiment/build_lexicons.py; do not edit by hand.", entries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vader", type=Path, default=DEFAULT_VADER, help="path to VADER's vader_lexicon.txt")
    args = parser.parse_args()
    build_english(args.vader)
    build_russian()
    build_prefixes()
    build_emoji()


if __name__ == "__main__":
    main()
