"""The X emulator's state: users, tokens, posts (tweets) with their conversations and edits, uploads.

Ids are snowflakes (time-ordered 64-bit integers sent as strings), so ``since_id`` and paging by id
behave as on X. Simplifications, on purpose: no follows, likes or protected accounts; every post is
public; a post "mentions" a user when its text has ``@username`` or it replies to one of the user's
posts (X adds the leading @mentions of a reply to its text, and so does ``post`` here).
"""
from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

_EPOCH_MS = 1288834974657  # X's snowflake epoch
_MENTION = re.compile(r"(?<![\w@])@(\w{1,15})", re.UNICODE)
_TAG = re.compile(r"(?<![\w#])#(\w+)", re.UNICODE)
_LEADING = re.compile(r"^(?:@\w{1,15}\s+)+", re.UNICODE)
_LINK = re.compile(r"https?://[^\s<>\"]+")


@dataclass
class User:
    id: str
    username: str
    name: str
    followers: int = 0
    following: int = 0
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    description: str = ""


@dataclass
class Token:
    value: str
    #: "user" (OAuth 2.0 user token, or an OAuth 1.0a access token) or "app" (app-only bearer)
    kind: str
    user_id: str | None = None


@dataclass
class Media:
    id: str
    media_key: str
    owner_id: str
    type: str
    content_type: str
    size: int
    url: str


@dataclass
class Tweet:
    id: str
    text: str
    author_id: str
    created_at: datetime
    conversation_id: str
    in_reply_to_user_id: str | None = None
    replied_to: str | None = None
    edit_history: list[str] = field(default_factory=list)
    lang: str = "und"
    media_keys: list[str] = field(default_factory=list)
    deleted: bool = False
    via_api: bool = False
    like_count: int = 0
    #: Control-injected payload sent verbatim (to test clients against malformed posts).
    raw: dict[str, Any] | None = None
    raw_mention_of: str | None = None

    @property
    def replaced(self) -> bool:
        """An older version of an edited post (X keeps serving only the newest in timelines)."""
        return bool(self.edit_history) and self.edit_history[-1] != self.id

    def mentions(self) -> list[str]:
        return [m.lower() for m in _MENTION.findall(self.text)]

    def hashtags(self) -> list[str]:
        return _TAG.findall(self.text)

    def links(self) -> list[str]:
        return _LINK.findall(self.text)


