"""Durable pull consumers with explicit acks, bounded redelivery and dead-lettering.

``EventConsumer`` runs a handler for each event of its subscriptions: decode, call the handler, append
the events it returns (awaiting their acks), then ack the input. A failure is redelivered with backoff;
a message that cannot be decoded (malformed, unknown type, newer schema version) or that still fails
after ``max_deliver`` deliveries is copied to the dead-letter stream and acked, so it never vanishes and
never blocks the messages after it.
"""
from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import nats.errors
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from chorus.backbone.deadletter import Origin, dead_letter, retry_subject
from chorus.backbone.store import EventStore
from chorus.events import DecodeError, Event, decode
from chorus.events.streams import DEAD_LETTER, Stream

log = logging.getLogger(__name__)

DEFAULT_BACKOFF = (0.5, 2.0, 10.0, 30.0, 60.0)


class Retry(Exception):
    """Raised by a handler to have the message delivered again after ``after`` seconds.

    Used for conditions that are expected to pass (a network's rate limit, a dependency not ready yet);
    it does not count towards dead-lettering until ``max_retries`` deliveries.
    """

    def __init__(self, after: float, reason: str = "") -> None:
        super().__init__(reason or f"retry in {after:.1f}s")
        self.after = after


@dataclass(frozen=True)
class Subscription:
    """Which events of one stream a consumer reads (all of the stream's subjects when ``types`` is empty)."""

    stream: Stream
    types: tuple[type[Event], ...] = ()

    def __post_init__(self) -> None:
        for cls in self.types:
            if cls.stream is not self.stream:
                raise ValueError(f"{cls.__name__} is on stream {cls.stream.name}, not {self.stream.name}")

    @property
    def filter_subjects(self) -> list[str]:
        return sorted(cls.subject() for cls in self.types) or list(self.stream.subjects)


def subscriptions_for(*types: type[Event]) -> list[Subscription]:
    """Group event types by their stream, one subscription per stream."""
    by_stream: dict[str, list[type[Event]]] = {}
    streams: dict[str, Stream] = {}
    for cls in types:
        by_stream.setdefault(cls.stream.name, []).append(cls)
        streams[cls.stream.name] = cls.stream
    return [Subscription(streams[name], tuple(found)) for name, found in by_stream.items()]


@dataclass(frozen=True)
class ConsumerOptions:
    batch: int = 100
    ack_wait_s: float = 30.0
    max_deliver: int = 5
    max_retries: int = 50
    backoff: tuple[float, ...] = DEFAULT_BACKOFF
    max_ack_pending: int = 1000
    deliver_policy: DeliverPolicy = DeliverPolicy.ALL
    ack_policy: AckPolicy = AckPolicy.EXPLICIT
    fetch_timeout_s: float = 1.0


def backoff_delay(backoff: Sequence[float], deliveries: int) -> float:
    base = backoff[min(max(deliveries, 1), len(backoff)) - 1]
    return base * random.uniform(0.8, 1.2)  # jitter, so a burst of failures does not retry in lockstep


class PullSource:
    """One durable pull consumer on one stream, created (or updated) with explicit settings."""

    def __init__(self, js: JetStreamContext, stream: str, durable: str, filter_subjects: list[str],
                 options: ConsumerOptions) -> None:
        self.js, self.stream, self.durable = js, stream, durable
        self.filter_subjects, self.options = filter_subjects, options
        self._sub: JetStreamContext.PullSubscription | None = None

    def config(self, start_seq: int | None = None) -> ConsumerConfig:
        policy, opt = self.options.deliver_policy, None
        if start_seq is not None:
            policy, opt = DeliverPolicy.BY_START_SEQUENCE, max(start_seq, 1)
        subjects = self.filter_subjects
        return ConsumerConfig(
            name=self.durable, durable_name=self.durable, ack_policy=self.options.ack_policy,
            ack_wait=self.options.ack_wait_s, max_deliver=-1,  # Chorus counts deliveries itself, see module doc
            max_ack_pending=self.options.max_ack_pending, deliver_policy=policy, opt_start_seq=opt,
            filter_subject=subjects[0] if len(subjects) == 1 else None,
            filter_subjects=subjects if len(subjects) > 1 else None,
        )

    async def open(self, start_seq: int | None = None) -> None:
        """Bind to the consumer, creating it. With ``start_seq`` it is re-created to start there."""
        await self.close()
        if start_seq is not None:
            try:
                await self.js.delete_consumer(self.stream, self.durable)
            except NotFoundError:
                pass
        await self.js.add_consumer(self.stream, self.config(start_seq))
        self._sub = await self.js.pull_subscribe_bind(self.durable, stream=self.stream)

    async def fetch(self) -> list[Msg]:
        assert self._sub is not None, "open() first"
        try:
            return await self._sub.fetch(self.options.batch, timeout=self.options.fetch_timeout_s)
        except (nats.errors.TimeoutError, TimeoutError):
            return []

    async def exists(self) -> bool:
        try:
            await self.js.consumer_info(self.stream, self.durable)
        except NotFoundError:
            return False
        return True

    async def close(self) -> None:
        if self._sub is not None:
            sub, self._sub = self._sub, None
            try:
                await sub.unsubscribe()
            except (TimeoutError, nats.errors.Error):
                pass


Handler = Callable[[Event], Awaitable[Sequence[Event] | None]]
BatchHandler = Callable[[list[Event]], Awaitable[Sequence[Event] | None]]


