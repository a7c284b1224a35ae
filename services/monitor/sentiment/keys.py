"""The lookup keys of a word: its lemmas for Cyrillic words, its lower-case form for Latin ones.

One module for both sides: the lexicon build and workspace rules key their terms with it, the
classifier keys the words of a text with it, so a term matches every form of the word it names.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

from .lemmas import LEMMATISER

PREFIX = 3


def is_cyrillic(word: str) -> bool:
    return "\u0400" <= word[0] <= "\u04ff"


@lru_cache(maxsize=1)
def lexicon_prefixes() -> frozenset[str]:
    """First letters of every form of every Russian lexicon and modifier word (built with the lexicon)."""
    text = resources.files(__package__).joinpath("data/ru_prefixes.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def word_keys(norm: str, every_word: bool = False) -> tuple[str, ...]:
    """Candidate keys of a word already lower-cased with "ё" written as "е", the most probable first.

    A Russian word whose first letters begin no form of any lexicon word cannot lemmatise to one, so
    it skips pymorphy3 (its only key is itself): that halves the cost of words never seen before.
    ``every_word`` lemmatises regardless, for workspace rules, whose terms the lexicon does not know.
    """
    if not is_cyrillic(norm):
        return (norm,)
    if every_word or len(norm) <= PREFIX or norm[:PREFIX] in lexicon_prefixes():
        return LEMMATISER.lemmas(norm)
    return (norm,)


def entry_key(word: str) -> str:
    """The key a lexicon or rule entry is stored under: the word itself when it is already a lemma
    ("дорогой", not the more probable "дорога") or a word the dictionary does not know (whose lemma
    would be a guess: "ок" -> "около"), else its most probable lemma ("верните" -> "вернуть")."""
    norm = word.lower().replace("ё", "е")
    keys = word_keys(norm, every_word=True)
    if norm in keys or (is_cyrillic(norm) and not LEMMATISER.known(norm)):
        return norm
    return keys[0]
