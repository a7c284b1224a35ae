"""Context rules applied to the spans that carry sentiment, VADER-style, for both scripts.

Negators within reach flip and damp a valence ("не нравится", "not good", and the Russian "нет" after
its word: "претензий нет"); intensifiers and
diminishers shift it ("очень", "слегка"); a word in capitals or stretched ("сууупер") counts more; a
contrast word ("но", "but") halves what comes before it and raises what comes after; a clause that is a
plain question ("это хорошо?") counts half; "не очень" with nothing after it is a polite negative; where
the lexicon decides (``irony``), an irony emoji (🙃 🙄 🤡 😒) turns the praise of its text into complaint
("Спасибо, очень удобно 🙃"): in brand comments these faces nearly always mark sarcasm.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

from .lexicon import Lexicon
from .spans import Span
from .tokens import EMOJI, MARK, WORD, Token

NEGATION = -0.74
CAPS = 0.733
ELONGATION = 0.3
CONTRAST_BEFORE, CONTRAST_AFTER = 0.5, 1.5
NEGATED_INTENSIFIER = -1.0  # "не очень." / "not really." with nothing after: a polite negative
QUESTION = 0.5
IRONY = -0.6  # a praising word in a text with an irony emoji: flipped, and weaker than a plain complaint
IRONY_MARKS = frozenset({"🙃", "🙄", "🤡", "😒"})
POSTPOSED_NEGATORS = frozenset({"нет", "нету"})
# A phrase starting with these is not what a negator before it denies: "курьера нет уже третий день" is
# the courier's absence followed by how long it has lasted.
UNNEGATED_STARTS = frozenset({"уже"})
_CLAUSE_MARKS = frozenset(".,;!?…")


def apply_modifiers(tokens: Sequence[Token], keys, lexicons, raw: list[Span], irony: bool = False) -> list[Span]:
    """The spans with their valence in context; spans a workspace rule neutralised are dropped. ``irony``:
    whether irony emoji turn praise into complaint (where the lexicon decides; see classifier.py)."""
    clause = _clauses(tokens)
    return _apply_modifiers(tokens, keys, lexicons, clause, raw, irony)


def _clauses(tokens: Sequence[Token]) -> list[int]:
    clause, ids = 0, []
    for token in tokens:
        if token.kind == MARK and token.norm in _CLAUSE_MARKS:
            clause += 1
        ids.append(clause)
    return ids


def _questions(tokens: Sequence[Token], clause: list[int]) -> dict[int, bool]:
    """Clause id -> whether the clause ends with one plain question mark."""
    ends: dict[int, bool] = {}
    for i, token in enumerate(tokens):
        if token.kind == MARK and token.norm in _CLAUSE_MARKS:
            # "?!" and "???" are indignation, not a question
            ends[clause[i] - 1] = token.text == "?"
    return {c: ends.get(c, False) for c in set(clause)}


def _is_negator(token: Token, keys: tuple[str, ...], lex: Lexicon, distance: int) -> bool:
    reach = lex.negators.get(token.norm) or (lex.negators.get(keys[0]) if keys else None)
    if reach is None and token.norm.endswith("n't"):
        reach = 3
    if reach is None and "'" in token.norm:
        reach = lex.negators.get(token.norm.replace("'", ""))
    return reach is not None and distance <= reach


def _apply_modifiers(tokens, keys, lexicons, clause: list[int], raw: list[Span], irony: bool) -> list[Span]:
    starts = {span.start: span for span in raw}
    question = _questions(tokens, clause)
    # a "нет" that denies the word before it ("проблем нет все хорошо") does not also negate the next one
    postposed = {j for span in raw if (j := _denied_after(tokens, span.end)) is not None}
    all_caps = all(t.caps for t in tokens if t.kind == WORD and len(t.norm) > 1)
    contrast = next((i for i, t in enumerate(tokens) if t.kind == WORD and t.norm in lexicons[i].contrasts), None)
    ironic = irony and any(t.kind == EMOJI and t.norm in IRONY_MARKS for t in tokens)
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
            valence = _shift(tokens, keys, lexicons, span, valence, all_caps, postposed)
        if question[clause[span.start]] and span.end - span.start == 1 and tokens[span.start].kind == WORD:
            valence *= QUESTION  # "is it good?" asks; a complaint phrase ("где мой заказ?") still counts
        if contrast is not None and tokens[span.start].kind == WORD:
            valence *= CONTRAST_BEFORE if span.start < contrast else CONTRAST_AFTER
        if ironic and valence > 0:
            valence *= IRONY  # "👏" or "🔥" beside "🙃" is the same sarcasm as the words
        scored.append(Span(span.start, span.end, span.keys, valence))
    scored.extend(_negated_intensifiers(tokens, keys, lexicons, clause, starts))
    return scored


def _shift(tokens, keys, lexicons, span: Span, valence: float, all_caps: bool, postposed: set[int]) -> float:
    token = tokens[span.start]
    if token.caps and not all_caps:
        valence += math.copysign(CAPS, valence)
    if token.elongated:
        valence += math.copysign(ELONGATION, valence)
    distance, j, negated = 0, span.start - 1, False
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
            elif (not negated and j not in postposed and token.norm not in UNNEGATED_STARTS
                  and _is_negator(before, keys[j], lex, distance)):
                # once: Russian stacks negators for one negation ("нет никаких", "ни разу не"),
                # and English double negation is rare in social text
                valence *= NEGATION
                negated = True
        j -= 1
    if not negated and _denied_after(tokens, span.end) is not None:
        valence *= NEGATION
    return valence


def _denied_after(tokens, end: int) -> int | None:
    """Where the "нет" is that Russian puts after what it denies ("претензий нет", "проблем вообще
    нет", "претензий к магазину нет"), or None."""
    words = 0
    for j in range(end, min(end + 4, len(tokens))):
        token = tokens[j]
        if token.kind == MARK and token.norm in _CLAUSE_MARKS:
            return None
        if token.kind == WORD:
            words += 1
            if token.norm in POSTPOSED_NEGATORS:
                return j
            if words == 3:
                return None
    return None


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
