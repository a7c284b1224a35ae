"""The due loop: hand each item to its account's lane at its due time, not before, not polling every row.

It keeps the items due within the next ``horizon_s`` in a heap (one indexed range read of
``(state, due_at)``), sleeps until the earliest one or until woken: the schedule projection wakes it when
an event adds, moves or settles an item, so a post scheduled for now goes out within milliseconds. Items
further ahead are read again every half horizon.

Before handing out what came due it waits until the projection has applied every inbox event acknowledged
so far (its consumer has nothing pending): a cancel or an edit the inbox recorded before the due time is
in the schedule before the claim, which re-checks it in the same transaction.

At start, and after ``chorus replay publisher``, it waits for the projection to catch up with the whole log,
then settles what a stopped instance left ``sending``: an attempt whose intent never reached the log is
released (the network was never called); one whose intent did is recorded as unknown and reconciled.
Only the holder of the lease dispatches (see ``adapters/repository.py``).
"""
from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import time
from collections.abc import Iterable

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from chorus.backbone.projection import ProjectionRunner
from chorus.events import (
    AccountConnected,
    AccountDisconnected,
    AccountTokenExpired,
    Event,
    PostCancelled,
    PostDeferred,
    PostEdited,
    PostOutcomeUnknown,
    PostReconciled,
    PostScheduled,
    ReplyDeferred,
    ReplyOutcomeUnknown,
    ReplyReconciled,
    ReplyRequested,
    utcnow,
)
from chorus.events.streams import INBOX
from chorus.publisher import records
from chorus.publisher.adapters.accounts import NetworkAccounts
from chorus.publisher.adapters.repository import SqlSchedule
from chorus.publisher.handlers import Done
from chorus.publisher.lanes import Lanes
from chorus.publisher.ports import EventLog
from chorus.publisher.schedule import item_key

log = logging.getLogger(__name__)

#: Events after which some item is due at a new time (or a new item exists): the heap is read again.
RESCHEDULING = (PostScheduled, PostEdited, PostCancelled, ReplyRequested, PostDeferred, ReplyDeferred,
                PostOutcomeUnknown, ReplyOutcomeUnknown, PostReconciled, ReplyReconciled)
#: How long an item a worker finished with is kept out of the heap while its outcome reaches the schedule.
SETTLE_S = 30.0


class CatchUp:
    """Whether the schedule projection has applied everything in the log (per stream)."""

    def __init__(self, js: JetStreamContext, runner: ProjectionRunner) -> None:
        self._js, self._runner = js, runner
        self.streams = [s.stream.name for s in runner.projection.subscriptions]

    async def caught_up(self, streams: Iterable[str]) -> bool:
        if not self._runner.ready:
            return False
        for stream in streams:
            try:
                info = await self._js.consumer_info(stream, self._runner.name)
            except NotFoundError:
                return False  # being re-created by the runner
            if info.num_pending or info.num_ack_pending:
                return False
        return True

    async def wait(self, stop: asyncio.Event, streams: Iterable[str] | None = None) -> bool:
        names, pause = list(streams or self.streams), 0.002
        while not stop.is_set():
            try:
                if await self.caught_up(names):
                    return True
            except Exception as exc:  # noqa: BLE001 - NATS reconnecting: keep waiting
                log.debug("catch-up check failed: %s", exc)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.1)
        return False


