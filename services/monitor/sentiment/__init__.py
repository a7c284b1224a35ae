"""Sentiment of social texts in Russian and English: a pure library, no I/O when classifying.

    classify(text) -> Classification(label, score, language)
    classify_many(texts) -> list[Classification]
    apply_rules(text, classification, rules) -> Classification
    matching_rules(text, rules) -> the rules whose term occurs in the text
    detect_language(text) -> ISO 639-1 code, "other" or "unknown"

``VERSION`` names the model (lexicons, rules, thresholds and the trained English model); it changes
whenever a text could get a different result, so stored classifications can be told apart. See docs/sentiment.md.
"""
from __future__ import annotations

from .classification import LABELS, Classification, Label
from .classifier import classify, classify_many
from .cleaning import clean
from .language import detect
from .rules import Rule, apply_rules, matching_rules, rules_from_json
from .tokens import tokenize

VERSION = "chorus-lex-1.2+en-lr-2"


def detect_language(text: str) -> str:
    """The language of ``text`` with finer codes than Classification ("uk", "bg", "de", ...)."""
    return detect(tokenize(clean(text if isinstance(text, str) else "")))


__all__ = [
    "LABELS",
    "VERSION",
    "Classification",
    "Label",
    "Rule",
    "apply_rules",
    "classify",
    "classify_many",
    "detect_language",
    "matching_rules",
    "rules_from_json",
]
