"""The shape every network adapter has, so ingest and the publisher treat all networks alike.

An ``AccountClient`` is built from one account's ``Credentials`` and the ``Endpoints`` to reach the
networks (the real APIs by default; a local emulator or proxy when configured). Reading is done by
``Reader`` objects, one per source of the account (long poll, mentions, search, feed, ...): each
``poll(cursor)`` returns the events it read and the cursor to persist once those events are stored.
Writing methods take an idempotency key and either return what was created or raise one of the
``chorus.networks.errors`` outcomes. Methods are async; adapters over blocking libraries run them in
a worker thread.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from chorus.backbone.settings import ConfigError
from chorus.events import Event
from chorus.events.values import Network


@dataclass(frozen=True)
class Endpoints:
    """Where each network's API is. ``None`` means the real one; a URL points the real client library at it."""

    vk: str | None = None
    x: str | None = None
    telegram: str | None = None
    facebook: str | None = None
    facebook_version: str = "v21.0"

    def for_network(self, network: Network) -> str | None:
        return getattr(self, network.value)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Endpoints:
        """``CHORUS_<NETWORK>_API_URL`` (VK, X, TELEGRAM, FACEBOOK) and ``CHORUS_FACEBOOK_API_VERSION``."""
        def url(name: str) -> str | None:
            value = env.get(f"CHORUS_{name}_API_URL", "").strip()
            if value and not value.startswith(("http://", "https://")):
                raise ConfigError(f"CHORUS_{name}_API_URL", f"{value!r} is not an http(s) URL",
                                  "set it to the base URL, e.g. http://127.0.0.1:8900, or unset it")
            return value.rstrip("/") or None

        return cls(vk=url("VK"), x=url("X"), telegram=url("TELEGRAM"), facebook=url("FACEBOOK"),
                   facebook_version=env.get("CHORUS_FACEBOOK_API_VERSION", "").strip() or "v21.0")


@dataclass(frozen=True)
class AccountProfile:
    """What a token verification tells about the account."""

    network: Network
    external_id: str
    name: str
    handle: str | None
    url: str | None
    token_kinds: list[str]
    features: list[str]
    followers: int | None = None
    #: Settings learned while verifying (e.g. a Telegram channel's discussion group), stored with the
    #: credentials so readers built later need not verify again.
    settings: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Gap:
    """A period a reader could not see (history lost, outage longer than the API lets one page back)."""

    source: str
    gap_from: datetime
    gap_to: datetime
    reason: str


@dataclass
class Batch:
    events: list[Event] = field(default_factory=list)
    #: Opaque; persist it only after ``events`` are acknowledged by JetStream. ``None``: unchanged.
    cursor: str | None = None
    gap: Gap | None = None
    #: Raw payloads that could not be mapped: ingest keeps them as dead letters and counts them.
    rejected: list[dict[str, Any]] = field(default_factory=list)


class Reader(Protocol):
    source: str

    async def poll(self, cursor: str | None) -> Batch:
        """Read what arrived after ``cursor`` (may wait, e.g. a long poll). Raises ``NetworkError``s."""
        ...


@dataclass(frozen=True)
class Target:
    """What a reply answered, for reading it back: the comment (and its post) or the dialogue."""

    post_id: str | None = None
    comment_id: str | None = None
    dialogue_id: str | None = None


@dataclass(frozen=True)
class Sent:
    remote_id: str
    url: str | None = None
    published_at: datetime | None = None


@dataclass(frozen=True)
class Media:
    """An image to attach to a post, uploaded through the network's own upload flow."""

    name: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Stats:
    followers: int
    posts: int | None = None
    reach: int | None = None
    impressions: int | None = None
    engagements: int | None = None
    period_from: datetime | None = None
    period_to: datetime | None = None


class AccountClient(Protocol):
    network: Network
    account_id: str

    async def verify(self) -> AccountProfile: ...

    def readers(self, keywords: list[str]) -> list[Reader]: ...

    async def backfill(self, since: datetime) -> Batch: ...

    async def stats(self) -> Stats: ...

    async def reply_to_comment(self, post_id: str, comment_id: str | None, text: str, key: str) -> Sent: ...

    async def send_message(self, dialogue_id: str, text: str, key: str) -> Sent: ...

    async def publish_post(self, text: str, media: list[Media], publish_at: datetime | None, key: str) -> Sent: ...

    async def find_sent(self, key: str, text: str, since: datetime, target: Target | None = None) -> Sent | None:
        """Read-back for reconciliation: the post or reply Chorus sent with ``key``/``text``, if it exists.

        ``target`` says what a reply answered (``None`` for a post), so a process that did not send ``key``
        itself (after a restart) matches the reply in the right thread, not any post with the same text.
        """
        ...

    async def close(self) -> None: ...
