"""``RecurringPosts``: appends the occurrences of recurring series as ``post.scheduled``, ahead of time.

Every ``interval_s`` it looks at each active series and appends the occurrences due within ``ahead`` that
were not appended yet, then records how far it got (``appended_until``). Post ids and event ids are
derived from the series and the occurrence's date (``recurrence.occurrence_post_id``), so a restart
between appending and recording, or two inbox replicas doing the same, schedules each occurrence once.
An occurrence that cannot be built (its text now too long under an edited preset, say) is not appended;
the reason is kept on the series and shown on the recurring page, and it is tried again at the next run.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, update

from chorus.backbone.store import EventStore
from chorus.inbox.domain import InboxError
from chorus.inbox.posts import compose, context, handlers, store
from chorus.inbox.posts.tables import series as series_table

log = logging.getLogger(__name__)


class RecurringPosts:
    name = "inbox-recurring"

    def __init__(self, engine: Engine, event_store: EventStore, *, ahead: timedelta, interval_s: float = 30.0,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.engine, self.store, self.ahead, self.interval_s, self.clock = engine, event_store, ahead, interval_s, clock
        self.ready = True
        self.appended = 0

    def checks(self) -> dict[str, object]:
        return {"appended": self.appended}

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.tick()
            except Exception as exc:  # noqa: BLE001 - the next run tries again; a stopped loop would be silent
                log.warning("recurring posts: %s", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval_s)

    async def tick(self, series_id: str | None = None) -> int:
        """Append what is due for every active series (or one); returns the number of events appended."""
        active = await asyncio.to_thread(self._active)
        count = 0
        for item in active:
            if series_id is None or item["series_id"] == series_id:
                count += await self.extend(item)
        return count

    def _active(self) -> list[dict]:
        with self.engine.connect() as conn:
            return store.series_of(conn, active=True)

    async def extend(self, item: dict) -> int:
        now = self.clock()
        until = now + self.ahead

        def build():
            with self.engine.connect() as conn:
                ctx = context.load(conn, item["workspace_id"], item["comp"], now, lenient_preset=True)
            return handlers.occurrence_events(item, ctx, compose.recurrence(item["comp"]), until)

        try:
            events = await asyncio.to_thread(build)
        except InboxError as exc:
            await asyncio.to_thread(self._problem, item["series_id"], f"{exc.code}: {exc}")
            return 0
        if events:
            await self.store.append_many(events)
        await asyncio.to_thread(self._done, item["series_id"], until)
        self.appended += len(events)
        return len(events)

    def _done(self, series_id: str, until: datetime) -> None:
        with self.engine.begin() as conn:
            store.appended(conn, series_id, until)
            conn.execute(update(series_table).where(series_table.c.series_id == series_id).values(problem=None))

    def _problem(self, series_id: str, problem: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(series_table).where(series_table.c.series_id == series_id).values(problem=problem[:500]))
