"""A subset of X's search query language, enough for brand monitoring, with X's errors for the rest.

Supported: keywords (case-insensitive, whole words, ``#`` and ``@`` prefixes ignored), ``"exact phrases"``,
implicit AND, ``OR``, ``-`` negation, parentheses, ``@username``, ``#hashtag``, ``from:``, ``to:``,
``lang:``, ``is:retweet`` / ``is:reply`` / ``is:quote``, ``has:links`` / ``has:media`` / ``has:mentions``.
Any other ``operator:`` is a 400, as on X for an operator the access level lacks.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from chorus.emulators.x.world import Tweet, World

MAX_LENGTH = 512
_TOKEN = re.compile(r'\s*(\(|\)|-?"[^"]*"|-?[^\s()"]+)')
_WORD = re.compile(r"[\w']+", re.UNICODE)

Matcher = Callable[[Tweet], bool]


class QueryError(ValueError):
    pass


@dataclass
class _Parser:
    tokens: list[str]
    world: World
    pos: int = 0

    def parse(self) -> Matcher:
        matcher = self._or()
        if self.pos != len(self.tokens):
            raise QueryError(f"There is a mismatched parenthesis or an unexpected '{self.tokens[self.pos]}'")
        return matcher

    def _or(self) -> Matcher:
        parts = [self._and()]
        while self._peek() == "OR":
            self.pos += 1
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else (lambda t: any(p(t) for p in parts))

    def _and(self) -> Matcher:
        parts: list[Matcher] = []
        while self._peek() not in (None, ")", "OR"):
            parts.append(self._unary())
        if not parts:
            raise QueryError("Expected a search term")
        if all(getattr(p, "negated", False) for p in parts):
            raise QueryError("Rules must contain a non-negation term")
        return lambda t: all(p(t) for p in parts)

    def _unary(self) -> Matcher:
        token = self.tokens[self.pos]
        if token.startswith("-") and len(token) > 1:
            self.tokens[self.pos] = token[1:]
            inner = self._atom()

            def negated(t: Tweet) -> bool:
                return not inner(t)

            negated.negated = True  # type: ignore[attr-defined]
            return negated
        return self._atom()

    def _atom(self) -> Matcher:
        token = self.tokens[self.pos]
        self.pos += 1
        if token == "(":
            inner = self._or()
            if self._peek() != ")":
                raise QueryError("There is a mismatched parenthesis")
            self.pos += 1
            return inner
        if token == ")":
            raise QueryError("There is a mismatched parenthesis")
        if token.startswith('"'):
            words = _words(token.strip('"'))
            return lambda t: _contains(_words(t.text), words)
        if token.startswith("@") and len(token) > 1:
            name = token[1:].lower()
            return lambda t: name in t.mentions()
        if token.startswith("#") and len(token) > 1:
            tag = token[1:].casefold()
            return lambda t: tag in (h.casefold() for h in t.hashtags())
        if ":" in token and not token.startswith(("http:", "https:")):
            return self._operator(*token.split(":", 1))
        words = _words(token)
        if not words:
            raise QueryError(f"'{token}' is not a valid search term")
        return lambda t: _contains(_words(t.text), words)

    def _operator(self, name: str, value: str) -> Matcher:
        world = self.world
        if name == "from":
            return lambda t: (world.users.get(t.author_id) is not None
                              and world.users[t.author_id].username.lower() == value.lstrip("@").lower())
        if name == "to":
            return lambda t: (t.in_reply_to_user_id in world.users
                              and world.users[t.in_reply_to_user_id].username.lower() == value.lstrip("@").lower())
        if name == "lang":
            return lambda t: t.lang == value
        if name == "is" and value in ("retweet", "quote"):
            return lambda t: False  # the emulator has no retweets or quotes
        if name == "is" and value == "reply":
            return lambda t: t.replied_to is not None
        if name == "has" and value == "links":
            return lambda t: bool(t.links())
        if name == "has" and value == "media":
            return lambda t: bool(t.media_keys)
        if name == "has" and value == "mentions":
            return lambda t: bool(t.mentions())
        raise QueryError(f"Reference to invalid operator '{name}:{value}'. Operator is not available in current "
                         "product or product packaging")

    def _peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None


def compile_query(query: str, world: World) -> Matcher:
    """A predicate for posts matching ``query``; ``QueryError`` (X's 400) when it is not valid."""
    if not query.strip():
        raise QueryError("The `query` query parameter can not be empty")
    if len(query) > MAX_LENGTH:
        raise QueryError(f"The `query` query parameter value [{query[:20]}...] is too long ({len(query)} > "
                         f"{MAX_LENGTH})")
    tokens, rest = [], query
    while rest.strip():
        match = _TOKEN.match(rest)
        if not match:
            raise QueryError("There is an unmatched quote in the query")
        tokens.append(match.group(1))
        rest = rest[match.end():]
    matcher = _Parser(tokens, world).parse()
    return lambda t: t.raw is None and matcher(t)


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def _contains(words: list[str], wanted: list[str]) -> bool:
    if not wanted:
        return False
    n = len(wanted)
    return any(words[i:i + n] == wanted for i in range(len(words) - n + 1))
