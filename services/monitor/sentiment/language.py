"""Tells which language a short social text is written in, from the tokens the classifier already has.

Evidence, cheapest first: the script of each word (weighted by its length, hashtags at half weight); then,
inside Cyrillic, letters that Russian lacks (і ї є ґ ў ә қ ј ...) or that only Russian and Belarusian use
(ы э ё), Bulgarian "ъ" before a consonant, marker words (``data/language_markers.txt``) and a few
endings; inside the Latin script, diacritics, marker words and English letter patterns.

Simplifications, chosen on purpose:
- The script with most letters decides the branch, so a Russian comment with a brand name in Latin stays
  Russian, and an English tweet with one Russian word stays English.
- A Cyrillic text with no evidence at all ("Класс!", "Ок") is Russian: most of our users write Russian,
  and Ukrainian, Belarusian, Kazakh or Serbian text of more than a word or two nearly always shows a
  letter or word of its own. A Latin text with no evidence is English for the same reason.
- Codes other than "ru" and "en" are best effort (Ukrainian vs Belarusian on two words may tie); the
  classifier only needs to know that a text is *not* one it supports.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

from .tokens import WORD, Token

UNKNOWN = "unknown"
OTHER = "other"

# Letters Russian lacks, with the languages each one points to.
_FOREIGN_CYRILLIC = {
    "і": ("uk", "be", "kk"), "ї": ("uk",), "є": ("uk",), "ґ": ("uk",), "ў": ("be",),
    "ә": ("kk",), "ғ": ("kk", "tg"), "қ": ("kk", "tg"), "ң": ("kk", "ky"), "ө": ("kk", "ky", "mn"),
    "ұ": ("kk",), "ү": ("kk", "ky", "mn"), "һ": ("kk",), "ђ": ("sr",), "ћ": ("sr",), "џ": ("sr",),
    "ј": ("sr", "mk"), "љ": ("sr", "mk"), "њ": ("sr", "mk"), "ѓ": ("mk",), "ќ": ("mk",), "ѕ": ("mk",),
    "ӣ": ("tg",), "ӯ": ("tg",), "ҳ": ("tg",), "ҷ": ("tg",),
}
_RUSSIAN_LETTERS = frozenset("ыэё")
_CYRILLIC_VOWELS = frozenset("аеёиоуыэюяіїєў")
_LATIN_DIACRITICS = {
    "de": "äöüß", "fr": "èêëàâçîïôûùœ", "es": "ñ¿¡", "pl": "ąęłśźżćń", "cs": "čřěůťďň", "sk": "ľĺŕô",
    "tr": "ğşı", "pt": "ãõ", "da": "åæø", "ro": "ășțş", "hu": "őű", "it": "ìò", "vi": "đươạảấầẩẫậắằẳẵặ",
}
_LATIN_BY_CHAR = {ch: code for code, chars in _LATIN_DIACRITICS.items() for ch in chars}
_ENGLISH_HINTS = ("th", "wh", "ing", "ght", "'s", "n't", "ck", "ea", "ou", "ly")
# Blocks of scripts other than Cyrillic and Latin, first code point to language code.
_OTHER_SCRIPTS = (
    (0x0370, 0x03FF, "el"), (0x0530, 0x058F, "hy"), (0x0590, 0x05FF, "he"), (0x0600, 0x06FF, "ar"),
    (0x0900, 0x097F, "hi"), (0x0E00, 0x0E7F, "th"), (0x10A0, 0x10FF, "ka"), (0x1100, 0x11FF, "ko"),
    (0x3040, 0x30FF, "ja"), (0x4E00, 0x9FFF, "zh"), (0xAC00, 0xD7AF, "ko"),
)


@lru_cache(maxsize=1)
def _markers() -> dict[str, frozenset[str]]:
    text = resources.files(__package__).joinpath("data/language_markers.txt").read_text(encoding="utf-8")
    markers = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, words = line.split(":", 1)
            markers[code.strip()] = frozenset(words.split())
    return markers


def script_of(char: str) -> str:
    """"cyrillic", "latin" or a language code for a letter of another script."""
    code = ord(char)
    if 0x0400 <= code <= 0x052F:
        return "cyrillic"
    if code < 0x0250:
        return "latin"
    for first, last, language in _OTHER_SCRIPTS:
        if first <= code <= last:
            return language
    return OTHER


def detect(tokens: Sequence[Token]) -> str:
    """ISO 639-1 code of the dominant language, "other" when unidentifiable, "unknown" with no words."""
    weights: Counter[str] = Counter()
    by_script: dict[str, list[Token]] = {}
    for token in tokens:
        if token.kind != WORD:
            continue
        script = script_of(token.norm[0])
        weights[script] += len(token.norm) * (0.5 if token.hashtag else 1.0)
        by_script.setdefault(script, []).append(token)
    if not weights:
        return UNKNOWN
    order = {"cyrillic": 2, "latin": 1}
    script = max(weights, key=lambda s: (weights[s], order.get(s, 0)))
    if script == "cyrillic":
        return _cyrillic(by_script[script])
    if script == "latin":
        return _latin(by_script[script])
    return script


def _cyrillic(words: list[Token]) -> str:
    markers = _markers()
    scores: Counter[str] = Counter()
    for token in words:
        word = token.text.lower()
        foreign = [ch for ch in word if ch in _FOREIGN_CYRILLIC]
        if foreign:
            for ch in set(foreign):
                for code in _FOREIGN_CYRILLIC[ch]:
                    scores[code] += 2.0 / len(_FOREIGN_CYRILLIC[ch])
            continue
        if _RUSSIAN_LETTERS.intersection(word):
            scores["ru"] += 1.0
            scores["be"] += 0.3
        hard = word.find("ъ")
        if 0 <= hard < len(word) - 1 and word[hard + 1] not in _CYRILLIC_VOWELS:
            scores["bg"] += 1.5
        if token.hashtag:
            continue
        for code in ("ru", "uk", "bg", "sr", "be", "kk"):
            if token.norm in markers[code]:
                scores[code] += 1.0
        if word.endswith(("ение", "ание", "ость", "ться")):
            scores["ru"] += 0.5
        elif word.endswith("ння"):
            scores["uk"] += 1.0
    if not scores:
        return "ru"
    best = max(scores, key=lambda code: (scores[code], code == "ru"))
    return "ru" if scores["ru"] >= scores[best] else best


def _latin(words: list[Token]) -> str:
    markers = _markers()
    scores: Counter[str] = Counter()
    for token in words:
        word = token.norm
        if not word.isascii():
            codes = {_LATIN_BY_CHAR[ch] for ch in word if ch in _LATIN_BY_CHAR}
            for code in codes:
                scores[code] += 1.0 / len(codes)
            if codes:
                continue
        if token.hashtag:
            continue
        for code, words_of in markers.items():
            if word in words_of and code not in ("ru", "uk", "bg", "sr", "be", "kk"):
                scores[code] += 1.0
        if word not in markers["en"] and any(hint in word for hint in _ENGLISH_HINTS):
            scores["en"] += 0.3
    if not scores:
        return "en"
    best = max(scores, key=lambda code: (scores[code], code == "en"))
    if scores["en"] >= scores[best]:
        return "en"
    return OTHER if best == "translit-ru" else best
