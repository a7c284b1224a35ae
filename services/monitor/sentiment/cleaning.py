"""Turns raw social text into plain text the classifier can read in bounded time.

Simplifications, chosen on purpose:
- Work is bounded by length, not by content: at most ``MAX_RAW_CHARS`` of the input are read, and after
  markup is removed at most ``MAX_TEXT_CHARS`` are classified (the head of the text, cut at a space).
  Social messages are far shorter; for a long post the opening carries the author's stance often enough,
  and a 100,000-character paste must not cost a worker more than a short text does.
- HTML is handled by patterns, not a parser: tags, comments and ``<script>``/``<style>`` bodies are
  removed and entities decoded. That is enough for markup in comments and e-mails; malformed markup
  degrades into a few stray characters, never into an error.
"""
from __future__ import annotations

import html
import re
import unicodedata

MAX_RAW_CHARS = 20_000
MAX_TEXT_CHARS = 2_000

_SCRIPT_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_BREAK_TAG = re.compile(r"<\s*(br|/p|p|/div|div|li|/li|tr|/tr|h[1-6]|/h[1-6])\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,500}>")
# Zero-width and bidi controls hide inside words ("су\u200bпер") and would split them; the joiner U+200D
# is kept because it glues multi-part emoji together.
_INVISIBLE = dict.fromkeys(
    [0x00AD, 0x200B, 0x200C, 0x200E, 0x200F, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF,
     0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x180E]
)
_SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    """Plain, NFC-normalised text without markup or invisible characters, at most MAX_TEXT_CHARS long."""
    if not text:
        return ""
    raw = text[:MAX_RAW_CHARS]
    if "<" in raw:
        raw = _SCRIPT_STYLE.sub(" ", raw)
        raw = _COMMENT.sub(" ", raw)
        raw = _BREAK_TAG.sub(". ", raw)
        raw = _TAG.sub(" ", raw)
    if "&" in raw:
        raw = html.unescape(raw)
    raw = raw.translate(_INVISIBLE)
    if not raw.isascii():
        raw = unicodedata.normalize("NFC", raw)
    raw = _SPACES.sub(" ", raw).strip()
    if len(raw) > MAX_TEXT_CHARS:
        cut = raw.rfind(" ", MAX_TEXT_CHARS // 2, MAX_TEXT_CHARS)
        raw = raw[: cut if cut > 0 else MAX_TEXT_CHARS]
    return raw
