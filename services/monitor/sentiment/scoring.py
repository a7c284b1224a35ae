"""Scores a tokenised text with VADER-style rules over our lexicons; the same rules serve both scripts.

Every word is looked up in the lexicon of its own script (Cyrillic words in the Russian one, by lemma;
Latin words in the English one), so the Russian and English parts of a mixed text both count. Then:
phrases win over their words; negators within reach flip and damp a valence ("не нравится", "not good");
intensifiers and diminishers shift it ("очень", "слегка"); a word in capitals or stretched ("сууупер")
counts more; a contrast word ("но", "but") halves what comes before and raises what comes after;
exclamation marks add emphasis; emoji, emoticons and Russian bracket smileys ")))" / "(((" add their own.
The sum is squashed into [-1, 1] the way VADER's compound score is.

``overrides`` replaces the valence of lexicon keys (single words or phrases); workspace rules use it to
neutralise a term or give it a polarity, so only that term's contribution changes.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

from .keys import is_cyrillic, word_keys
from .lexicon import Lexicon, emoji_valences, lexicon
from .tokens import BRACKET, EMOJI, EMOTICON, MARK, WORD, Token

ALPHA = 15.0  # VADER's normalisation constant
NEGATION = -0.74
CAPS = 0.733
ELONGATION = 0.3
EXCLAMATION = 0.292
CONTRAST_BEFORE, CONTRAST_AFTER = 0.5, 1.5
NEGATED_INTENSIFIER = -1.0  # "не очень." / "not really." with nothing after: a polite negative
LAUGH = 1.4
QUESTION = 0.5
LONG = 20  # words; longer texts (posts, ads, news) are damped so many mild words do not add up to a verdict
BRACKET_VALENCE = (0.0, 0.6, 1.2, 1.8)  # by run length; a lone ")" is nearly punctuation
_RU_LAUGH = frozenset("ахеиы")
_EN_LAUGH = frozenset("hae")
_CLAUSE_MARKS = frozenset(".,;!?…")


@dataclass(frozen=True, slots=True)
class Span:
    """Tokens ``start``..``end`` (exclusive) that contribute ``valence`` to the score."""

    start: int
    end: int
    keys: tuple[str, ...]
    valence: float


@dataclass(frozen=True, slots=True)
class Analysis:
    score: float
    spans: tuple[Span, ...]
    keys: tuple[tuple[str, ...], ...]  # candidate keys per token, () for tokens that are not words


def normalise(total: float) -> float:
    return total / math.sqrt(total * total + ALPHA)


def analyse(tokens: Sequence[Token], overrides: Mapping[tuple[str, ...], float] | None = None) -> Analysis:
    overrides = overrides or {}
    n = len(tokens)
    every_word = bool(overrides)  # a rule's term may be a word the lexicon does not know
    keys = tuple(word_keys(t.norm, every_word) if t.kind == WORD else () for t in tokens)
    lexicons = [lexicon("ru") if t.kind == WORD and is_cyrillic(t.norm) else lexicon("en") for t in tokens]
    clause = _clauses(tokens)
    raw: list[Span] = []
    i = 0
    while i < n:
        token = tokens[i]
        if token.kind == WORD:
            span = _word_span(tokens, keys, lexicons, i, overrides)
            if span is not None:
                raw.append(span)
                i = span.end
                continue
        elif token.kind in (EMOJI, EMOTICON):
            table = emoji_valences()
            valence = table.get(token.norm)
            if valence is None and token.kind == EMOJI and token.norm:
                valence = table.get(token.norm[0])
            if valence:
                raw.append(Span(i, i + 1, (token.norm,), valence))
        i += 1
    raw.extend(_brackets(tokens))
    raw.sort(key=lambda span: span.start)
    scored = _apply_modifiers(tokens, keys, lexicons, clause, raw)
    total = sum(span.valence for span in scored)
    words = sum(1 for t in tokens if t.kind == WORD)
    if words > LONG:
        total *= math.sqrt(LONG / words)
    if total:
        marks = sum(t.text.count("!") for t in tokens if t.kind == MARK)
        total += math.copysign(min(marks, 4) * EXCLAMATION, total)
    return Analysis(normalise(total), tuple(scored), keys)


def _clauses(tokens: Sequence[Token]) -> list[int]:
    clause, ids = 0, []
    for token in tokens:
        if token.kind == MARK and token.norm in _CLAUSE_MARKS:
            clause += 1
        ids.append(clause)
    return ids


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


def _questions(tokens: Sequence[Token], clause: list[int]) -> dict[int, bool]:
    """Clause id -> whether the clause ends with one plain question mark."""
    ends: dict[int, bool] = {}
    for i, token in enumerate(tokens):
        if token.kind == MARK and token.norm in _CLAUSE_MARKS:
            # "?!" and "???" are indignation, not a question
            ends[clause[i] - 1] = token.text == "?"
    return {c: ends.get(c, False) for c in set(clause)}


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


def _is_negator(token: Token, keys: tuple[str, ...], lex: Lexicon, distance: int) -> bool:
    reach = lex.negators.get(token.norm) or (lex.negators.get(keys[0]) if keys else None)
    if reach is None and token.norm.endswith("n't"):
        reach = 3
    if reach is None and "'" in token.norm:
        reach = lex.negators.get(token.norm.replace("'", ""))
    return reach is not None and distance <= reach


def _apply_modifiers(tokens, keys, lexicons, clause, raw: list[Span]) -> list[Span]:
    starts = {span.start: span for span in raw}
    question = _questions(tokens, clause)
    all_caps = all(t.caps for t in tokens if t.kind == WORD and len(t.norm) > 1)
    contrast = next((i for i, t in enumerate(tokens) if t.kind == WORD and t.norm in lexicons[i].contrasts), None)
    scored = []
    for span in raw:
        valence = span.valence
        if not valence:
            continue  # a term a workspace rule neutralised: it keeps its words, adds nothing
        token = tokens[span.start]
        if token.kind == WORD:
            lex = lexicons[span.start]
            nxt = next((j for j in range(span.end, len(tokens)) if tokens[j].kind == WORD), None)
            if (span.end - span.start == 1 and (token.norm in lex.boosters or keys[span.start][0] in lex.boosters)
                    and nxt is not None and clause[nxt] == clause[span.start] and nxt in starts):
                continue  # "супер быстро": here "супер" intensifies instead of scoring on its own
            valence = _shift(tokens, keys, lexicons, clause, span, valence, all_caps)
        if question[clause[span.start]] and span.end - span.start == 1 and tokens[span.start].kind == WORD:
            valence *= QUESTION  # "is it good?" asks; a complaint phrase ("где мой заказ?") still counts
        if contrast is not None and tokens[span.start].kind == WORD:
            valence *= CONTRAST_BEFORE if span.start < contrast else CONTRAST_AFTER
        scored.append(Span(span.start, span.end, span.keys, valence))
    scored.extend(_negated_intensifiers(tokens, keys, lexicons, clause, starts))
    return scored


def _shift(tokens, keys, lexicons, clause, span: Span, valence: float, all_caps: bool) -> float:
    token = tokens[span.start]
    if token.caps and not all_caps:
        valence += math.copysign(CAPS, valence)
    if token.elongated:
        valence += math.copysign(ELONGATION, valence)
    distance, j = 0, span.start - 1
    while j >= 0 and distance < 3:
        before = tokens[j]
        if before.kind == MARK and before.norm in _CLAUSE_MARKS:
            break
        if before.kind == WORD:
            distance += 1
            lex = lexicons[j]
            boost = lex.boosters.get(before.norm, lex.boosters.get(keys[j][0]))
            if boost is not None:
                step = boost * (1.0 - 0.05 * (distance - 1))
                if before.caps and not all_caps and boost > 0:
                    step += CAPS
                valence += step if valence > 0 else -step  # away from zero, or towards it for a diminisher
            elif _is_negator(before, keys[j], lex, distance):
                valence *= NEGATION
        j -= 1
    return valence


def _negated_intensifiers(tokens, keys, lexicons, clause, starts) -> list[Span]:
    """"не очень", "не особо", "not really" with no sentiment word after them in the clause."""
    spans = []
    for i in range(len(tokens) - 1):
        first, second = tokens[i], tokens[i + 1]
        if first.kind != WORD or second.kind != WORD or not _is_negator(first, keys[i], lexicons[i], 1):
            continue
        lex = lexicons[i + 1]
        if lex.boosters.get(second.norm, lex.boosters.get(keys[i + 1][0], 0.0)) <= 0:
            continue
        after = next((j for j in range(i + 2, len(tokens)) if tokens[j].kind == WORD), None)
        if after is None or clause[after] != clause[i] or after not in starts:
            spans.append(Span(i, i + 2, (keys[i][0], keys[i + 1][0]), NEGATED_INTENSIFIER))
    return spans