class World:
    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        """Forget everything (the control API's reset)."""
        self.users: dict[str, User] = {}
        self.tokens: dict[str, Token] = {}
        self.revoked: set[str] = set()
        self.tweets: dict[str, Tweet] = {}
        self.media: dict[str, Media] = {}
        self.sent: list[dict[str, Any]] = []
        self._seq = itertools.count()
        self._last_id = 0

    # ids and users ------------------------------------------------------------------------------------

    def new_id(self) -> str:
        ms = int(time.time() * 1000) - _EPOCH_MS
        candidate = (ms << 22) | (next(self._seq) & 0xFFF)
        self._last_id = max(candidate, self._last_id + 1)
        return str(self._last_id)

    def id_at(self, moment: datetime) -> str:
        """An id that sorts where a post made at ``moment`` would (for back-dated injected posts)."""
        ms = int(moment.timestamp() * 1000) - _EPOCH_MS
        value = (max(ms, 0) << 22) | (next(self._seq) & 0xFFF)
        while str(value) in self.tweets:
            value += 1
        return str(value)

    def add_user(self, username: str, name: str | None = None, *, user_id: str | None = None,
                 followers: int = 0) -> User:
        existing = self.by_username(username)
        if existing is not None:
            return existing
        user = User(id=user_id or self.new_id(), username=username, name=name or username, followers=followers)
        self.users[user.id] = user
        return user

    def by_username(self, username: str) -> User | None:
        wanted = username.lstrip("@").lower()
        return next((u for u in self.users.values() if u.username.lower() == wanted), None)

    def add_token(self, value: str, kind: str, user_id: str | None) -> Token:
        self.tokens[value] = Token(value, kind, user_id)
        self.revoked.discard(value)
        return self.tokens[value]

    # posts --------------------------------------------------------------------------------------------

    def post(self, author: User, text: str, *, in_reply_to: Tweet | None = None, lang: str = "und",
             media_keys: list[str] | None = None, created_at: datetime | None = None,
             via_api: bool = False) -> Tweet:
        if in_reply_to is not None:
            text = self.reply_text(in_reply_to, author, text)
        moment = created_at or datetime.now(UTC)
        tweet_id = self.id_at(moment) if created_at else self.new_id()
        tweet = Tweet(id=tweet_id, text=text, author_id=author.id, created_at=moment,
                      conversation_id=in_reply_to.conversation_id if in_reply_to else tweet_id,
                      in_reply_to_user_id=in_reply_to.author_id if in_reply_to else None,
                      replied_to=in_reply_to.id if in_reply_to else None, edit_history=[tweet_id], lang=lang,
                      media_keys=list(media_keys or []), via_api=via_api)
        self.tweets[tweet.id] = tweet
        return tweet

    def reply_text(self, parent: Tweet, author: User, text: str) -> str:
        """A reply's text as X stores it: the replied-to author and the people they addressed come first."""
        replied = self.users.get(parent.author_id)
        handles = [replied.username] if replied else []
        leading = _LEADING.match(parent.text)
        handles += _MENTION.findall(leading.group(0)) if leading else []
        present = {m.lower() for m in _MENTION.findall(text)}
        prefix = [f"@{h}" for h in dict.fromkeys(handles) if h.lower() != author.username.lower()
                  and h.lower() not in present]
        return " ".join([*prefix, text])

    def edit(self, tweet: Tweet, text: str) -> Tweet:
        """A new version with a new id; every version shares the history list, as X reports it."""
        new = Tweet(id=self.new_id(), text=text, author_id=tweet.author_id, created_at=datetime.now(UTC),
                    conversation_id=tweet.conversation_id, in_reply_to_user_id=tweet.in_reply_to_user_id,
                    replied_to=tweet.replied_to, edit_history=tweet.edit_history, lang=tweet.lang,
                    media_keys=tweet.media_keys)
        tweet.edit_history.append(new.id)
        self.tweets[new.id] = new
        return new

    def visible(self) -> list[Tweet]:
        """Live posts, newest first (raw injected payloads included)."""
        return sorted((t for t in self.tweets.values() if not t.deleted and not t.replaced),
                      key=lambda t: int(t.id), reverse=True)

    def mentions_of(self, user: User) -> list[Tweet]:
        name = user.username.lower()
        return [t for t in self.visible()
                if (t.raw is not None and t.raw_mention_of == user.id)
                or (t.raw is None and t.author_id != user.id
                    and (name in t.mentions() or t.in_reply_to_user_id == user.id))]

    def tweets_of(self, user: User) -> list[Tweet]:
        return [t for t in self.visible() if t.raw is None and t.author_id == user.id]

    def duplicate_of(self, author: User, text: str, within_s: float = 86400) -> Tweet | None:
        cutoff = time.time() - within_s
        wanted = " ".join(text.split())
        return next((t for t in self.visible() if t.raw is None and t.author_id == author.id
                     and t.created_at.timestamp() >= cutoff and " ".join(t.text.split()) == wanted), None)

    def add_media(self, owner: User, content_type: str, size: int) -> Media:
        media_id = self.new_id()
        kind = "animated_gif" if content_type == "image/gif" else "photo"
        media = Media(id=media_id, media_key=f"3_{media_id}", owner_id=owner.id, type=kind,
                      content_type=content_type, size=size,
                      url=f"https://pbs.twimg.com/media/emu{media_id}.{content_type.split('/')[-1]}")
        self.media[media_id] = media
        return media

    def media_by_key(self, key: str) -> Media | None:
        return next((m for m in self.media.values() if m.media_key == key), None)
