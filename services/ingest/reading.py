"""Reading one source of one account until told to stop: poll, store, move the cursor, pace, back off.

The loop's promises:

- a batch's events are appended (JetStream acknowledged each) before its cursor is written, so a crash
  re-reads at most one batch, which JetStream drops by event id;
- transient failures (``RetryLater``, timeouts, connection errors, anything unexpected from an adapter)
  back off exponentially with jitter, never sooner than the network's ``retry_after``;
- ``TokenInvalid`` reports the token expired (once per connection) and ends the loop: nothing polls a dead
  token until the account is connected again;
- ``PermissionMissing`` ends this source only, in a visible state; the account's other sources go on;
- a pause longer than the network lets a reader page back is recorded as a gap (once, when reading resumes,
  before the first batch after it).
"""
from __future__ import annotations

import asyncio
import logging
import random
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from chorus.backbone.store import EventStore
from chorus.events import utcnow
from chorus.ingest import handlers
from chorus.ingest.adapters.cursors import Checkpoint, CursorStore, Moved
from chorus.ingest.config import Timing
from chorus.ingest.domain import AccountRecord, Backoff, State, horizon, is_long_poll, outage_gap, token_kind
from chorus.ingest.progress import Board, SourceProgress
from chorus.networks.base import Reader
from chorus.networks.credentials import Credentials
from chorus.networks.errors import NetworkError, PermissionMissing, RetryLater, TokenInvalid, redact

log = logging.getLogger(__name__)


class Nudges:
    """Wakes an account's polling sources before their interval ends (a webhook said there is news)."""

    def __init__(self) -> None:
        self._waiting: dict[str, set[asyncio.Event]] = {}

    def nudge(self, account_id: str) -> int:
        waiting = self._waiting.get(account_id, set())
        for event in waiting:
            event.set()
        return len(waiting)

    async def pause(self, account_id: str, stop: asyncio.Event, seconds: float) -> None:
        woken = asyncio.Event()
        self._waiting.setdefault(account_id, set()).add(woken)
        try:
            waits = {asyncio.ensure_future(stop.wait()), asyncio.ensure_future(woken.wait())}
            await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
            for task in waits:
                task.cancel()
        finally:
            self._waiting[account_id].discard(woken)
            if not self._waiting[account_id]:
                del self._waiting[account_id]


@dataclass
class Deps:
    """What every reading loop of a process shares."""

    store: EventStore
    cursors: CursorStore
    board: Board
    dead_letters: handlers.DeadLetterKeeper
    timing: Timing
    me: str
    rng: random.Random
    nudges: Nudges = field(default_factory=Nudges)
    clock: Callable[[], datetime] = utcnow


def describe(exc: BaseException) -> str:
    """A one-line, token-free description of an error, with where an unexpected one came from."""
    text = f"{type(exc).__name__}: {exc}" if not isinstance(exc, NetworkError) else str(exc)
    if not isinstance(exc, NetworkError | TimeoutError) and exc.__traceback__ is not None:
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        text += f" (at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno})"
    return redact(" ".join(text.split()))[:500]


async def pause(stop: asyncio.Event, seconds: float) -> None:
    if seconds <= 0:
        return
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass


