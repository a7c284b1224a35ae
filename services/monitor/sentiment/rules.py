"""Workspace rules: a team's corrections of the classifier for its own domain.

A ``Rule`` names a term (a word or phrase; Russian words match every word form through their lemmas,
English words match case-insensitively) and what it means to this workspace:

- ``scope="term"`` changes only that term's own contribution. ``label="neutral"`` removes it ("дорого is
  neutral for us": "дорого, но качество отличное" becomes positive, while "дорого и ужасно" stays
  negative); ``"positive"``/``"negative"`` make the term count like a lexicon word of that polarity
  (valence ±TERM_VALENCE), so negation and intensifiers still apply ("не дорого").
- ``scope="message"`` forces the label of every message that contains the term, whatever else it says
  (a product name that only ever appears in complaints, a competitor's name for "neutral").

Where a trained model decides (model.py; English), a term rule also removes the term's words from the
model's features, so a neutralised term loses its learnt weight as well as its lexicon valence, and a
term given a polarity counts through the lexicon features alone.

Rules are applied in order: term rules all together, then the first matching message rule wins.
``apply_rules`` returns the given classification untouched when no rule's term occurs in the text, so
a stored classification is only recomputed for texts a rule affects.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import product
from typing import Literal

from .classification import LABELS, Classification, Label
from .classifier import decide, lexicon_decides
from .cleaning import clean
from .keys import entry_key, word_keys
from .scoring import analyse
from .tokens import WORD, tokenize

TERM_VALENCE = 2.0
FORCED_SCORE = 0.5  # the least |score| a forced positive/negative label gets
Scope = Literal["term", "message"]


@dataclass(frozen=True, slots=True)
class Rule:
    """A workspace's correction for one term; see the module docstring."""

    term: str
    label: Label
    scope: Scope = "term"

    def __post_init__(self) -> None:
        if self.label not in LABELS:
            raise ValueError(f"rule label must be one of {LABELS}, not {self.label!r}")
        if self.scope not in ("term", "message"):
            raise ValueError(f"rule scope must be 'term' or 'message', not {self.scope!r}")
        if not _term_words(self.term):
            raise ValueError(f"rule term {self.term!r} has no words")


def rules_from_json(data: Iterable[dict]) -> tuple[Rule, ...]:
    """Rules from decoded JSON: a list of {"term": ..., "label": ..., "scope": "term"|"message"}."""
    rules = []
    for item in data:
        if not isinstance(item, dict) or "term" not in item or "label" not in item:
            raise ValueError(f"a rule needs 'term' and 'label': {item!r}")
        rules.append(Rule(str(item["term"]), item["label"], item.get("scope", "term")))
    return tuple(rules)


def _term_words(term: str) -> list[str]:
    return [token.norm for token in tokenize(clean(term)) if token.kind == WORD]


@dataclass(frozen=True)
class _Compiled:
    overrides: dict[tuple[str, ...], float]  # every key sequence a term rule can match -> its valence
    term_phrases: tuple[tuple[str, ...], ...]
    message_rules: tuple[tuple[tuple[tuple[str, ...], ...], Label], ...]


def _variants(term: str) -> tuple[tuple[str, ...], ...]:
    """Every key sequence the term can take: each word by its own form and by all its lemmas."""
    options = []
    for word in _term_words(term):
        keys = dict.fromkeys((entry_key(word),) + word_keys(word, every_word=True))
        options.append(tuple(keys))
    return tuple(product(*options))[:64]


@lru_cache(maxsize=256)
def _compile(rules: tuple[Rule, ...]) -> _Compiled:
    valence = {"neutral": 0.0, "positive": TERM_VALENCE, "negative": -TERM_VALENCE}
    overrides: dict[tuple[str, ...], float] = {}
    messages = []
    for rule in rules:
        variants = _variants(rule.term)
        if rule.scope == "term":
            for keys in variants:
                overrides.setdefault(keys, valence[rule.label])
        else:
            messages.append((variants, rule.label))
    return _Compiled(overrides, tuple(overrides), tuple(messages))


def _occurs(keys: Sequence[tuple[str, ...]], phrase: tuple[str, ...]) -> bool:
    return next(_occurrences(keys, phrase), None) is not None


def _occurrences(keys: Sequence[tuple[str, ...]], phrase: tuple[str, ...]):
    span = len(phrase)
    for start in range(len(keys) - span + 1):
        if all(phrase[k] in keys[start + k] for k in range(span)):
            yield start, start + span


def _masked(keys: Sequence[tuple[str, ...]], phrases: Sequence[tuple[str, ...]]) -> set[int]:
    """Token positions covered by a term rule: the model must not see their learnt word weights."""
    return {i for phrase in phrases for start, end in _occurrences(keys, phrase) for i in range(start, end)}


def _text_keys(text: str):
    tokens = tokenize(clean(text if isinstance(text, str) else ""))
    return tokens, [word_keys(t.norm, every_word=True) if t.kind == WORD else () for t in tokens]


def matching_rules(text: str, rules: Sequence[Rule]) -> tuple[Rule, ...]:
    """The rules whose term occurs in ``text`` in any word form, in order: the ones apply_rules uses
    (for showing a user which of the workspace's rules changed a message)."""
    _, keys = _text_keys(text)
    return tuple(rule for rule in rules if any(_occurs(keys, phrase) for phrase in _variants(rule.term)))


def apply_rules(text: str, classification: Classification, rules: Sequence[Rule]) -> Classification:
    """The classification of ``text`` corrected by the workspace's ``rules``."""
    if not rules:
        return classification
    compiled = _compile(tuple(rules))
    tokens, keys = _text_keys(text)
    result = classification
    masked = _masked(keys, compiled.term_phrases) if classification.language != "other" else set()
    if masked:
        # the term's lexicon valence is replaced (overrides) and its word features are removed (masked)
        result = decide(tokens, analyse(tokens, compiled.overrides, irony=lexicon_decides(classification.language)),
                        classification.language, masked)
    for variants, label in compiled.message_rules:
        if any(_occurs(keys, phrase) for phrase in variants):
            return _forced(result, label)
    return result


def _forced(classification: Classification, label: Label) -> Classification:
    score = classification.score
    if label == "neutral":
        score = 0.0
    elif label == "positive":
        score = max(score, FORCED_SCORE)
    else:
        score = min(score, -FORCED_SCORE)
    return Classification(label, score, classification.language)
