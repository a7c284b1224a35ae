"""How long a reply or a post may be on each network, measured the way the network measures it.

The inbox refuses an over-long text before anything is sent, naming the limit; the publisher may check
again. The figures are the networks' documented limits:

- VK: ``wall.createComment`` and ``wall.post`` accept up to 16,384 characters (longer text is refused
  with error 100 "message is too long"); ``messages.send`` up to 4,096 (error 914 "Message is too long").
- X: 280 *weighted* characters per post or reply (twitter-text v3 configuration, ``maxWeightedTweetLength``
  280, ``scale`` 100): code points in the ranges U+0000-U+10FF, U+2000-U+200D, U+2010-U+201F and
  U+2032-U+2037 weigh 1, every other code point (Cyrillic does *not*: U+0400-U+04FF is in the first range;
  CJK, emoji do) weighs 2, and every URL weighs 23 whatever its length (``transformedURLLength``).
- Telegram Bot API: a message's text is 1-4,096 characters after entity parsing; a media caption is
  0-1,024 characters.
- Facebook Graph API: a Page post's ``message`` up to 63,206 characters; a comment up to 8,000.

Lengths are counted in Unicode code points (Python's ``len``), which is what VK, Telegram and Facebook
count for the texts Chorus sends (plain text, no markup entities).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from chorus.events.values import Network


class TextKind(StrEnum):
    COMMENT = "comment"  # a public reply in a comment thread (or to a mention)
    MESSAGE = "message"  # a private message in a dialogue
    POST = "post"        # a post's text
    CAPTION = "caption"  # a post's text when it carries media (where the network limits captions apart)


@dataclass(frozen=True)
class Limit:
    network: Network
    kind: TextKind
    maximum: int
    #: ``weighted``: X's weighted count (URLs 23, wide characters 2); ``chars``: code points.
    counting: str = "chars"


_LIMITS: dict[tuple[Network, TextKind], Limit] = {
    (l.network, l.kind): l for l in (
        Limit(Network.VK, TextKind.COMMENT, 16384),
        Limit(Network.VK, TextKind.MESSAGE, 4096),
        Limit(Network.VK, TextKind.POST, 16384),
        Limit(Network.VK, TextKind.CAPTION, 16384),
        Limit(Network.X, TextKind.COMMENT, 280, "weighted"),
        Limit(Network.X, TextKind.MESSAGE, 10000),  # X direct messages: 10,000 characters
        Limit(Network.X, TextKind.POST, 280, "weighted"),
        Limit(Network.X, TextKind.CAPTION, 280, "weighted"),
        Limit(Network.TELEGRAM, TextKind.COMMENT, 4096),
        Limit(Network.TELEGRAM, TextKind.MESSAGE, 4096),
        Limit(Network.TELEGRAM, TextKind.POST, 4096),
        Limit(Network.TELEGRAM, TextKind.CAPTION, 1024),
        Limit(Network.FACEBOOK, TextKind.COMMENT, 8000),
        Limit(Network.FACEBOOK, TextKind.MESSAGE, 2000),  # Messenger Send API: text up to 2,000 characters
        Limit(Network.FACEBOOK, TextKind.POST, 63206),
        Limit(Network.FACEBOOK, TextKind.CAPTION, 63206),
    )
}

#: twitter-text's URL weight: every link counts as this many characters, whatever its length.
X_URL_WEIGHT = 23
_URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"']+|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|ru|рф|org|net|io|me|co|info|su|app|dev)\b(?:/[^\s<>\"']*)?")
_LIGHT = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))


def limit_for(network: Network | str, kind: TextKind | str) -> Limit:
    """The limit for a network and a kind of text. Raises ``KeyError`` for an unknown pair."""
    return _LIMITS[(Network(network), TextKind(kind))]


def _weight(char: str) -> int:
    code = ord(char)
    return 1 if any(lo <= code <= hi for lo, hi in _LIGHT) else 2


def x_weighted_length(text: str) -> int:
    """A text's length as X counts it (twitter-text v3): URLs 23 each, wide characters 2, others 1."""
    total, last = 0, 0
    for match in _URL.finditer(text):
        total += sum(_weight(c) for c in text[last:match.start()]) + X_URL_WEIGHT
        last = match.end()
    return total + sum(_weight(c) for c in text[last:])


def measure(text: str, limit: Limit) -> int:
    """The length of ``text`` in the unit ``limit`` is expressed in."""
    return x_weighted_length(text) if limit.counting == "weighted" else len(text)


def check(text: str, network: Network | str, kind: TextKind | str) -> tuple[int, Limit]:
    """Measure ``text`` for a network; returns (length, limit). The caller refuses when length > maximum."""
    limit = limit_for(network, kind)
    return measure(text, limit), limit
