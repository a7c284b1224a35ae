"""Scores a tokenised text: spans that carry sentiment (spans.py), put in context (modifiers.py), summed,
damped for long texts, emphasised by exclamation marks, and squashed into [-1, 1] the way VADER's
compound score is.

``overrides`` replaces the valence of lexicon keys (single words or phrases); workspace rules use it to
neutralise a term or give it a polarity, so only that term's contribution changes.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .keys import is_cyrillic, word_keys
from .lexicon import lexicon
from .modifiers import apply_modifiers
from .spans import Span, find_spans
from .tokens import MARK, WORD, Token

ALPHA = 15.0  # VADER's normalisation constant
EXCLAMATION = 0.292
LONG = 20  # words; longer texts (posts, ads, news) are damped so many mild words do not add up to a verdict


@dataclass(frozen=True, slots=True)
class Analysis:
    score: float
    spans: tuple[Span, ...]  # what contributed, in context: for explaining a result
    raw: tuple[Span, ...] = ()  # the same before context (negation, intensifiers): features compare them


def normalise(total: float) -> float:
    return total / math.sqrt(total * total + ALPHA)


def analyse(tokens: Sequence[Token], overrides: Mapping[tuple[str, ...], float] | None = None,
            irony: bool = False) -> Analysis:
    """The lexicon's evidence and score. ``irony`` (modifiers.py) is for texts the lexicon decides; the
    trained models were fitted on analyses without it."""
    overrides = overrides or {}
    every_word = bool(overrides)  # a rule's term may be a word the lexicon does not know
    keys = tuple(word_keys(t.norm, every_word) if t.kind == WORD else () for t in tokens)
    lexicons = [lexicon("ru") if t.kind == WORD and is_cyrillic(t.norm) else lexicon("en") for t in tokens]
    raw = find_spans(tokens, keys, lexicons, overrides)
    scored = apply_modifiers(tokens, keys, lexicons, raw, irony)
    total = sum(span.valence for span in scored)
    words = sum(1 for t in tokens if t.kind == WORD)
    if words > LONG:
        total *= math.sqrt(LONG / words)
    if total:
        marks = sum(t.text.count("!") for t in tokens if t.kind == MARK)
        total += math.copysign(min(marks, 4) * EXCLAMATION, total)
    return Analysis(normalise(total), tuple(scored), tuple(raw))
