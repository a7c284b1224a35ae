"""The classifier port, and the adapter over ``chorus.monitor.sentiment``.

Workspace sentiment rules (``events.SentimentRule``) map onto the library's rules:
- ``label: null`` ("the term is neutral for us") -> a *term* rule: the term's own polarity is ignored and
  the rest of the text still counts ("дорого, но отлично" stays positive);
- ``label: positive|negative|neutral`` ("force this label when the term occurs") -> a *message* rule.

A rule whose term has no words is skipped (and logged once), never fatal. When the rules change a
classification, ``rule_id`` names the first of the workspace's rules (in its order) whose term occurs in
the text.
"""
from __future__ import annotations

import abc
import logging
from collections.abc import Sequence
from functools import lru_cache

from chorus.events import SentimentRule
from chorus.monitor import sentiment
from chorus.monitor.sentiment import Classification

log = logging.getLogger(__name__)


class Classifier(abc.ABC):
    """Labels texts. Blocking and CPU-bound: the consumer calls it from a worker thread."""

    version: str

    @abc.abstractmethod
    def classify_many(self, texts: Sequence[str]) -> list[Classification]:
        """One classification per text, in order; never raises for a str."""

    @abc.abstractmethod
    def apply_rules(self, text: str, classification: Classification,
                    rules: Sequence[SentimentRule]) -> tuple[Classification, str | None]:
        """The classification corrected by the workspace's rules, and the id of the rule that decided."""


class LexiconClassifier(Classifier):
    """The project's Russian and English classifier (docs/sentiment.md)."""

    def __init__(self) -> None:
        self.version = sentiment.VERSION

    def classify_many(self, texts: Sequence[str]) -> list[Classification]:
        return sentiment.classify_many(texts)

    def apply_rules(self, text: str, classification: Classification,
                    rules: Sequence[SentimentRule]) -> tuple[Classification, str | None]:
        compiled = _compile(tuple(rules))
        if not compiled:
            return classification, None
        result = sentiment.apply_rules(text, classification, [rule for _, rule in compiled])
        if result == classification:
            return classification, None
        # apply_rules returns its input untouched when the rule's term does not occur; any rule that does
        # occur rescores or forces it, and no rescored score has six decimals, so this input shows which.
        probe = Classification("neutral", 0.123456, classification.language)
        for rule_id, rule in compiled:
            if sentiment.apply_rules(text, probe, [rule]) != probe:
                return result, rule_id
        return result, compiled[0][0]


@lru_cache(maxsize=256)
def _compile(rules: tuple[SentimentRule, ...]) -> tuple[tuple[str, sentiment.Rule], ...]:
    out = []
    for rule in rules:
        try:
            if rule.label is None:
                out.append((rule.rule_id, sentiment.Rule(rule.term, "neutral", "term")))
            else:
                out.append((rule.rule_id, sentiment.Rule(rule.term, rule.label.value, "message")))
        except ValueError as exc:
            log.warning("sentiment rule %s is ignored: %s", rule.rule_id, exc)
    return tuple(out)
