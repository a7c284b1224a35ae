"""The trained linear model on top of the lexicon: one multinomial logistic regression per language over
features.py's features, applied in pure Python.

File format (``data/model-<language>.bin``, written by scripts/sentiment/train_model.py): one zlib
stream holding a JSON header line (labels, dense feature names, their weights, intercepts, hash bits, the
int16 scale, provenance) followed by the hashed weights as little-endian int16, ``2**bits`` rows of one
weight per label. Quantising to int16 keeps the file small: each weight is off by at most half a step
(2.3e-5 for the English model), so a text's logits move by about 1e-4 (at most 1e-3 for 40 features),
below the 4-decimal rounding of most scores.
"""
from __future__ import annotations

import json
import math
import sys
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from .features import DENSE, bucket

LABELS = ("positive", "neutral", "negative")
ROW_CACHE_SIZE = 200_000


@dataclass(frozen=True)
class Model:
    """Weights of one language's model; ``probabilities`` is all the classifier needs."""

    language: str
    bits: int
    intercept: tuple[float, float, float]
    dense: tuple[tuple[float, float, float], ...]  # per DENSE feature
    hashed: array  # int16, 3 per bucket
    scale: float
    info: dict
    # feature name -> its three weights, so a frequent word is hashed once; cleared when full
    _rows: dict[str, tuple[int, int, int]] = field(default_factory=dict, repr=False, compare=False)

    def probabilities(self, dense: Sequence[float], names: Sequence[str]) -> tuple[float, float, float]:
        """P(positive), P(neutral), P(negative) for a text's features."""
        pos, neu, neg = self.intercept
        for value, (wp, wu, wn) in zip(dense, self.dense):
            if value:
                pos += value * wp
                neu += value * wu
                neg += value * wn
        hp = hu = hn = 0
        rows = self._rows
        for name in names:
            row = rows.get(name)
            if row is None:
                row = self._row(name)
            hp += row[0]
            hu += row[1]
            hn += row[2]
        scale = self.scale
        pos += hp * scale
        neu += hu * scale
        neg += hn * scale
        top = max(pos, neu, neg)
        ep, eu, en = math.exp(pos - top), math.exp(neu - top), math.exp(neg - top)
        total = ep + eu + en
        return ep / total, eu / total, en / total


    def _row(self, name: str) -> tuple[int, int, int]:
        i = 3 * bucket(name, self.bits)
        row = (self.hashed[i], self.hashed[i + 1], self.hashed[i + 2])
        if len(self._rows) >= ROW_CACHE_SIZE:
            self._rows.clear()
        self._rows[name] = row
        return row


def decode(blob: bytes, language: str) -> Model:
    import zlib

    data = zlib.decompress(blob)
    newline = data.index(b"\n")
    header = json.loads(data[:newline])
    if tuple(header["labels"]) != LABELS or tuple(header["dense_names"]) != DENSE:
        raise ValueError(f"model-{language}.bin was trained on other features; retrain it")
    hashed = array("h")
    hashed.frombytes(data[newline + 1:])
    if sys.byteorder != "little":
        hashed.byteswap()
    if len(hashed) != 3 << header["bits"]:
        raise ValueError(f"model-{language}.bin is truncated")
    return Model(language, header["bits"], tuple(header["intercept"]),
                 tuple(tuple(row) for row in header["dense"]), hashed, header["scale"], header.get("info", {}))


def encode(header: dict, hashed: array) -> bytes:
    """The file for a model (used by the training script)."""
    import zlib

    weights = array("h", hashed)
    if sys.byteorder != "little":
        weights.byteswap()
    payload = json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n" + weights.tobytes()
    return zlib.compress(payload, 9)


@cache
def model_for(language: str) -> Model | None:
    """The packaged model for "ru" or "en", or None when there is none (the lexicon then decides)."""
    path = resources.files(__package__).joinpath(f"data/model-{language}.bin")
    if not path.is_file():
        return None
    return decode(path.read_bytes(), language)
