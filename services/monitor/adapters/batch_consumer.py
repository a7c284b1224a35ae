"""An ``EventConsumer`` whose handler takes a whole fetched batch, for work that is cheaper in bulk.

Classifying and recording items costs a thread hop and an SQL transaction per call; per batch of 200
they cost almost nothing; the next batch is fetched while one is handled. The guarantees are the
backbone consumer's: the events the handler returns are appended (awaited) before any input is acked. If the batch handler fails, every message of the batch
goes through the ordinary one-at-a-time path (``EventConsumer._process`` with a one-event batch), so a
poison message is retried with backoff and dead-lettered alone while the others pass.

It overrides the backbone consumer's fetch loop (``_pump``), the one place that handles messages one by
one; a batch mode in ``chorus.backbone.consumer`` itself would make this module unnecessary.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

from nats.aio.msg import Msg
from nats.js import JetStreamContext

from chorus.backbone.consumer import ConsumerOptions, EventConsumer, PullSource, Subscription
from chorus.backbone.deadletter import Origin
from chorus.backbone.store import EventStore
from chorus.events import DecodeError, Event, decode

log = logging.getLogger(__name__)

BatchHandler = Callable[[list[Event]], Awaitable[Sequence[Event]]]


class BatchConsumer(EventConsumer):
    """Like ``EventConsumer``, but ``batch_handler`` gets the decoded events of each fetch, in order."""

    def __init__(self, name: str, subscriptions: list[Subscription], batch_handler: BatchHandler,
                 js: JetStreamContext, store: EventStore, options: ConsumerOptions | None = None) -> None:
        async def one(event: Event) -> Sequence[Event]:
            return await batch_handler([event])

        super().__init__(name, subscriptions, one, js, store, options or ConsumerOptions())
        self.batch_handler = batch_handler

    async def _pump(self, source: PullSource, stop: asyncio.Event) -> None:
        key, idle = f"{source.stream}/{source.durable}", 0
        ahead: asyncio.Task | None = None  # the next batch, fetched while this one is handled
        while not stop.is_set():
            try:
                if key not in self._bound:
                    await source.open()
                    self._bound.add(key)
                msgs = await (ahead or source.fetch())
                ahead = None
                if not msgs:
                    idle += 1
                    if idle % 30 == 0 and not await source.exists():
                        self._bound.discard(key)
                    continue
                idle = 0
                if not stop.is_set():
                    ahead = asyncio.ensure_future(source.fetch())
                await self._process_batch(msgs)
            except asyncio.CancelledError:
                if ahead is not None:
                    ahead.cancel()
                raise
            except Exception as exc:  # noqa: BLE001 - connection loss, server restart: keep trying, never die
                await _abandon(ahead)
                ahead = None
                self._bound.discard(key)
                log.warning("%s: consumer on %s interrupted: %s", self.name, source.stream, exc)
                try:
                    await asyncio.wait_for(stop.wait(), 1.0)
                except TimeoutError:
                    pass
        await _abandon(ahead)
        await source.close()

    async def _process_batch(self, msgs: list[Msg]) -> None:
        good: list[tuple[Msg, Event]] = []
        for msg in msgs:
            try:
                good.append((msg, decode(msg.data, Origin.of(msg).subject)))
            except DecodeError:
                await self._process(msg)  # dead-letters it with the reason
        if not good:
            return
        try:
            produced = await self.batch_handler([event for _, event in good])
            if produced:
                await self.store.append_many(produced)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - each message then gets its own retries and dead letter
            log.warning("%s: a batch of %d failed (%s: %s); handling its messages one by one",
                        self.name, len(good), type(exc).__name__, exc)
            for msg, _ in good:
                await self._process(msg)
            return
        for msg, _ in good:
            await msg.ack()
        self.handled += len(good)


async def _abandon(ahead: asyncio.Task | None) -> None:
    """Hand back a batch fetched ahead but not handled (nak: redelivered at once, not after ack_wait)."""
    if ahead is None:
        return
    try:
        msgs = await ahead
    except Exception:  # noqa: BLE001 - nothing was fetched
        return
    for msg in msgs:
        with contextlib.suppress(Exception):  # else it comes back after ack_wait
            await msg.nak()
