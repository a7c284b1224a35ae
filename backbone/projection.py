"""Projections: SQL read models built from the log, each effect applied exactly once.

A projection reads its streams in order. Each batch is applied in one SQL transaction that also moves the
projection's position (the last stream sequence applied) for that stream, so after a crash at any instant
the read model and its position agree: messages at or below the position are skipped, the rest applied.
The position in SQL is the truth; the durable consumer is only a cursor and is re-created at
``position + 1`` whenever the runner binds.

The same event can also appear twice in the log (re-sent after the stream's duplicate window): the ids of
applied events are kept in ``chorus_applied`` in the same transaction, and a known id is not applied again.

A message that cannot be decoded, or whose ``apply`` still fails after ``max_deliver`` attempts (with
backoff), is dead-lettered and the position moves past it. A dead letter replayed later is applied out of
order, once (recorded in ``chorus_replayed``).

``rebuild`` (``chorus replay <projection>``) empties the read model and applies the whole log again. While
it runs the projection is marked as rebuilding and live runners pause, so the two never interleave.
"""
from __future__ import annotations

import abc
import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy
from sqlalchemy import Engine, MetaData, delete, select, update
from sqlalchemy.engine import Connection

from chorus.backbone.consumer import ConsumerOptions, PullSource, Subscription, _sleep_or_stop, backoff_delay
from chorus.backbone.db import applied_events, bookkeeping, insert_ignore, positions, projection_state, replayed
from chorus.backbone.deadletter import Origin, dead_letter, retry_subject
from chorus.events import DecodeError, Event, decode
from chorus.events.streams import DEAD_LETTER

log = logging.getLogger(__name__)


class Projection(abc.ABC):
    """A read model: the tables in ``metadata`` and how each event changes them.

    ``apply`` runs inside the runner's transaction and must only touch the connection it is given.
    """

    name: ClassVar[str]
    subscriptions: ClassVar[list[Subscription]]
    metadata: ClassVar[MetaData]

    @property
    def consumer(self) -> str:
        return f"projection-{self.name}"

    @abc.abstractmethod
    def apply(self, conn: Connection, event: Event) -> None:
        """Change the read model for ``event``."""

    def apply_many(self, conn: Connection, events: list[Event]) -> None:
        """Change the read model for several events in log order; override to batch statements.

        If it raises, the runner falls back to ``apply`` one event at a time to find the failing one.
        """
        for event in events:
            self.apply(conn, event)

    def reset(self, conn: Connection) -> None:
        """Empty the read model (before a rebuild)."""
        for table in reversed(self.metadata.sorted_tables):
            conn.execute(table.delete())

    def create_tables(self, engine: Engine) -> None:
        bookkeeping.create_all(engine)
        self.metadata.create_all(engine)


class _Rebuilding(Exception):
    pass


@dataclass
class _Item:
    seq: int
    msg: Msg | None
    event: Event | None
    error: DecodeError | None
    deliveries: int