class SourceLoop:
    def __init__(self, account: AccountRecord, credentials: Credentials, reader: Reader, deps: Deps) -> None:
        self.account = account
        self.credentials = credentials
        self.reader = reader
        self.source = reader.source
        self.deps = deps
        self.progress = SourceProgress(deps.board, account, self.source, deps.me, deps.timing.status_interval_s)
        self._horizon = horizon(account.network, self.source, credentials.settings)
        self._long_poll = is_long_poll(account.network, self.source)

    async def run(self, stop: asyncio.Event) -> State:
        """Read until ``stop``; returns the state the source ended in."""
        d = self.deps
        backoff = Backoff(d.timing.backoff_min_s, d.timing.backoff_max_s)
        await self.progress.resume()
        checkpoint = await self._load(stop, backoff)
        last_ok = checkpoint.polled_at if checkpoint else None
        await self.progress.set(State.READING)
        while checkpoint is not None and not stop.is_set():
            started = d.clock()
            try:
                batch = await asyncio.wait_for(self.reader.poll(checkpoint.cursor), d.timing.poll_timeout_s)
            except TokenInvalid as exc:
                kind = token_kind(self.account.network, self.source, self.account.token_kinds)
                log.warning("ingest: %s %s: the %s token stopped working: %s", self.account.account_id,
                            self.source, kind, describe(exc))
                await self._expire(exc, kind, stop, backoff)
                return State.TOKEN_EXPIRED
            except PermissionMissing as exc:
                log.warning("ingest: %s %s stops: %s", self.account.account_id, self.source, describe(exc))
                await self.progress.set(State.PERMISSION_MISSING, describe(exc))
                return State.PERMISSION_MISSING
            except Exception as exc:  # noqa: BLE001 - RetryLater, timeouts, connection errors, an adapter's bug
                await self._back_off(exc, backoff, stop)
                continue
            try:
                last_ok = await self._record_outage(last_ok, started)
                stored = await handlers.store_batch(batch, account=self.account, source=self.source, store=d.store,
                                                    dead_letters=d.dead_letters, last_ok=last_ok)
                cursor = batch.cursor if batch.cursor is not None else checkpoint.cursor
                checkpoint = await d.cursors.save(self.account.account_id, self.source, cursor, started,
                                                  checkpoint.revision)
            except Moved:
                log.info("ingest: %s %s: cursor moved by another replica; reloading", self.account.account_id,
                         self.source)
                checkpoint = await self._load(stop, backoff)
                continue
            except Exception as exc:  # noqa: BLE001 - NATS unreachable: nothing is lost, the batch is read again
                await self._back_off(exc, backoff, stop)
                continue
            backoff.reset()
            last_ok = started
            if stored.rejected:
                log.warning("ingest: %s %s: %d payload(s) could not be mapped; kept as dead letters",
                            self.account.account_id, self.source, stored.rejected)
            if self.progress.state is not State.READING:
                await self.progress.set(State.READING)
            await self.progress.count(polled_at=started, new=stored.new, duplicates=stored.duplicates,
                                      rejected=stored.rejected, gaps=1 if stored.gap else 0, newest=stored.newest)
            if not self._long_poll and not batch.events:
                await d.nudges.pause(self.account.account_id, stop, d.timing.poll_interval_s[self.account.network])
        return State.STOPPED

    async def _load(self, stop: asyncio.Event, backoff: Backoff) -> Checkpoint | None:
        """The stored checkpoint (retried while NATS is unreachable); ``None`` when stopped meanwhile."""
        while not stop.is_set():
            try:
                return await self.deps.cursors.load(self.account.account_id, self.source)
            except Exception as exc:  # noqa: BLE001 - NATS unreachable
                await self._back_off(exc, backoff, stop)
        return None

    async def _record_outage(self, last_ok: datetime | None, now: datetime) -> datetime | None:
        gap = outage_gap(last_ok, now, self._horizon)
        if gap is None:
            return last_ok
        assert self._horizon is not None
        reason = (f"{self.source} was not read for {_span(now - gap[0])}; {self.account.network.value} lets a "
                  f"reader page back only {_span(self._horizon)}")
        event = handlers.gap_recorded(self.account, self.source, gap[0], gap[1], reason)
        await handlers.record_gap(event, store=self.deps.store)
        await self.progress.count(gaps=1)
        log.warning("ingest: %s %s: gap from %s to %s recorded", self.account.account_id, self.source,
                    gap[0].isoformat(), gap[1].isoformat())
        return gap[1]

    async def _expire(self, exc: TokenInvalid, kind: str, stop: asyncio.Event, backoff: Backoff) -> None:
        while not stop.is_set():
            try:
                await handlers.expire_token(exc, credentials=self.credentials, token_kind=kind, store=self.deps.store)
                break
            except Exception as error:  # noqa: BLE001 - NATS unreachable: the report must still go out, once
                delay = backoff.next(None, self.deps.rng)
                log.warning("ingest: cannot report the expired token yet (%s); again in %.1fs", describe(error), delay)
                await pause(stop, delay)
        await self.progress.set(State.TOKEN_EXPIRED, f"the {kind} token stopped working; reconnect the account")

    async def _back_off(self, exc: BaseException, backoff: Backoff, stop: asyncio.Event) -> None:
        retry_after = exc.retry_after if isinstance(exc, NetworkError) else None
        delay = backoff.next(retry_after, self.deps.rng)
        detail = describe(exc) if not isinstance(exc, TimeoutError) else "the poll took too long"
        level = logging.INFO if isinstance(exc, RetryLater) and backoff.failures < 3 else logging.WARNING
        log.log(level, "ingest: %s %s: %s; retrying in %.1fs", self.account.account_id, self.source, detail, delay)
        await self.progress.failed()
        await self.progress.set(State.BACKING_OFF, detail, self.deps.clock() + timedelta(seconds=delay))
        await pause(stop, delay)


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds >= 2 * 86400:
        return f"{seconds // 86400} days"
    if seconds >= 2 * 3600:
        return f"{seconds // 3600} hours"
    return f"{max(seconds // 60, 1)} minutes"
