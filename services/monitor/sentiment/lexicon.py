"""The polarity lexicons and modifier words, loaded once from the package's ``data/`` folder.

Files (built by ``scripts/sentiment/build_lexicons.py``; provenance in ``docs/sentiment.md``):
``ru.tsv`` and ``en.tsv`` map a key (a word, or words separated by spaces; Russian keys are lemmas) to a
valence on VADER's -4..+4 scale; ``emoji.tsv`` does the same for emoji and emoticons; ``modifiers.tsv``
lists negators, intensifiers (positive factor), diminishers (negative factor) and contrast words.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources


@dataclass(frozen=True)
class Lexicon:
    """Everything the scorer needs for one script's words."""

    words: dict[str, float]
    # first key of a phrase -> (keys, valence) pairs, longest phrase first
    phrases: dict[str, tuple[tuple[tuple[str, ...], float], ...]]
    negators: dict[str, int] = field(default_factory=dict)  # word -> how many words ahead it reaches
    boosters: dict[str, float] = field(default_factory=dict)
    contrasts: frozenset[str] = frozenset()


def _rows(name: str) -> list[list[str]]:
    text = resources.files(__package__).joinpath(f"data/{name}").read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


def phrase_index(entries: dict[tuple[str, ...], float]) -> dict[str, tuple[tuple[tuple[str, ...], float], ...]]:
    """Multi-word entries grouped by their first key, longest first, so the longest match wins."""
    grouped: dict[str, list[tuple[tuple[str, ...], float]]] = {}
    for keys, valence in entries.items():
        if len(keys) > 1:
            grouped.setdefault(keys[0], []).append((keys, valence))
    return {first: tuple(sorted(items, key=lambda item: -len(item[0]))) for first, items in grouped.items()}


@cache
def lexicon(language: str) -> Lexicon:
    """The lexicon for "ru" (Cyrillic words) or "en" (Latin words)."""
    entries = {tuple(key.split(" ")): float(value) for key, value, *_ in _rows(f"{language}.tsv")}
    negators: dict[str, int] = {}
    boosters: dict[str, float] = {}
    contrasts = set()
    for lang, kind, word, value in _rows("modifiers.tsv"):
        if lang != language:
            continue
        if kind == "negator":
            negators[word] = int(value)
        elif kind == "booster":
            boosters[word] = float(value)
        elif kind == "contrast":
            contrasts.add(word)
    return Lexicon(
        words={keys[0]: valence for keys, valence in entries.items() if len(keys) == 1},
        phrases=phrase_index(entries),
        negators=negators,
        boosters=boosters,
        contrasts=frozenset(contrasts),
    )


@lru_cache(maxsize=1)
def emoji_valences() -> dict[str, float]:
    """Emoji (without skin tones or variation selectors) and normalised emoticons -> valence."""
    return {key: float(value) for key, value, *_ in _rows("emoji.tsv")}
