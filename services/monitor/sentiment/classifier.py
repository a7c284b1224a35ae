"""classify(): clean, tokenise, detect the language, score with the lexicon, decide with the trained model.

The lexicon (scoring.py) always runs: its evidence is the model's strongest input. The model of the
text's language (model.py) then decides the label; the score it reports is P(positive) - P(negative),
in [-1, 1] like the lexicon's. The lexicon decides alone when the model abstains: when there is no
model for the language, or when the text has neither a word feature nor a lexicon span to go by
(every word masked by a workspace rule), where a model could only answer with its class priors.

Texts in a language we do not support ("other") are neutral with score 0 rather than scored by the
lexicon of their script: a Ukrainian or Bulgarian text read through the Russian lexicon shares enough
words to look confident while being wrong about the words it misses, and an honest "we cannot tell"
keeps those texts out of sentiment trends instead of skewing them. Texts with no words at all
("unknown": only emoji, emoticons, punctuation or links) are scored by their emoji and emoticons.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from .classification import Classification, label_for
from .cleaning import clean
from .features import dense_features, sparse_features
from .language import UNKNOWN, detect
from .model import LABELS, model_for
from .scoring import Analysis, analyse
from .tokens import Token, tokenize

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
    return decide(tokens, analyse(tokens, irony=lexicon_decides(language)), language)


def classify_many(texts: Iterable[str]) -> list[Classification]:
    """classify() for each text, in order."""
    return [classify(text) for text in texts]


def lexicon_decides(language: str) -> bool:
    """Whether texts of ``language`` are labelled by the lexicon alone (no trained model): only then do
    lexicon rules the models were not trained with (irony emoji) apply."""
    return language not in SUPPORTED or model_for(language) is None


def decide(tokens: Sequence[Token], analysis: Analysis, language: str,
           masked: Collection[int] = ()) -> Classification:
    """The classification from the lexicon's analysis: the model's when it has one for ``language``
    and something to go by, else the lexicon's. ``masked`` token positions give the model no word
    feature (workspace rule terms)."""
    model = model_for(language) if language in SUPPORTED else None
    if model is not None:
        names = sparse_features(tokens, masked)
        if names or analysis.spans:
            probabilities = model.probabilities(dense_features(tokens, analysis), names)
            label = LABELS[max(range(3), key=probabilities.__getitem__)]
            return Classification(label, round(probabilities[0] - probabilities[2], 4), language)
    score = round(analysis.score, 4)
    return Classification(label_for(score), score, language)