@dataclass
class Applier:
    """Applies batches of one stream's messages to a projection; shared by the live runner and rebuilds."""

    projection: Projection
    engine: Engine
    js: JetStreamContext
    options: ConsumerOptions
    ignore_rebuilding: bool = False
    applied: int = 0
    dead_lettered: int = 0

    def items(self, msgs: Sequence[Msg]) -> list[_Item]:
        out = []
        for msg in msgs:
            meta = msg.metadata
            try:
                out.append(_Item(meta.sequence.stream, msg, decode(msg.data, msg.subject), None, meta.num_delivered))
            except DecodeError as exc:
                out.append(_Item(meta.sequence.stream, msg, None, exc, meta.num_delivered))
        return out

    async def apply(self, stream: str, items: list[_Item]) -> list[Event]:
        """Apply ``items`` in order, dead-lettering poison ones. Returns the events newly applied.

        Raises ``_Rebuilding`` if a rebuild started (unless this applier is the rebuild).
        """
        done: list[Event] = []
        while items:
            applied, failed_at, error = await asyncio.to_thread(self._apply_txn, stream, items)
            done += applied
            if failed_at is None:
                break
            done += await self._resolve(stream, items[failed_at], error)
            items = items[failed_at + 1:]
        return done

    def _apply_txn(self, stream: str, items: list[_Item]) -> tuple[list[Event], int | None, Exception | None]:
        """One transaction for the whole list; on a failure, commit the good prefix and say where it failed."""
        try:
            return self._commit(stream, items), None, None
        except _Failed as failure:
            index, error = failure.index, failure.error
        return (self._commit(stream, items[:index]) if index else []), index, error

    def _commit(self, stream: str, items: list[_Item]) -> list[Event]:
        with self.engine.begin() as conn:
            position = self._lock(conn, stream)
            fresh = [(i, item) for i, item in enumerate(items) if item.seq > position]
            seen = self._seen(conn, [item.event.event_id for _, item in fresh if item.event is not None])
            todo: list[tuple[int, Event]] = []
            for index, item in fresh:
                if item.error is not None:
                    raise _Failed(index, item.error)
                # An id seen before is the same event twice in the log (re-sent after the duplicate window).
                if item.event.event_id not in seen:
                    seen.add(item.event.event_id)
                    todo.append((index, item.event))
            applied = [event for _, event in todo]
            if applied:
                self._apply_events(conn, todo)
                conn.execute(applied_events.insert(), [{"projection": self.projection.name, "event_id": e.event_id}
                                                       for e in applied])
            if fresh:
                self._set_position(conn, stream, fresh[-1][1].seq)
        self.applied += len(applied)
        return applied

    def _apply_events(self, conn: Connection, todo: list[tuple[int, Event]]) -> None:
        """All at once through ``apply_many``; if that fails, one by one in a savepoint to find the culprit."""
        try:
            with conn.begin_nested():
                self.projection.apply_many(conn, [event for _, event in todo])
            return
        except Exception:  # noqa: BLE001 - located below
            pass
        for index, event in todo:
            try:
                self.projection.apply(conn, event)
            except Exception as exc:
                raise _Failed(index, exc) from exc

    def _seen(self, conn: Connection, event_ids: list[str]) -> set[str]:
        if not event_ids:
            return set()
        rows = conn.execute(select(applied_events.c.event_id).where(
            applied_events.c.projection == self.projection.name, applied_events.c.event_id.in_(event_ids)))
        return {row[0] for row in rows}

    def _lock(self, conn: Connection, stream: str) -> int:
        """Lock the projection for this transaction and return the stream's position.

        One writer per projection at a time, whatever stream its batch comes from: ``apply`` may read rows
        that a batch of another stream is changing. SQLite's ``BEGIN IMMEDIATE`` already serialises
        writers; on PostgreSQL the projection's state row is locked until commit.
        """
        name = self.projection.name
        insert_ignore(conn, projection_state, {"projection": name})
        state = select(projection_state.c.rebuilding_since).where(projection_state.c.projection == name)
        if conn.dialect.name == "postgresql":
            state = state.with_for_update()
        if conn.execute(state).scalar() is not None and not self.ignore_rebuilding:
            raise _Rebuilding()
        insert_ignore(conn, positions, {"projection": name, "stream": stream, "position": 0})
        query = select(positions.c.position).where(positions.c.projection == name, positions.c.stream == stream)
        return int(conn.execute(query).scalar_one())

    def _set_position(self, conn: Connection, stream: str, position: int) -> None:
        conn.execute(update(positions).where(positions.c.projection == self.projection.name,
                                             positions.c.stream == stream).values(position=position))

    async def _resolve(self, stream: str, item: _Item, error: Exception | None) -> list[Event]:
        """Retry a failing item with backoff; dead-letter it (and move past it) when it keeps failing."""
        attempt = max(item.deliveries, 1)
        while not isinstance(error, DecodeError) and attempt < self.options.max_deliver:
            delay = backoff_delay(self.options.backoff, attempt)
            log.warning("projection %s: %s seq %d failed (%s); retry %d in %.1fs",
                        self.projection.name, stream, item.seq, error, attempt, delay)
            if item.msg is not None and item.msg.reply:
                await _quietly(item.msg.in_progress())
            await asyncio.sleep(delay)
            attempt += 1
            applied, failed_at, error = await asyncio.to_thread(self._apply_txn, stream, [item])
            if failed_at is None:
                return applied
        reason = error.reason if isinstance(error, DecodeError) else "handler_failed"
        log.error("projection %s: %s seq %d dead-lettered after %d attempts: %s",
                  self.projection.name, stream, item.seq, attempt, error)
        if item.msg is not None:
            subject = item.msg.subject
            await dead_letter(self.js, item.msg, self.projection.consumer, Origin(stream, item.seq, subject, attempt),
                              reason, f"{type(error).__name__}: {error}")
        await asyncio.to_thread(self._skip, stream, item.seq)
        self.dead_lettered += 1
        return []

    def _skip(self, stream: str, seq: int) -> None:
        with self.engine.begin() as conn:
            if self._lock(conn, stream) < seq:
                self._set_position(conn, stream, seq)

    def apply_replayed(self, dead_letter_seq: int, event: Event) -> bool:
        """Apply a replayed dead letter out of order, once. Returns False if it was applied before."""
        with self.engine.begin() as conn:
            done = conn.execute(select(replayed.c.projection).where(
                replayed.c.projection == self.projection.name,
                replayed.c.dead_letter_seq == dead_letter_seq)).first()
            if done:
                return False
            if self._seen(conn, [event.event_id]):
                return False
            self.projection.apply(conn, event)
            conn.execute(replayed.insert().values(projection=self.projection.name, dead_letter_seq=dead_letter_seq))
            conn.execute(applied_events.insert().values(projection=self.projection.name, event_id=event.event_id))
        return True


