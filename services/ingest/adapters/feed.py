"""Ingest's view of the accounts and brand rules, kept current by tailing the log.

Every replica reads the whole ``CHORUS_ACCOUNTS`` stream and the ``brand_rules.changed`` events of
``CHORUS_INBOX`` into an in-memory ``AccountBook`` at start, then follows them. Both are small (a few
events per account and per rules change), so replaying them is cheaper than keeping a database and can
never disagree with the log. Each stream is read through an ephemeral consumer (no acks) created at the
next sequence wanted; after a connection loss the consumer is created again from there.

``ready`` turns true once both streams were read to their end, so nothing starts an account's readers
with half a view (say, before the brand keywords are known).
"""
from __future__ import annotations

import asyncio
import logging

import nats.errors
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from chorus.events import BrandRulesChanged, DecodeError, decode
from chorus.events.streams import ACCOUNTS, INBOX
from chorus.ingest.domain import AccountBook

log = logging.getLogger(__name__)

SOURCES = ((ACCOUNTS.name, f"{ACCOUNTS.subject_prefix}.>"), (INBOX.name, BrandRulesChanged.subject()))


class AccountFeed:
    """A component (see ``chorus.backbone.component``) that keeps ``book`` current; ``changed`` is set on news."""

    name = "ingest-accounts"

    def __init__(self, js: JetStreamContext, book: AccountBook | None = None, *, fetch_timeout_s: float = 1.0) -> None:
        self.js = js
        self.book = book or AccountBook()
        self.changed = asyncio.Event()
        self.undecodable = 0
        self._timeout = fetch_timeout_s
        self._caught_up: set[str] = set()
        self._next: dict[str, int] = {name: 1 for name, _ in SOURCES}

    @property
    def ready(self) -> bool:
        return len(self._caught_up) == len(SOURCES)

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.gather(*(self._follow(stream, subject, stop) for stream, subject in SOURCES))

    async def catch_up(self) -> AccountBook:
        """Read both streams to their current end once (for commands that need the view, not its updates)."""
        never = asyncio.Event()
        await asyncio.gather(*(self._follow(stream, subject, never, until_caught_up=True) for stream, subject in SOURCES))
        return self.book

    async def _follow(self, stream: str, subject: str, stop: asyncio.Event, *, until_caught_up: bool = False) -> None:
        while not stop.is_set():
            sub = None
            try:
                sub = await self.js.pull_subscribe(subject, stream=stream, config=ConsumerConfig(
                    deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=self._next[stream],
                    ack_policy=AckPolicy.NONE, inactive_threshold=30.0))
                while not stop.is_set():
                    try:
                        msgs = await sub.fetch(256, timeout=self._timeout)
                    except (nats.errors.TimeoutError, TimeoutError):
                        msgs = []
                    if not msgs:
                        self._caught_up.add(stream)
                        if until_caught_up:
                            return
                        continue
                    for msg in msgs:
                        self._apply(msg.data, msg.subject)
                        self._next[stream] = msg.metadata.sequence.stream + 1
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # connection loss, server restart: follow again from where we were
                if until_caught_up:
                    raise
                log.warning("ingest: reading %s interrupted (%s: %s); resuming", stream, type(exc).__name__, exc)
                await _sleep(stop, 1.0)
            finally:
                if sub is not None:
                    try:
                        await sub.unsubscribe()
                    except Exception as exc:  # noqa: BLE001 - the consumer goes away on its own when inactive
                        log.debug("ingest: leaving %s: %s", stream, exc)

    def _apply(self, data: bytes, subject: str) -> None:
        try:
            event = decode(data, subject)
        except DecodeError as exc:
            # Another service's event this code cannot read: the owner's consumers dead-letter it; here it
            # is counted and skipped, since no account can be read from it anyway.
            self.undecodable += 1
            log.error("ingest: cannot read %s (%s)", subject, exc)
            return
        if self.book.apply(event):
            self.changed.set()


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass
