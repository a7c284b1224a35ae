"""The result of classifying one text, and how a score becomes a label."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Label = Literal["positive", "neutral", "negative"]
LABELS: tuple[Label, ...] = ("positive", "neutral", "negative")

# Scores inside (NEGATIVE_BELOW, POSITIVE_ABOVE) are neutral. Chosen on the development splits
# (scripts/sentiment/evaluate.py --tune); see docs/sentiment.md.
POSITIVE_ABOVE = 0.25
NEGATIVE_BELOW = -0.25


@dataclass(frozen=True, slots=True)
class Classification:
    """label: positive/neutral/negative; score: -1 (most negative) .. 1 (most positive);
    language: "ru", "en", "other" (a language we do not classify) or "unknown" (no words to tell by)."""

    label: Label
    score: float
    language: str


def label_for(score: float) -> Label:
    if score >= POSITIVE_ABOVE:
        return "positive"
    if score <= NEGATIVE_BELOW:
        return "negative"
    return "neutral"
