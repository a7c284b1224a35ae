"""Fakes of ingest's ports, subclassing the real ones, for unit tests: no sockets, no files."""
from __future__ import annotations

import asyncio
import random
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

from chorus.backbone.store import Appended, EventStore
from chorus.events import Author, CommentReceived, Event, utcnow
from chorus.events.values import Network
from chorus.ingest.adapters.cursors import Checkpoint, CursorStore, Moved
from chorus.ingest.adapters.deadletters import DeadLetters
from chorus.ingest.adapters.status import StatusBoard
from chorus.ingest.config import Timing
from chorus.ingest.domain import AccountRecord
from chorus.ingest.reading import Deps
from chorus.networks.base import Batch
from chorus.networks.credentials import Credentials


class FakeStore(EventStore):
    def __init__(self) -> None:
        self.events: list[Event] = []

    async def append(self, event: Event) -> Appended:
        return (await self.append_many([event]))[0]

    async def append_many(self, events: Iterable[Event]) -> list[Appended]:
        results = []
        for event in events:
            duplicate = any(e.event_id == event.event_id for e in self.events)
            if not duplicate:
                self.events.append(event)
            results.append(Appended(event.stream.name, len(self.events), duplicate))
        return results


class FakeCursors(CursorStore):
    def __init__(self, store: FakeStore, checkpoint: Checkpoint | None = None) -> None:
        self.store = store
        self.checkpoint = checkpoint or Checkpoint()
        #: (cursor, number of events in the store when it was saved)
        self.saves: list[tuple[str | None, int]] = []
        self.moved_once = False
        self.backfills: dict[str, dict] = {}

    async def load(self, account_id: str, source: str) -> Checkpoint:
        return self.checkpoint

    async def save(self, account_id: str, source: str, cursor: str | None, polled_at: datetime,
                   revision: int) -> Checkpoint:
        if self.moved_once:
            self.moved_once = False
            self.checkpoint = replace(self.checkpoint, revision=revision + 10)
            raise Moved("written by another replica")
        if revision != self.checkpoint.revision:
            raise Moved("stale revision")
        self.saves.append((cursor, len(self.store.events)))
        self.checkpoint = Checkpoint(cursor, polled_at, revision + 1)
        return self.checkpoint

    async def backfill(self, account_id: str) -> dict[str, Any] | None:
        return self.backfills.get(account_id)

    async def mark_backfilled(self, account_id: str, record: dict[str, Any]) -> None:
        self.backfills[account_id] = record


class FakeBoard(StatusBoard):
    def __init__(self) -> None:
        self.sources: dict[tuple[str, str], dict] = {}
        self.history: list[str] = []
        self.accounts: dict[str, dict] = {}

    async def put_source(self, account_id: str, source: str, record: dict[str, Any]) -> None:
        self.sources[(account_id, source)] = dict(record)
        self.history.append(record["state"])

    async def get_source(self, account_id: str, source: str) -> dict[str, Any] | None:
        return self.sources.get((account_id, source))

    async def put_account(self, account_id: str, record: dict[str, Any]) -> None:
        self.accounts[account_id] = dict(record)


class FakeDeadLetters(DeadLetters):
    def __init__(self) -> None:
        self.kept: list[dict] = []

    async def keep(self, *, network: str, account_id: str, source: str, item: dict[str, Any]) -> bool:
        if item in self.kept:
            return False
        self.kept.append(item)
        return True


class ScriptedReader:
    """Answers each poll with the next scripted Batch (or raises the scripted error); then stops the loop."""

    def __init__(self, source: str, script: list[Batch | Exception], stop: asyncio.Event) -> None:
        self.source = source
        self.script = list(script)
        self.stop = stop
        self.cursors: list[str | None] = []
        self.times: list[float] = []

    async def poll(self, cursor: str | None) -> Batch:
        self.cursors.append(cursor)
        self.times.append(asyncio.get_running_loop().time())
        if not self.script:
            self.stop.set()
            return Batch()
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return step


ACCOUNT = AccountRecord(account_id="vk-1", workspace_id="ws", network=Network.VK, external_id="1", name="Кофейня",
                        token_kinds=("community",), connection="c1")
CREDENTIALS = Credentials(account_id="vk-1", workspace_id="ws", network=Network.VK, external_id="1",
                          tokens={"community": "vk1.a.secret-token"})
FAST = Timing(poll_interval_s={n: 0.01 for n in Network}, long_poll_wait_s=1, poll_timeout_s=5,
              backoff_min_s=0.01, backoff_max_s=0.05, lease_ttl_s=2, lease_renew_s=0.5, status_interval_s=0)


def deps(store: FakeStore, cursors: FakeCursors, board: FakeBoard, dead: FakeDeadLetters, **overrides: Any) -> Deps:
    return Deps(store=store, cursors=cursors, board=board, dead_letters=dead, timing=overrides.pop("timing", FAST),
                me="replica-1", rng=random.Random(7), **overrides)


def comment(number: int, account: AccountRecord = ACCOUNT) -> CommentReceived:
    now = utcnow()
    return CommentReceived(event_id=f"comment-{number}", workspace_id=account.workspace_id,
                           account_id=account.account_id, network=account.network, comment_id=f"-1_1_{number}",
                           post_id="-1_1", author=Author(id="7"), text=f"comment {number}", created_at=now)