class _Failed(Exception):
    def __init__(self, index: int, error: Exception) -> None:
        super().__init__(str(error))
        self.index, self.error = index, error


async def _first_of(*events: asyncio.Event, then: asyncio.Event) -> None:
    waits = [asyncio.create_task(e.wait()) for e in events]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waits:
            w.cancel()
    then.set()


async def _quietly(awaitable) -> None:
    try:
        await awaitable
    except Exception:  # noqa: BLE001 - keeping a message alive is best effort
        pass


OnApplied = Callable[[list[Event]], None]

_instance: str | None = None


def set_process_instance(name: str) -> None:
    """Name this process for projection claims (``CHORUS_INSTANCE``; the service runtime calls this).

    A restarted process with the same name takes its claims back at once instead of waiting for them to
    expire, so keep the name stable across restarts (``chorus up`` does; in a container, the host name).
    """
    global _instance
    _instance = name


def process_instance() -> str:
    return _instance or f"{socket.gethostname()}-{os.getpid()}"


@dataclass
class ProjectionRunner:
    """Keeps a projection up to date with the log, live. A ``Component``.

    One runner per database applies a projection: replicas of a service that share a database would
    otherwise split the durable consumer's messages between them and skip each other's. The runner claims
    the projection in its state row (renewed every few seconds, taken over when not renewed for
    ``OWNER_TTL``); the others wait as hot standbys and report themselves ready.
    """

    projection: Projection
    engine: Engine
    js: JetStreamContext
    options: ConsumerOptions = field(default_factory=lambda: ConsumerOptions(batch=500))
    on_applied: OnApplied | None = None
    instance: str = field(default_factory=lambda: process_instance())
    _bound: set[str] = field(default_factory=set)
    standby: bool = False

    OWNER_TTL: ClassVar[timedelta] = timedelta(seconds=15)

    def __post_init__(self) -> None:
        self.name = self.projection.consumer
        self._applier = Applier(self.projection, self.engine, self.js, self.options)

    @property
    def ready(self) -> bool:
        return self.standby or len(self._bound) == len(self.projection.subscriptions) + 1

    def checks(self) -> dict[str, object]:
        return {"role": "standby" if self.standby else "owner", "applied": self.applied}

    @property
    def applied(self) -> int:
        return self._applier.applied

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.to_thread(self.projection.create_tables, self.engine)
        try:
            while not stop.is_set():
                if not await asyncio.to_thread(self._claim):
                    self.standby = True
                    await _sleep_or_stop(stop, self.OWNER_TTL.total_seconds() / 3)
                    continue
                self.standby = False
                await self._own(stop)
        finally:
            await _quietly(asyncio.to_thread(self._release))

    async def _own(self, stop: asyncio.Event) -> None:
        """Apply while this runner holds the claim; return when it is lost or ``stop`` is set."""
        lost = asyncio.Event()

        async def renew() -> None:
            while not stop.is_set():
                await _sleep_or_stop(stop, self.OWNER_TTL.total_seconds() / 3)
                if not stop.is_set() and not await asyncio.to_thread(self._claim):
                    log.warning("projection %s: another instance took over; standing by", self.projection.name)
                    lost.set()
                    return

        halt = asyncio.Event()
        watcher = asyncio.create_task(_first_of(stop, lost, then=halt))
        options = replace(self.options, ack_policy=AckPolicy.ALL)
        pumps = [self._pump(PullSource(self.js, s.stream.name, self.name, s.filter_subjects, options), halt)
                 for s in self.projection.subscriptions]
        replays = PullSource(self.js, DEAD_LETTER.name, f"{self.name}-replays", [retry_subject(self.name)],
                             self.options)
        renewer = asyncio.create_task(renew())
        try:
            await asyncio.gather(*pumps, self._pump_replays(replays, halt))
        finally:
            renewer.cancel()
            watcher.cancel()
            self._bound.clear()

    def _claim(self) -> bool:
        now = datetime.now(UTC)
        name = self.projection.name
        with self.engine.begin() as conn:
            insert_ignore(conn, projection_state, {"projection": name})
            query = select(projection_state.c.owner, projection_state.c.owner_until).where(
                projection_state.c.projection == name)
            if conn.dialect.name == "postgresql":
                query = query.with_for_update()
            owner, until = conn.execute(query).one()
            if until is not None and until.tzinfo is None:
                until = until.replace(tzinfo=UTC)  # SQLite keeps no time zone
            if owner not in (None, self.instance) and until is not None and until > now:
                return False
            conn.execute(update(projection_state).where(projection_state.c.projection == name).values(
                owner=self.instance, owner_until=now + self.OWNER_TTL))
        return True

    def _release(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(projection_state).where(
                projection_state.c.projection == self.projection.name,
                projection_state.c.owner == self.instance).values(owner=None, owner_until=None))

    async def _pump(self, source: PullSource, stop: asyncio.Event) -> None:
        key, idle = source.stream, 0
        while not stop.is_set():
            try:
                if key not in self._bound:
                    if await asyncio.to_thread(self._rebuilding):
                        await _sleep_or_stop(stop, 0.5)
                        continue
                    position = await asyncio.to_thread(self._position, source.stream)
                    await source.open(start_seq=position + 1)
                    self._bound.add(key)
                msgs = await source.fetch()
                if not msgs:
                    idle += 1
                    if idle % 30 == 0 and not await source.exists():
                        self._bound.discard(key)
                    continue
                idle = 0
                try:
                    applied = await self._applier.apply(source.stream, self._applier.items(msgs))
                except _Rebuilding:
                    log.info("projection %s is being rebuilt; pausing", self.projection.name)
                    await source.close()
                    self._bound.discard(key)
                    continue
                await msgs[-1].ack()  # AckPolicy.ALL: acknowledges the whole batch
                if applied and self.on_applied is not None:
                    self.on_applied(applied)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._bound.discard(key)
                log.warning("projection %s: consumer on %s interrupted: %s", self.projection.name, source.stream, exc)
                await _sleep_or_stop(stop, 1.0)
        await source.close()

    async def _pump_replays(self, source: PullSource, stop: asyncio.Event) -> None:
        key = DEAD_LETTER.name
        while not stop.is_set():
            try:
                if key not in self._bound:
                    await source.open()
                    self._bound.add(key)
                for msg in await source.fetch():
                    await self._replay(msg)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._bound.discard(key)
                log.warning("projection %s: replays interrupted: %s", self.projection.name, exc)
                await _sleep_or_stop(stop, 1.0)
        await source.close()

    async def _replay(self, msg: Msg) -> None:
        origin = Origin.of(msg)
        try:
            event = decode(msg.data, origin.subject)
            applied = await asyncio.to_thread(self._applier.apply_replayed, origin.replay_of or 0, event)
        except Exception as exc:
            await dead_letter(self.js, msg, self.name, origin, "replay_failed", f"{type(exc).__name__}: {exc}")
            await msg.ack()
            return
        await msg.ack()
        if applied and self.on_applied is not None:
            self.on_applied([event])

    def _rebuilding(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(projection_state.c.rebuilding_since)
                                .where(projection_state.c.projection == self.projection.name)).scalar() is not None

    def _position(self, stream: str) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(select(positions.c.position).where(
                positions.c.projection == self.projection.name, positions.c.stream == stream)).scalar()
        return int(value or 0)


