"""Per-account lanes: each account's due items go out one at a time, earliest first, at the account's pace.

Accounts work concurrently (up to ``max_in_flight`` network calls at once in the process); within one
account items are sequential, paced by a token bucket per account (``Rate``: a steady rate with a small
burst, per network, configurable). When the network asks an account to wait (a rate limit with a
``retry_after``) the whole lane pauses, so its other items do not spend calls on answers known in advance.
Per-token pacing below each network's own limits is the adapters' (VK's limiter per token, X's windows per
token, Facebook's usage gate per token): several accounts sharing a token share those.
"""
from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from chorus.events.values import Network
from chorus.networks.errors import redact
from chorus.publisher.adapters.repository import Due
from chorus.publisher.handlers import Done

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rate:
    per_second: float
    burst: int = 1


#: Per account: VK user tokens allow 3 calls/s; X and Facebook are paced per token by their adapters as
#: well; Telegram asks bots to stay near 20 messages a minute per chat.
DEFAULT_RATES: dict[Network, Rate] = {
    Network.VK: Rate(2.5, 3), Network.X: Rate(1.0, 5), Network.FACEBOOK: Rate(1.0, 5),
    Network.TELEGRAM: Rate(20 / 60, 5),
}


class Bucket:
    def __init__(self, rate: Rate, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self._clock = rate, clock
        self._tokens, self._at = float(rate.burst), clock()

    async def take(self) -> None:
        while True:
            now = self._clock()
            self._tokens = min(float(self.rate.burst), self._tokens + (now - self._at) * self.rate.per_second)
            self._at = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return
            await asyncio.sleep((1.0 - self._tokens) / self.rate.per_second)


Work = Callable[[str], Awaitable[Done]]
Finished = Callable[[str, Done | None], None]


class _Lane:
    def __init__(self, account_id: str, bucket: Bucket) -> None:
        self.account_id, self.bucket = account_id, bucket
        self.queue: list[tuple[float, str]] = []
        self.ready = asyncio.Event()
        self.task: asyncio.Task | None = None


class Lanes:
    """Runs ``work(key)`` for submitted items; calls ``finished(key, done)`` after each (``None``: it raised)."""

    name = "publisher-lanes"

    def __init__(self, work: Work, finished: Finished | None = None, *,
                 rates: Mapping[Network, Rate] = DEFAULT_RATES, max_in_flight: int = 64) -> None:
        self._work, self._rates = work, {**DEFAULT_RATES, **rates}
        #: Set by the composition root (the dispatcher listens).
        self.finished: Finished = finished or (lambda key, done: None)
        self._slots = asyncio.Semaphore(max_in_flight)
        self._lanes: dict[str, _Lane] = {}
        self.busy: set[str] = set()
        self._stop: asyncio.Event | None = None
        self.sent = 0

    @property
    def ready(self) -> bool:
        return self._stop is not None

    def submit(self, due: Due) -> bool:
        """Queue an item on its account's lane; ``False`` if it is already queued or being handled."""
        if due.key in self.busy or self._stop is None or self._stop.is_set():
            return False
        lane = self._lanes.get(due.account_id)
        if lane is None:
            lane = self._lanes[due.account_id] = _Lane(due.account_id, Bucket(self._rates[due.network]))
            lane.task = asyncio.get_running_loop().create_task(self._drive(lane), name=f"lane-{due.account_id}")
        self.busy.add(due.key)
        heapq.heappush(lane.queue, (due.due_at, due.key))
        lane.ready.set()
        return True

    async def run(self, stop: asyncio.Event) -> None:
        self._stop = stop
        await stop.wait()
        tasks = [lane.task for lane in self._lanes.values() if lane.task is not None]
        for lane in self._lanes.values():
            lane.ready.set()
        # Let calls in progress finish (their outcome is then recorded); cancel what takes too long: those
        # items are reconciled at the next start.
        _, pending = await asyncio.wait(tasks, timeout=10) if tasks else (set(), set())
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _drive(self, lane: _Lane) -> None:
        assert self._stop is not None
        while not self._stop.is_set():
            if not lane.queue:
                lane.ready.clear()
                await lane.ready.wait()
                continue
            await lane.bucket.take()
            if self._stop.is_set():
                break
            _, key = heapq.heappop(lane.queue)
            done: Done | None = None
            try:
                async with self._slots:
                    done = await self._work(key)
                self.sent += 1
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database or NATS is away: the item stays as it was, and comes back
                log.error("publisher: handling %s failed (%s); it is looked at again shortly", key,
                          redact(f"{type(exc).__name__}: {exc}"))
                log.debug("traceback", exc_info=exc)
                await asyncio.sleep(1.0)
            finally:
                self.busy.discard(key)
                self.finished(key, done)
            if done is not None and done.pause_s > 0:
                await asyncio.sleep(done.pause_s)
