"""What the trained model (model.py) sees of a text: the lexicon's own evidence as a few dense numbers,
and hashed word unigrams and bigrams.

The same function builds the features for training (scripts/sentiment/train_model.py) and at run time,
so the two cannot drift apart.

Simplifications, chosen on purpose:
- Russian words are keyed by their pymorphy3 lemma only where the lexicon path already lemmatised them
  (the word begins like a form of a lexicon word, keys.py); every other Cyrillic word is cut to a light
  stem by stripping one inflectional ending. Lemmatising every word would cost a pymorphy3 analysis per
  new word form and take cold-cache throughput below the 5,000 texts/s goal; the stem is as
  deterministic as the lemma (it depends on the word alone), which is what the model needs.
- English words are lower case with one of -ing/-ed/-es/-s/-ly stripped, not stemmed properly.
- Words after a negator in the same clause (up to three) carry a negation mark ("¬нравиться"), the
  classic trick that lets a bag of words see "не нравится".
- ``masked`` token positions (the terms of workspace rules, rules.py) give no word feature at all, so
  a term a workspace neutralised loses its learnt weight as well as its lexicon valence.
"""
from __future__ import annotations

import math
import re
import zlib
from collections.abc import Collection, Sequence
from functools import cache

from .keys import is_cyrillic, word_keys
from .lexicon import lexicon
from .scoring import Analysis
from .tokens import BRACKET, EMOJI, EMOTICON, MARK, WORD, Token

DENSE = (
    "score", "lex_positive", "lex_negative", "positive_sum", "negative_sum", "positive_words",
    "negative_words", "negated", "symbols_positive", "symbols_negative", "exclamations", "question",
    "indignant", "caps", "elongated", "log_words",
)
NEGATION_REACH = 3
LEXICON_THRESHOLD = 0.25
_STEM_CACHE_SIZE = 100_000
_RU_ENDING = re.compile(
    r"^(.{3,}?)(?:иями|ями|ами|иях|ого|его|ому|ему|ыми|ими|ться|тся|ешь|ишь|ете|ите|ала|яла|ила|али|яли|или"
    r"|ая|яя|ое|ее|ые|ие|ый|ий|ой|ую|юю|ов|ев|ей|ам|ям|ах|ях|ом|ем|ою|ею|ет|ит|ут|ют|ат|ят|им|ла|ло|ли|ть"
    r"|ся|сь|ы|и|а|я|о|е|у|ю|ь|й)?$")
_EN_ENDING = re.compile(r"^(.{3,}?)(?:ing|ed|es|s|ly)?$")
_CLAUSE_MARKS = frozenset(".,;!?…")
_stems: dict[str, str] = {}


def stem(norm: str) -> str:
    """The key a word's features are hashed under (see the module docstring)."""
    found = _stems.get(norm)
    if found is None:
        if is_cyrillic(norm):
            keys = word_keys(norm)
            found = keys[0] if keys != (norm,) else _RU_ENDING.match(norm).group(1) if len(norm) > 3 else norm
        else:
            found = _EN_ENDING.match(norm).group(1) if len(norm) > 3 else norm
        if len(_stems) >= _STEM_CACHE_SIZE:
            _stems.clear()
        _stems[norm] = found
    return found


def bucket(feature: str, bits: int) -> int:
    """The hashed index of a feature name: CRC-32, stable across processes and machines."""
    return zlib.crc32(feature.encode("utf-8")) & ((1 << bits) - 1)


def dense_features(tokens: Sequence[Token], analysis: Analysis) -> list[float]:
    """The lexicon's evidence, in the order of ``DENSE``."""
    raw = {span.start: span.valence for span in analysis.raw}
    pos_sum = neg_sum = sym_pos = sym_neg = 0.0
    pos_words = neg_words = negated = 0
    for span in analysis.spans:
        valence = span.valence
        if tokens[span.start].kind == WORD:
            if valence > 0:
                pos_sum += valence
                pos_words += 1
            else:
                neg_sum -= valence
                neg_words += 1
            before = raw.get(span.start)
            if before is not None and before * valence < 0:
                negated += 1
        elif valence > 0:
            sym_pos += valence
        else:
            sym_neg -= valence
    words = exclamations = caps = elongated = 0
    question = indignant = 0.0
    for token in tokens:
        if token.kind == WORD:
            words += 1
            caps += token.caps
            elongated += token.elongated
        elif token.kind == MARK and token.norm in "!?":
            exclamations += token.text.count("!")
            if "?" in token.text:
                if token.text == "?":
                    question = 1.0
                else:
                    indignant = 1.0
    score = analysis.score
    return [
        score, float(score >= LEXICON_THRESHOLD), float(score <= -LEXICON_THRESHOLD),
        math.log1p(pos_sum), math.log1p(neg_sum), math.log1p(pos_words), math.log1p(neg_words),
        math.log1p(negated), math.log1p(sym_pos), math.log1p(sym_neg), min(exclamations, 4) / 4.0,
        question, indignant, caps / words if words else 0.0, float(elongated > 0), math.log1p(words),
    ]


def sparse_features(tokens: Sequence[Token], masked: Collection[int] = ()) -> list[str]:
    """Names of the word unigrams, bigrams and symbols present (each once), before hashing."""
    names: dict[str, None] = {}
    previous: str | None = None
    scope = 0
    for i, token in enumerate(tokens):
        kind = token.kind
        if kind == WORD:
            if i in masked:
                previous = None
                scope = max(scope - 1, 0)
                continue
            key = stem(token.norm)
            names["¬" + key if scope else key] = None
            if previous is not None:
                names[previous + " " + key] = None
            previous = key
            if _is_negator(token, key):
                scope = NEGATION_REACH
            elif scope:
                scope -= 1
            continue
        previous = None
        if kind == MARK:
            if token.norm in _CLAUSE_MARKS:
                scope = 0
        elif kind in (EMOJI, EMOTICON, BRACKET):
            names[":" + token.norm] = None
    return list(names)


@cache
def _negators() -> frozenset[str]:
    return frozenset(lexicon("ru").negators) | frozenset(lexicon("en").negators)


def _is_negator(token: Token, key: str) -> bool:
    negators = _negators()
    return token.norm in negators or key in negators or token.norm.endswith("n't")
