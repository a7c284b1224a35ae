"""Splits cleaned text into the tokens the classifier looks at: words, emoji, emoticons and clause marks.

URLs, e-mail addresses, @mentions and numbers are dropped: they carry no sentiment, and a link's letters
would otherwise count as English when the language is detected. A hashtag keeps its word ("#отстой"
counts as "отстой") but is marked, so it weighs less when the language is detected.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

WORD, EMOJI, EMOTICON, BRACKET, MARK = "word", "emoji", "emoticon", "bracket", "mark"

_EMOJI_CHAR = (
    "[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF\u2190-\u21FF"
    "\u3030\u303D\u3297\u3299\u203C\u2049\u2122\u2139\u00A9\u00AE]"
)
_EMOJI_TAIL = "[\uFE0F\uFE0E\U0001F3FB-\U0001F3FF\u20E3]*"
# Western emoticons; a lone ")" or "(" (the Russian smile) is a BRACKET token judged later, because it may
# also close or open a parenthesis.
_EMOTICON = (
    r"(?:(?<![^\W_])(?:[xX][Dd]+|D:|T_T)"
    r"|[:;=][-'^o]?[)(\]\[DPpc3*/\\|@]+|\):|\(:|<3+|</3|\^_?\.?\^|-_-|>:-?[()]|\\o/)"
)
_PATTERN = re.compile(
    r"(?P<url>(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.]+|\b[\w-]+\.(?:ru|com|рф|net|org|io|me|ly|su|by|kz|ua)\b(?:/\S*)?)"
    r"|(?P<mention>@\w+)"
    rf"|(?P<emoticon>{_EMOTICON}(?![^\W_]))"
    r"|(?P<hashtag>#[^\W\d_][\w'’-]*)"
    r"|(?P<word>[^\W\d_](?:[^\W_]|['’-](?=[^\W\d_]))*)"
    rf"|(?P<emoji>{_EMOJI_CHAR}{_EMOJI_TAIL}(?:\u200D{_EMOJI_CHAR}{_EMOJI_TAIL})*)"
    r"|(?P<bracket>\)+|\(+)"
    r"|(?P<mark>[!?]+|[.;…]+|,)",
)
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_ELONGATION = re.compile(r"(\w)\1{2,}")
# Latin and Cyrillic letters that look alike; spam and some keyboards mix them inside one word.
_TO_CYRILLIC = str.maketrans("aceopxykmthbABCEHKMOPTXY", "асеорхукмтнвАВСЕНКМОРТХУ")
_TO_LATIN = str.maketrans("асеорхукмтнвАВСЕНКМОРТХУ", "aceopxykmthbABCEHKMOPTXY")
_SKIN_AND_SELECTORS = dict.fromkeys([0xFE0F, 0xFE0E, 0x20E3, *range(0x1F3FB, 0x1F400)])


@dataclass(slots=True)
class Token:
    """One unit of text. ``norm`` is the lookup form: lower case, "ё" as "е", letter runs cut to two."""

    kind: str
    text: str
    norm: str
    caps: bool = False
    elongated: bool = False
    hashtag: bool = False

    def single(self) -> str:
        """The lookup form with letter runs cut to one letter ("ооочень" -> "очень")."""
        return _ELONGATION.sub(r"\1", self.text.lower().replace("ё", "е")) if self.elongated else self.norm


def tokenize(text: str) -> list[Token]:
    """Tokens of a cleaned text, in order."""
    tokens: list[Token] = []
    append = tokens.append
    for match in _PATTERN.finditer(text):
        kind = match.lastgroup
        value = match.group()
        if kind == "word" or kind == "hashtag":
            hashtag = kind == "hashtag"
            if hashtag:
                value = value[1:]
            if not value.isascii() and _ASCII_LETTER.search(value):
                value = _one_script(value)
            lower = value.lower()
            if "ё" in lower:
                lower = lower.replace("ё", "е")
            if "’" in lower:
                lower = lower.replace("’", "'")
            elongated = _ELONGATION.search(lower) is not None
            norm = _ELONGATION.sub(r"\1\1", lower) if elongated else lower
            append(Token(WORD, value, norm, len(value) > 1 and value.isupper(), elongated, hashtag))
        elif kind == "emoji":
            append(Token(EMOJI, value, value.translate(_SKIN_AND_SELECTORS).replace("\u200D", "")))
        elif kind == "emoticon":
            append(Token(EMOTICON, value, normalise_emoticon(value)))
        elif kind == "bracket":
            append(Token(BRACKET, value, value[:3]))
        elif kind == "mark":
            append(Token(MARK, value, value[0]))
    return tokens


def normalise_emoticon(value: str) -> str:
    """Emoticon lookup key: no nose ("-"), bracket runs cut to three (":-)))))" -> ":)))")."""
    key = value.replace("-", "") if len(value) > 2 and value not in ("-_-",) else value
    return re.sub(r"([()])\1{3,}", r"\1\1\1", key)


def _one_script(word: str) -> str:
    """The word in one script when it mixes look-alike Latin and Cyrillic letters ("спаcибо")."""
    cyrillic = sum(1 for ch in word if "\u0400" <= ch <= "\u04ff")
    if cyrillic == 0:
        return word
    latin = sum(1 for ch in word if ch.isascii() and ch.isalpha())
    if latin == 0:
        return word
    return word.translate(_TO_CYRILLIC if cyrillic >= latin else _TO_LATIN)