Progress = Callable[[int, int], None]


async def rebuild(projection: Projection, engine: Engine, js: JetStreamContext, *,
                  progress: Progress | None = None, batch: int = 1000) -> int:
    """Empty the read model and apply the whole log again, in order. Returns the number of events applied."""
    await asyncio.to_thread(projection.create_tables, engine)
    await asyncio.to_thread(_mark_rebuilding, projection, engine, True)
    options = ConsumerOptions(batch=batch, fetch_timeout_s=2.0)
    applier = Applier(projection, engine, js, options, ignore_rebuilding=True)
    try:
        await asyncio.to_thread(_reset, projection, engine)
        totals = {s.stream.name: await _count(js, s) for s in projection.subscriptions}
        total, done = sum(n for n, _ in totals.values()), 0
        if progress:
            progress(0, total)
        for sub in projection.subscriptions:
            count, last_seq = totals[sub.stream.name]
            if count == 0:
                continue
            name = f"rebuild-{projection.name}-{uuid.uuid4().hex[:8]}"
            source = PullSource(js, sub.stream.name, name, sub.filter_subjects,
                                replace(options, ack_policy=AckPolicy.NONE))
            await source.open(start_seq=1)
            try:
                seen = 0
                while seen < count:
                    msgs = await source.fetch()
                    if not msgs:
                        break
                    msgs = [m for m in msgs if m.metadata.sequence.stream <= last_seq]
                    await applier.apply(sub.stream.name, applier.items(msgs))
                    seen += len(msgs)
                    done += len(msgs)
                    if progress:
                        progress(done, total)
                    if msgs and msgs[-1].metadata.sequence.stream >= last_seq:
                        break
            finally:
                await source.close()
                await _quietly(js.delete_consumer(sub.stream.name, name))
    finally:
        await asyncio.to_thread(_mark_rebuilding, projection, engine, False)
    return applier.applied


async def _count(js: JetStreamContext, sub: Subscription) -> tuple[int, int]:
    info = await js.stream_info(sub.stream.name, subjects_filter=">")
    subjects = info.state.subjects or {}
    wanted = set(sub.filter_subjects)
    if any(s.endswith(">") for s in wanted):
        count = info.state.messages
    else:
        count = sum(n for subject, n in subjects.items() if subject in wanted)
    return count, info.state.last_seq


def _reset(projection: Projection, engine: Engine) -> None:
    with engine.begin() as conn:
        projection.reset(conn)
        conn.execute(delete(positions).where(positions.c.projection == projection.name))
        conn.execute(delete(replayed).where(replayed.c.projection == projection.name))
        conn.execute(delete(applied_events).where(applied_events.c.projection == projection.name))


def _mark_rebuilding(projection: Projection, engine: Engine, on: bool) -> None:
    now = datetime.now(UTC)
    with engine.begin() as conn:
        insert_ignore(conn, projection_state, {"projection": projection.name})
        values = {"rebuilding_since": now} if on else {"rebuilding_since": None, "rebuilt_at": now}
        conn.execute(update(projection_state).where(projection_state.c.projection == projection.name).values(**values))
