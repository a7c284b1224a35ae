"""Delivering alerts: one independent task per destination, working the delivery table.

A destination that hangs or refuses costs only its own task: every other destination's task keeps
going, and within one destination an alert waiting for its retry does not hold back alerts that are due.
Each attempt is recorded before it starts and after it ends (see ``adapters/deliveries.py``), so an
alert is delivered once per destination; outcome events (``alert.delivered``,
``alert.delivery_failed``) are appended after the table records the outcome, and re-appended after a
crash until they are in the log (their ids are deterministic).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from chorus.backbone.store import EventStore
from chorus.events import DestinationKind, utcnow
from chorus.monitor.adapters.deliveries import Delivery, DeliveryQueue, backoff
from chorus.monitor.adapters.senders import Outcome, Sender
from chorus.monitor.config import DeliverySettings
from chorus.monitor.handlers import outcome_event
from chorus.monitor.workspace_rules import Rules

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


class DeliveryWorker:
    """A ``Component``: delivers every scheduled alert to its destination."""

    name = "monitor-delivery"

    def __init__(self, queue: DeliveryQueue, senders: Mapping[DestinationKind, Sender], rules: Rules,
                 store: EventStore, settings: DeliverySettings, clock: Clock = utcnow) -> None:
        self.queue = queue
        self.senders = senders
        self.rules = rules
        self.store = store
        self.settings = settings
        self.clock = clock
        self._wake = asyncio.Event()
        self._tasks: dict[str, asyncio.Task] = {}
        self._ready = False

    @property
    def ready(self) -> bool:
        return self._ready

    def wake(self) -> None:
        """Look for due work now (called when deliveries were scheduled or finished)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        recovered = await asyncio.to_thread(self.queue.recover, self.clock())
        if recovered:
            log.warning("%d alert deliveries were interrupted mid-attempt; each is attempted once more with "
                        "the same delivery id", recovered)
        self._ready = True
        try:
            while not stop.is_set():
                self._wake.clear()
                await self._report()
                for destination_id in await asyncio.to_thread(self.queue.due_destinations, self.clock()):
                    task = self._tasks.get(destination_id)
                    if task is None or task.done():
                        self._tasks[destination_id] = asyncio.create_task(
                            self._drain(destination_id, stop), name=f"deliver-{destination_id}")
                await self._sleep(stop)
        finally:
            self._ready = False
            await self._finish_tasks()
            with contextlib.suppress(Exception):
                await self._report()

    async def _sleep(self, stop: asyncio.Event) -> None:
        next_due = await asyncio.to_thread(self.queue.next_due)
        timeout = 1.0
        if next_due is not None:
            timeout = min(1.0, max(0.02, (next_due - self.clock()).total_seconds()))
        waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
        try:
            await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def _finish_tasks(self) -> None:
        tasks = [t for t in self._tasks.values() if not t.done()]
        if tasks:
            # Let attempts under way end (their outcome is then recorded); what still runs after the
            # timeout stays "in flight" in the table and is attempted again at the next start.
            _, pending = await asyncio.wait(tasks, timeout=self.settings.timeout_s + 1)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def _drain(self, destination_id: str, stop: asyncio.Event) -> None:
        while not stop.is_set():
            delivery = await asyncio.to_thread(self.queue.claim, destination_id, self.clock())
            if delivery is None:
                return
            outcome, kind = await self._attempt(delivery)
            await asyncio.to_thread(self._record, delivery, outcome, kind)
            self.wake()

    async def _attempt(self, delivery: Delivery) -> tuple[Outcome, str | None]:
        rules = await asyncio.to_thread(self.rules.get, delivery.alert.workspace_id)
        destination = rules.destination(delivery.destination_id)
        if destination is None:
            return Outcome.failed("the destination was removed from the workspace's settings"), None
        if not destination.enabled:
            return Outcome.failed("the destination is disabled"), destination.kind.value
        sender = self.senders.get(destination.kind)
        if sender is None:
            return Outcome.failed(f"this monitor cannot send to {destination.kind.value} destinations"), \
                destination.kind.value
        try:
            outcome = await asyncio.wait_for(sender.send(delivery.alert, destination, delivery_id=delivery.delivery_id),
                                             self.settings.timeout_s + 5)
        except TimeoutError:
            outcome = Outcome.retry(f"the attempt took longer than {self.settings.timeout_s + 5:.0f} s")
        except Exception as exc:  # noqa: BLE001 - a sender bug must not stop deliveries; no message: it may hold a secret
            log.error("sender %s raised %s for destination %s", destination.kind.value, type(exc).__name__,
                      delivery.destination_id)
            outcome = Outcome.retry(f"unexpected {type(exc).__name__} in the {destination.kind.value} sender")
        return outcome, destination.kind.value

    def _record(self, delivery: Delivery, outcome: Outcome, kind: str | None) -> None:
        now = self.clock()
        where = f"alert {delivery.alert.alert_id} to destination {delivery.destination_id}"
        if outcome.delivered:
            self.queue.delivered(delivery, kind or "", now)
            log.info("delivered %s (attempt %d): %s", where, delivery.attempts, outcome.detail)
        elif outcome.status == "failed":
            self.queue.failed(delivery, kind, now, outcome.detail, permanent=True)
            log.warning("cannot deliver %s: %s", where, outcome.detail)
        elif delivery.attempts >= self.settings.max_attempts:
            self.queue.failed(delivery, kind, now, f"gave up after {delivery.attempts} attempts: {outcome.detail}",
                              permanent=False)
            log.warning("gave up delivering %s after %d attempts: %s", where, delivery.attempts, outcome.detail)
        else:
            delay = backoff(delivery.attempts, self.settings.retry_base_s, self.settings.retry_max_s)
            if outcome.after is not None:
                delay = timedelta(seconds=outcome.after)
            self.queue.retry(delivery, kind, now + delay, outcome.detail)
            log.info("attempt %d of %s failed (%s); next in %.1f s", delivery.attempts, where, outcome.detail,
                     delay.total_seconds())

    async def _report(self) -> None:
        try:
            finished = await asyncio.to_thread(self.queue.unreported)
            if finished:
                await self.store.append_many([outcome_event(f) for f in finished])
                await asyncio.to_thread(self.queue.mark_reported, finished)
        except Exception as exc:  # noqa: BLE001 - NATS or the database is away: report at the next pass
            log.warning("delivery outcomes not reported yet: %s: %s", type(exc).__name__, exc)

    async def close(self) -> None:
        for sender in set(self.senders.values()):
            with contextlib.suppress(Exception):
                await sender.close()
