"""Finds what in a text carries sentiment before context is applied: lexicon words and phrases,
emoji, emoticons, laughter and Russian bracket smileys, each as a Span with its lexicon valence.

Every word is looked up in the lexicon of its own script (Cyrillic words in the Russian one, by lemma;
Latin words in the English one), so the Russian and English parts of a mixed text both count. The
longest phrase wins over its words; an entry for a word's own form wins over its lemma's.
``overrides`` (from workspace rules) replace the valence of keys and win over lexicon phrases.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .keys import word_keys
from .lexicon import Lexicon, emoji_valences
from .tokens import BRACKET, EMOJI, EMOTICON, WORD, Token

LAUGH = 1.4
BRACKET_VALENCE = (0.0, 0.6, 1.2, 1.8)  # by run length; a lone ")" is nearly punctuation
_RU_LAUGH = frozenset("ахеиы")
_EN_LAUGH = frozenset("hae")


@dataclass(frozen=True, slots=True)
class Span:
    """Tokens ``start``..``end`` (exclusive) that contribute ``valence`` to the score."""

    start: int
    end: int
    keys: tuple[str, ...]
    valence: float


def find_spans(tokens: Sequence[Token], keys, lexicons, overrides: Mapping[tuple[str, ...], float]) -> list[Span]:
    """Spans in token order. ``keys`` and ``lexicons`` are per token (see scoring.analyse)."""
    spans: list[Span] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind == WORD:
            span = _word_span(tokens, keys, lexicons, i, overrides)
            if span is not None:
                spans.append(span)
                i = span.end
                continue
        elif token.kind in (EMOJI, EMOTICON):
            table = emoji_valences()
            valence = table.get(token.norm)
            if valence is None and token.kind == EMOJI and token.norm:
                valence = table.get(token.norm[0])  # a sequence we do not know: its first emoji
            if valence:
                spans.append(Span(i, i + 1, (token.norm,), valence))
        i += 1
    spans.extend(_brackets(tokens))
    spans.sort(key=lambda span: span.start)
    return spans


def _lookup(table: Mapping, candidates: tuple[str, ...]):
    for key in candidates:
        value = table.get(key)
        if value is not None:
            return key, value
    return None, None


def _phrase_at(tokens, keys, i: int, phrase: tuple[str, ...]) -> bool:
    end = i + len(phrase)
    return end <= len(tokens) and all(
        tokens[j].kind == WORD and (phrase[j - i] in keys[j] or phrase[j - i] == tokens[j].norm)
        for j in range(i, end))


def _word_span(tokens, keys, lexicons, i, overrides) -> Span | None:
    candidates = keys[i]
    lex: Lexicon = lexicons[i]
    token = tokens[i]
    for phrase, valence in overrides.items():
        if len(phrase) > 1 and phrase[0] in candidates and _phrase_at(tokens, keys, i, phrase):
            return Span(i, i + len(phrase), phrase, valence)
    for first in dict.fromkeys((token.norm,) + candidates):
        for phrase, valence in lex.phrases.get(first, ()):
            if _phrase_at(tokens, keys, i, phrase) and not any((key,) in overrides for key in phrase):
                return Span(i, i + len(phrase), phrase, overrides.get(phrase, valence))
    for key in candidates:
        if (key,) in overrides:
            return Span(i, i + 1, (key,), overrides[(key,)])
    if token.norm in lex.negators or candidates[0] in lex.negators:
        return None
    key, valence = token.norm, lex.words.get(token.norm)  # an entry for this very form wins
    if valence is None:
        key, valence = _lookup(lex.words, candidates)
    if valence is None and token.elongated:
        single = token.single()
        key, valence = _lookup(lex.words, word_keys(single) + (single,))
    if valence is None and len(token.norm) > 4 and token.norm.isascii():
        key, valence = _lookup(lex.words, _english_stems(token.norm))
    if valence is None and _is_laugh(token.norm):
        key, valence = token.norm, LAUGH
    return Span(i, i + 1, (key,), valence) if valence else None


def _english_stems(word: str) -> tuple[str, ...]:
    """Plain forms to try for an English word the lexicon lacks ("nightmares", "scammed", "crashing");
    VADER's lexicon lists many but not all inflections."""
    if word.endswith("ies"):
        return (word[:-3] + "y",)
    if word.endswith("es"):
        return (word[:-2], word[:-1])
    if word.endswith("s") and not word.endswith("ss"):
        return (word[:-1],)
    if word.endswith("ed"):
        return (word[:-2], word[:-1], word[:-3] if word[-3:-2] == word[-4:-3] else word[:-2])
    if word.endswith("ing"):
        return (word[:-3], word[:-3] + "e", word[:-4] if word[-4:-3] == word[-5:-4] else word[:-3])
    return ()


def _is_laugh(word: str) -> bool:
    """"ахаха", "хахах", "hahaha", "ahah": any length, so they need a pattern, not a lexicon entry."""
    if len(word) < 4:
        return False
    letters = set(word)
    return (letters <= _RU_LAUGH and word.count("х") >= 2 and len(letters) > 1) or (
        letters <= _EN_LAUGH and word.count("h") >= 2 and len(letters) > 1)


def _brackets(tokens: Sequence[Token]) -> list[Span]:
    """Russian smileys: ")" / "(" runs, except single brackets that pair up as parentheses."""
    spans, opened = [], []
    for i, token in enumerate(tokens):
        if token.kind != BRACKET:
            continue
        run = len(token.text)
        if run == 1 and token.text == "(":
            opened.append(i)
        elif run == 1 and opened:
            opened.pop()
        else:
            valence = BRACKET_VALENCE[min(run, 3)]
            spans.append(Span(i, i + 1, (token.norm,), valence if token.text[0] == ")" else -valence))
    spans.extend(Span(i, i + 1, ("(",), -BRACKET_VALENCE[1]) for i in opened)
    return spans