@dataclass
class EventConsumer:
    """Runs ``handler`` once per event of ``subscriptions``; see the module docstring for the guarantees.

    With ``batch_handler`` instead, each fetched batch is handled in one call (for work that is cheaper in
    bulk, such as classification); if that call fails, the batch's messages go through the one-at-a-time
    path, so a poison message is retried and dead-lettered alone while the others pass. Either way the
    next batch is fetched while one is handled, and the events a handler returns are appended (awaited)
    before any input is acked.
    """

    name: str
    subscriptions: list[Subscription]
    handler: Handler | None
    js: JetStreamContext
    store: EventStore
    options: ConsumerOptions = field(default_factory=ConsumerOptions)
    batch_handler: BatchHandler | None = None
    handled: int = 0
    dead_lettered: int = 0
    _bound: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        if (self.handler is None) == (self.batch_handler is None):
            raise ValueError(f"{self.name}: give exactly one of handler and batch_handler")
        if self.handler is None:
            batch = self.batch_handler

            async def one(event: Event) -> Sequence[Event] | None:
                return await batch([event])

            self.handler = one

    @property
    def ready(self) -> bool:
        return len(self._bound) == len(self.subscriptions) + 1

    async def run(self, stop: asyncio.Event) -> None:
        sources = [PullSource(self.js, s.stream.name, self.name, s.filter_subjects, self.options)
                   for s in self.subscriptions]
        sources.append(PullSource(self.js, DEAD_LETTER.name, f"{self.name}-replays", [retry_subject(self.name)],
                                  self.options))
        await asyncio.gather(*(self._pump(source, stop) for source in sources))

    async def _pump(self, source: PullSource, stop: asyncio.Event) -> None:
        key, idle = f"{source.stream}/{source.durable}", 0
        ahead: asyncio.Future | None = None  # the next batch, fetched while this one is handled
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
                        self._bound.discard(key)  # deleted under us: bind again
                    continue
                idle = 0
                if not stop.is_set():
                    ahead = asyncio.ensure_future(source.fetch())
                if self.batch_handler is not None and source.stream != DEAD_LETTER.name:
                    await self._process_batch(msgs)
                else:
                    for msg in msgs:
                        await self._process(msg)
            except asyncio.CancelledError:
                if ahead is not None:
                    ahead.cancel()
                raise
            except Exception as exc:  # connection loss, server restart: keep trying, never die
                await _hand_back(ahead)
                ahead = None
                self._bound.discard(key)
                log.warning("%s: consumer on %s interrupted: %s", self.name, source.stream, exc)
                await _sleep_or_stop(stop, 1.0)
        await _hand_back(ahead)
        await source.close()

    async def _process_batch(self, msgs: list[Msg]) -> None:
        good: list[tuple[Msg, Event]] = []
        for msg in msgs:
            try:
                good.append((msg, decode(msg.data, msg.subject)))
            except DecodeError:
                await self._process(msg)  # dead-letters it with the reason
        if not good:
            return
        try:
            produced = await self.batch_handler([event for _, event in good])
            if produced:
                await self.store.append_many(produced)
        except Exception as exc:  # each message then gets its own retries and dead letter
            log.warning("%s: a batch of %d failed (%s: %s); handling its messages one by one",
                        self.name, len(good), type(exc).__name__, exc)
            for msg, _ in good:
                await self._process(msg)
            return
        for msg, _ in good:
            await msg.ack()
        self.handled += len(good)

    async def _process(self, msg: Msg) -> None:
        origin = Origin.of(msg)
        try:
            event = decode(msg.data, origin.subject)
        except DecodeError as exc:
            log.error("%s: cannot decode %s seq %s (%s); dead-lettered", self.name, origin.subject, origin.seq, exc)
            await self._dead_letter(msg, origin, exc.reason, str(exc))
            return
        try:
            produced = await self.handler(event)
            if produced:
                await self.store.append_many(produced)
        except Retry as exc:
            if origin.deliveries >= self.options.max_retries:
                await self._dead_letter(msg, origin, "retries_exhausted", str(exc))
            else:
                await msg.nak(delay=exc.after)
            return
        except Exception as exc:
            if origin.deliveries >= self.options.max_deliver:
                log.exception("%s: %s seq %s failed %d times; dead-lettered",
                              self.name, origin.subject, origin.seq, origin.deliveries)
                await self._dead_letter(msg, origin, "handler_failed", f"{type(exc).__name__}: {exc}")
            else:
                delay = backoff_delay(self.options.backoff, origin.deliveries)
                log.warning("%s: %s seq %s failed (%s: %s); retry %d in %.1fs", self.name, origin.subject,
                            origin.seq, type(exc).__name__, exc, origin.deliveries, delay)
                await msg.nak(delay=delay)
            return
        await msg.ack()
        self.handled += 1

    async def _dead_letter(self, msg: Msg, origin: Origin, reason: str, error: str) -> None:
        await dead_letter(self.js, msg, self.name, origin, reason, error)
        await msg.ack()
        self.dead_lettered += 1


async def _hand_back(ahead: asyncio.Future | None) -> None:
    """Nak a batch fetched ahead but not handled, so it is redelivered at once rather than after ack_wait."""
    if ahead is None:
        return
    try:
        msgs = await ahead
    except Exception:  # noqa: BLE001 - nothing was fetched
        return
    for msg in msgs:
        try:
            await msg.nak()
        except Exception:  # noqa: BLE001 - it then comes back after ack_wait
            pass


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass
