"""The lookup keys of a word: its lemmas for Cyrillic words, its lower-case form for Latin ones.

One module for both sides: the lexicon build and workspace rules key their terms with it, the
classifier keys the words of a text with it, so a term matches every form of the word it names.
"""
from __future__ import annotations

from .lemmas import LEMMATISER


def is_cyrillic(word: str) -> bool:
    return "\u0400" <= word[0] <= "\u04ff"


def word_keys(norm: str) -> tuple[str, ...]:
    """Candidate keys of a word already lower-cased with "ё" written as "е", the most probable first."""
    if is_cyrillic(norm):
        return LEMMATISER.lemmas(norm)
    return (norm,)


def entry_key(word: str) -> str:
    """The key a lexicon or rule entry is stored under: the word itself when it is already a lemma
    ("дорогой", not the more probable "дорога") or a word the dictionary does not know (whose lemma
    would be a guess: "ок" -> "около"), else its most probable lemma ("верните" -> "вернуть")."""
    norm = word.lower().replace("ё", "е")
    keys = word_keys(norm)
    if norm in keys or (is_cyrillic(norm) and not LEMMATISER.known(norm)):
        return norm
    return keys[0]
