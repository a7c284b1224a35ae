"""One source's status record (state, times, counters), written to the status bucket without slowing reading.

A change of state is written at once; counters and times at most every ``interval_s``, and at least every
``HEARTBEAT_S`` so a stale record shows. Counters continue from the record a previous holder left, so they
count for the account, not for one process. Writing is best effort: the status bucket being unreachable
must never stop reading (NATS being down stops the appends anyway, and that shows as backing off).
"""
from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any, Protocol

from chorus.events import utcnow
from chorus.ingest.domain import AccountRecord, State

log = logging.getLogger(__name__)

HEARTBEAT_S = 30.0
COUNTERS = ("events", "duplicates", "rejected", "gaps", "errors")


class Board(Protocol):
    async def put_source(self, account_id: str, source: str, record: dict[str, Any]) -> None: ...

    async def get_source(self, account_id: str, source: str) -> dict[str, Any] | None: ...

    async def put_account(self, account_id: str, record: dict[str, Any]) -> None: ...


class SourceProgress:
    def __init__(self, board: Board, account: AccountRecord, source: str, holder: str, interval_s: float) -> None:
        self._board = board
        self._interval = interval_s
        self._written = 0.0
        self._dirty = False
        self.record: dict[str, Any] = {
            "account_id": account.account_id, "workspace_id": account.workspace_id,
            "network": account.network.value, "account_name": account.name, "source": source,
            "state": State.STARTING.value, "detail": "", "until": None, "holder": holder,
            "last_event_at": None, "last_stored_at": None, "polled_at": None,
            **{name: 0 for name in COUNTERS}, "updated_at": None,
        }

    async def resume(self) -> None:
        """Continue the counters and times of the record a previous holder (or run) left."""
        try:
            old = await self._board.get_source(self.record["account_id"], self.record["source"])
        except Exception as exc:  # noqa: BLE001 - best effort, see module doc
            log.debug("status record not readable: %s", exc)
            return
        for name in COUNTERS:
            if isinstance((old or {}).get(name), int):
                self.record[name] = old[name]
        for name in ("last_event_at", "last_stored_at", "polled_at"):
            if isinstance((old or {}).get(name), str):
                self.record[name] = old[name]

    @property
    def state(self) -> State:
        return State(self.record["state"])

    async def set(self, state: State, detail: str = "", until: datetime | None = None) -> None:
        changed = (state.value, detail) != (self.record["state"], self.record["detail"])
        self.record.update(state=state.value, detail=detail, until=until.isoformat() if until else None)
        if changed:
            await self.flush()

    async def count(self, *, polled_at: datetime | None = None, new: int = 0, duplicates: int = 0, rejected: int = 0,
                    gaps: int = 0, newest: datetime | None = None) -> None:
        r = self.record
        r["events"] += new
        r["duplicates"] += duplicates
        r["rejected"] += rejected
        r["gaps"] += gaps
        if polled_at is not None:
            r["polled_at"] = polled_at.isoformat()
        if new:
            r["last_stored_at"] = utcnow().isoformat()
        if newest is not None and (r["last_event_at"] is None or newest.isoformat() > r["last_event_at"]):
            r["last_event_at"] = newest.isoformat()
        self._dirty = True
        await self.tick()

    async def failed(self) -> None:
        self.record["errors"] += 1
        self._dirty = True

    async def tick(self) -> None:
        elapsed = time.monotonic() - self._written
        if (self._dirty and elapsed >= self._interval) or elapsed >= HEARTBEAT_S:
            await self.flush()

    async def flush(self) -> None:
        self.record["updated_at"] = utcnow().isoformat()
        try:
            await self._board.put_source(self.record["account_id"], self.record["source"], self.record)
        except Exception as exc:  # noqa: BLE001 - best effort, see module doc
            log.debug("status record not written: %s", exc)
            return
        self._written = time.monotonic()
        self._dirty = False
