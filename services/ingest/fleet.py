"""The ingest component: hold leases on a fair share of the connected accounts and run a reader for each.

Every ``lease_renew_s`` (and at once when the accounts or brand rules change) a round:

1. announces this replica and renews the leases it holds; a lease that cannot be renewed is lost and its
   reader stopped at once; a lease not renewed in time (NATS unreachable) is given up by this replica on
   its own when its TTL runs out, before the server lets another replica take it (see ``adapters/leases``);
2. reads every lease in the bucket and plans (``leasing.plan``): give back what was disconnected or is
   over this replica's share, take what is free;
3. restarts a reader whose account changed (reconnected, keywords changed, a token expired) and a reader
   that crashed (after ``backoff_max_s``).

On a clean stop the leases are released, so another replica takes over at once instead of after the TTL.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from chorus.events import utcnow
from chorus.ingest.adapters.feed import AccountFeed
from chorus.ingest.adapters.leases import Lease, LeaseStore
from chorus.ingest.config import Timing
from chorus.ingest.domain import AccountRecord, ReaderSpec
from chorus.ingest.leasing import plan
from chorus.ingest.reading import describe, pause
from chorus.ingest.runner import AccountRunner

log = logging.getLogger(__name__)


@dataclass
class Held:
    lease: Lease
    spec: ReaderSpec
    task: asyncio.Task
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    crashed_at: float | None = None


class Fleet:
    name = "ingest-readers"

    def __init__(self, feed: AccountFeed, leases: LeaseStore, *, build: Callable[[AccountRecord, ReaderSpec], AccountRunner],
                 timing: Timing, report: Callable[[dict], Awaitable[None]] | None = None) -> None:
        self.feed = feed
        self.leases = leases
        self.me = leases.me
        self._build = build
        self._timing = timing
        self._report = report
        self.held: dict[str, Held] = {}
        self._free_since: dict[str, float] = {}
        self.rounds = 0
        self.replicas: set[str] = set()

    @property
    def ready(self) -> bool:
        return self.feed.ready and self.rounds > 0

    async def run(self, stop: asyncio.Event) -> None:
        while not self.feed.ready and not stop.is_set():
            await pause(stop, 0.05)
        try:
            while not stop.is_set():
                self.feed.changed.clear()
                began = time.monotonic()
                try:
                    await self._round()
                    self.rounds += 1
                except Exception as exc:  # noqa: BLE001 - NATS unreachable: keep what is still validly held
                    log.warning("ingest: lease round failed: %s", describe(exc))
                took = time.monotonic() - began
                if took > self.leases.ttl_s / 2:
                    log.warning("ingest: a lease round took %.1fs (leases last %ss): is the process overloaded?",
                                took, self.leases.ttl_s)
                await self._fence()
                changed = asyncio.ensure_future(self.feed.changed.wait())
                stopped = asyncio.ensure_future(stop.wait())
                await asyncio.wait({changed, stopped}, timeout=self._timing.lease_renew_s,
                                   return_when=asyncio.FIRST_COMPLETED)
                changed.cancel()
                stopped.cancel()
        finally:
            for account_id in list(self.held):
                await self._drop(account_id, release=True)
            await self.leases.retire()

    async def _round(self) -> None:
        await self.leases.announce()
        await asyncio.gather(*(self._renew(a) for a in list(self.held)))
        holders, replicas = await self.leases.snapshot()
        self.replicas = replicas | {self.me}
        for account_id, holder in list(holders.items()):
            if holder == self.me and account_id not in self.held:
                holders[account_id] = f"{holder} (earlier run)"  # never adopt a lease this process did not take
        wanted = set(self.feed.book.accounts)
        now = time.monotonic()
        self._free_since = {a: self._free_since.get(a, now) for a in wanted if a not in holders}
        decided = plan(me=self.me, wanted=wanted, holders=holders, replicas=replicas, free_since=self._free_since,
                       now=now, grace=self.leases.ttl_s)
        for account_id in decided.release:
            log.info("ingest: giving back %s", account_id)
            await self._drop(account_id, release=True)
        for account_id in decided.take:
            lease = await self.leases.acquire(account_id)
            if lease is not None:
                log.info("ingest: %s now reads %s", self.me, account_id)
                self._start(account_id, lease)
        for account_id, held in list(self.held.items()):
            record = self.feed.book.accounts.get(account_id)
            if record is None:
                continue
            if self.feed.book.spec(record) != held.spec:
                log.info("ingest: %s changed (connection, keywords or tokens); restarting its readers", account_id)
                await self._restart(account_id)
            elif held.task.done() and not held.task.cancelled() and held.task.exception() is not None:
                if held.crashed_at is None:
                    held.crashed_at = now
                    log.error("ingest: readers of %s crashed: %s", account_id, describe(held.task.exception()))
                elif now - held.crashed_at >= self._timing.backoff_max_s:
                    await self._restart(account_id)
        if self._report is not None:
            await self._report({"replica": self.me, "accounts": sorted(self.held), "replicas": sorted(self.replicas),
                          "updated_at": utcnow().isoformat()})

    async def _renew(self, account_id: str) -> None:
        held = self.held[account_id]
        try:
            renewed = await self.leases.renew(held.lease)
        except Exception as exc:  # noqa: BLE001 - NATS trouble: the fence decides when to give up
            log.debug("lease of %s not renewed: %s", account_id, exc)
            return
        if renewed is None:
            log.warning("ingest: lost the lease of %s (not renewed in time); stopping its readers", account_id)
            await self._drop(account_id, release=False)
        elif account_id in self.held:
            self.held[account_id].lease = renewed

    async def _fence(self) -> None:
        now = time.monotonic()
        for account_id, held in list(self.held.items()):
            if held.lease.valid_until <= now:
                log.warning("ingest: the lease of %s ran out before it could be renewed; stopping its readers",
                            account_id)
                await self._drop(account_id, release=False)

    def _start(self, account_id: str, lease: Lease) -> None:
        record = self.feed.book.accounts[account_id]
        spec = self.feed.book.spec(record)
        runner = self._build(record, spec)
        stop = asyncio.Event()
        task = asyncio.create_task(runner.run(stop), name=f"ingest:{account_id}")
        self.held[account_id] = Held(lease=lease, spec=spec, task=task, stop=stop)

    async def _restart(self, account_id: str) -> None:
        held = self.held[account_id]
        await _halt(held)
        if account_id in self.feed.book.accounts:
            self._start(account_id, held.lease)

    async def _drop(self, account_id: str, *, release: bool) -> None:
        held = self.held.pop(account_id, None)
        if held is None:
            return
        await _halt(held)
        if release:
            await self.leases.release(held.lease)


async def _halt(held: Held) -> None:
    """Stop a runner now: a poll or an append in flight is abandoned, which is safe (see ``reading``)."""
    held.stop.set()
    held.task.cancel()
    await asyncio.wait({held.task}, timeout=10)
    if held.task.done() and not held.task.cancelled():
        held.task.exception()  # retrieved, so asyncio does not report it as lost