class Dispatcher:
    name = "publisher-dispatcher"

    def __init__(self, schedule: SqlSchedule, lanes: Lanes, catch_up: CatchUp, log_: EventLog,
                 accounts: NetworkAccounts, *, horizon_s: float = 60.0, lease_s: float = 15.0,
                 batch: int = 5000) -> None:
        self._schedule, self._lanes, self._catch_up, self._log = schedule, lanes, catch_up, log_
        self._accounts = accounts
        self.horizon_s, self.lease_s, self.batch = horizon_s, lease_s, batch
        self._wake = asyncio.Event()
        self._dirty = True
        self._settling: dict[str, float] = {}
        self._leader = False
        self._rebuilt_at: object = None
        self.ready = False
        self.dispatched = 0

    # --- hooks -------------------------------------------------------------------------------------
    def applied(self, events: list[Event]) -> None:
        """Called by the projection runner after each batch it applied."""
        for event in events:
            key = item_key(event)
            if key is not None:
                self._settling.pop(key, None)
            if isinstance(event, PostScheduled | PostEdited):
                # A post due beyond the horizon is read when the horizon reaches it: loading a backlog of
                # posts for next month does not re-read the heap after every batch.
                if event.publish_at.timestamp() <= time.time() + self.horizon_s:
                    self._dirty = True
            elif isinstance(event, RESCHEDULING):
                self._dirty = True
            elif isinstance(event, AccountConnected | AccountDisconnected | AccountTokenExpired):
                if not isinstance(event, AccountTokenExpired):
                    self._accounts.forget(event.account_id)
                self._dirty = True
        if self._dirty:
            self._wake.set()

    def finished(self, key: str, done: Done | None) -> None:
        """Called by a lane after handling an item."""
        if done is None or done.changed:
            self._dirty = True
            self._wake.set()
        else:
            self._settling[key] = time.monotonic() + SETTLE_S

    # --- the loop ----------------------------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> None:
        with contextlib.suppress(Exception):  # the first try inline: a lone instance is ready at once
            self._leader = await self._schedule.take_lease(self.lease_s, utcnow())
        lease = asyncio.create_task(self._hold_lease(stop))
        relay = asyncio.create_task(self._wake_on(stop))
        try:
            while not self._leader and not stop.is_set():
                await _sleep(stop, 0.2)
            if stop.is_set():
                return
            await self._settle_leftovers(stop)
            self.ready = True
            await self._loop(stop)
        finally:
            for task in (lease, relay):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            with contextlib.suppress(Exception):
                await self._schedule.drop_lease()

    async def _wake_on(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self._wake.set()

    async def _hold_lease(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                self._leader = await self._schedule.take_lease(self.lease_s, utcnow())
            except Exception as exc:  # noqa: BLE001 - the database is away: not the leader until it is back
                log.warning("publisher: cannot renew the lease: %s", exc)
                self._leader = False
            await _sleep(stop, self.lease_s / 3 if self._leader else 1.0)

    async def _settle_leftovers(self, stop: asyncio.Event) -> None:
        if not await self._catch_up.wait(stop):
            return
        for item in await self._schedule.in_flight():
            if item.logged_attempt < item.attempts:
                await self._schedule.revert(item)
                log.info("publisher: %s was claimed but never sent; it goes out normally", item.key)
            else:
                await self._log.append([records.unknown(
                    item, item.attempts, "the publisher stopped after sending began and before it learnt the "
                                         "outcome; the network is read to find out")])
                log.info("publisher: %s was being sent when the publisher stopped; reconciling", item.key)
        self._rebuilt_at = (await self._schedule.rebuild_marker())[1]
        self._dirty = True

    async def _loop(self, stop: asyncio.Event) -> None:
        heap: list[tuple[float, str, object]] = []
        refresh_at = 0.0
        while not stop.is_set():
            now = time.time()
            if self._dirty or now >= refresh_at:
                self._dirty = False
                self._wake.clear()
                rebuilding, rebuilt_at = await self._schedule.rebuild_marker()
                if rebuilding or not self._leader:
                    heap, refresh_at = [], now + 0.5
                elif rebuilt_at != self._rebuilt_at:
                    await self._after_rebuild(stop)
                    continue
                else:
                    heap, refresh_at = await self._load(now)
            if heap and heap[0][0] <= now:
                if not await self._catch_up.wait(stop, [INBOX.name]):
                    return
                while heap and heap[0][0] <= now:
                    _, _, due = heapq.heappop(heap)
                    if self._lanes.submit(due):
                        self.dispatched += 1
                continue
            until = min(refresh_at, heap[0][0] if heap else refresh_at)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(until - now, 0.0005))

    async def _load(self, now: float) -> tuple[list[tuple[float, str, object]], float]:
        rows = await self._schedule.upcoming(now + self.horizon_s, self.batch)
        clock = time.monotonic()
        self._settling = {k: t for k, t in self._settling.items() if t > clock}
        skip = self._lanes.busy | self._settling.keys()
        heap = [(d.due_at, d.key, d) for d in rows if d.key not in skip]
        heapq.heapify(heap)
        refresh_at = now + self.horizon_s / 2
        if len(rows) >= self.batch:
            refresh_at = min(refresh_at, rows[-1].due_at)  # more are due than were read: read on from there
        return heap, refresh_at

    async def _after_rebuild(self, stop: asyncio.Event) -> None:
        log.info("publisher: the schedule was rebuilt; settling what was in flight")
        while self._lanes.busy and not stop.is_set():
            await _sleep(stop, 0.1)
        await self._settle_leftovers(stop)


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
