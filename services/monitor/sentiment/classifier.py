"""classify(): clean, tokenise, detect the language, score.

Texts in a language we do not support ("other") are neutral with score 0 rather than scored by the
lexicon of their script: a Ukrainian or Bulgarian text read through the Russian lexicon shares enough
words to look confident while being wrong about the words it misses, and an honest "we cannot tell"
keeps those texts out of sentiment trends instead of skewing them. Texts with no words at all
("unknown": only emoji, emoticons, punctuation or links) are scored by their emoji and emoticons.
"""
from __future__ import annotations

from collections.abc import Iterable

from .classification import Classification, label_for
from .cleaning import clean
from .language import UNKNOWN, detect
from .scoring import analyse
from .tokens import tokenize

SUPPORTED = frozenset({"ru", "en"})
NEUTRAL_OTHER = Classification("neutral", 0.0, "other")


def public_language(code: str) -> str:
    """The language as Classification reports it: "ru", "en", "unknown" or "other"."""
    return code if code in SUPPORTED or code == UNKNOWN else "other"


def classify(text: str) -> Classification:
    """Sentiment of one social text. Never raises for a str; any other value is treated as empty."""
    tokens = tokenize(clean(text if isinstance(text, str) else ""))
    language = public_language(detect(tokens))
    if language == "other":
        return NEUTRAL_OTHER
    score = round(analyse(tokens).score, 4)
    return Classification(label_for(score), score, language)


def classify_many(texts: Iterable[str]) -> list[Classification]:
    """classify() for each text, in order."""
    return [classify(text) for text in texts]
