"""The schedule in SQL: reading rows, the claim (the one write the worker makes), the lease, recovery.

Blocking SQLAlchemy work runs in worker threads (``asyncio.to_thread``), never on the loop that acks
messages. On PostgreSQL the claim locks its row (``FOR UPDATE``), so a cancel being applied by the
projection and the claim are serialised; on SQLite every writer begins with ``BEGIN IMMEDIATE``, which
serialises them too.

The lease makes one publisher instance the sender: only its holder may claim. An instance restarted under
the same ``CHORUS_INSTANCE`` name takes its own lease back at once; another instance waits for it to
expire (a standby).
"""
from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, select, update
from sqlalchemy.engine import Connection, RowMapping

from chorus.backbone.db import insert_ignore, projection_state
from chorus.events.inbox import ReplyTarget
from chorus.events.values import MediaRef, Network
from chorus.publisher.domain import ACTIONABLE, Item, Kind, State, Workspace, utc
from chorus.publisher.ports import Schedule
from chorus.publisher.tables import accounts, items, lease, runtime, workspaces

LEASE_NAME = "publisher"
PROJECTION = "publisher"


@dataclass(frozen=True)
class Due:
    key: str
    due_at: float
    account_id: str
    network: Network


def to_item(row: RowMapping) -> Item:
    target = ReplyTarget.model_validate_json(row["target"]).model_dump() if row["target"] else {}
    media = tuple(MediaRef.model_validate(m) for m in json.loads(row["media"] or "[]"))
    return Item(
        key=row["key"], kind=Kind(row["kind"]), workspace_id=row["workspace_id"], account_id=row["account_id"],
        network=Network(row["network"]), text=row["text"], publish_at=utc(row["publish_at"]),
        due_at=utc(row["due_at"]), state=State(row["state"]), post_id=row["post_id"], reply_id=row["reply_id"],
        conversation_id=row["conversation_id"], target=target, media=media, campaign=row["campaign"],
        attempts=row["attempts"], logged_attempt=row["logged_attempt"], version=row["version"],
        intent_at=utc(row["intent_at"]) if row["intent_at"] is not None else None,
        cancel_requested=bool(row["cancel_requested"]), rounds=row["rounds"], deferred=bool(row["deferred"]),
        source_event_id=row["source_event_id"] or "", correlation_id=row["correlation_id"] or "")


class SqlSchedule(Schedule):
    def __init__(self, engine: Engine, read_engine: Engine, *, holder: str,
                 default_lateness: timedelta = timedelta(minutes=60)) -> None:
        self.engine, self.read_engine, self.holder = engine, read_engine, holder
        self.default_lateness = default_lateness

    def create_tables(self) -> None:
        runtime.create_all(self.engine)

    # --- the port --------------------------------------------------------------------------------
    async def load(self, key: str) -> Item | None:
        return await asyncio.to_thread(self._load, key)

    def _load(self, key: str) -> Item | None:
        with self.read_engine.connect() as conn:
            row = conn.execute(select(items).where(items.c.key == key)).mappings().first()
        return to_item(row) if row is not None else None

    async def workspace(self, workspace_id: str) -> Workspace:
        return await asyncio.to_thread(self._workspace, workspace_id)

    def _workspace(self, workspace_id: str) -> Workspace:
        with self.read_engine.connect() as conn:
            row = conn.execute(select(workspaces).where(workspaces.c.workspace_id == workspace_id)).first()
        if row is None:
            return Workspace(lateness=self.default_lateness)
        return Workspace(time_zone=row.time_zone, lateness=timedelta(minutes=row.lateness_minutes))

    async def claim(self, item: Item, attempt: int, now: datetime) -> Item | None:
        return await asyncio.to_thread(self._claim, item, attempt, now.timestamp())

    def _claim(self, item: Item, attempt: int, now: float) -> Item | None:
        with self.engine.begin() as conn:
            if not self._may_send(conn, now):
                return None
            query = select(items).where(items.c.key == item.key)
            if conn.dialect.name == "postgresql":
                query = query.with_for_update()
            row = conn.execute(query).mappings().first()
            if (row is None or row["state"] not in ACTIONABLE or row["attempts"] != item.attempts
                    or row["version"] != item.version or row["cancel_requested"]):
                return None  # cancelled, edited, or claimed since it was read: not sent
            # ``intent_at`` is written by the projection from the ``*Attempted`` event, as a rebuild does.
            conn.execute(update(items).where(items.c.key == item.key).values(
                state=State.SENDING.value, attempts=attempt, claimed_from=row["state"], claimed_at=now))
        intent_at = row["intent_at"] if row["intent_at"] is not None else now
        return replace(to_item(row), state=State.SENDING, attempts=attempt, intent_at=utc(intent_at))

    async def release(self, item: Item, attempt: int) -> None:
        await asyncio.to_thread(self._release, item.key, attempt)

    def _release(self, key: str, attempt: int) -> bool:
        with self.engine.begin() as conn:
            done = conn.execute(update(items).where(
                items.c.key == key, items.c.state == State.SENDING.value, items.c.attempts == attempt,
                items.c.logged_attempt < attempt,
            ).values(state=func.coalesce(items.c.claimed_from, State.SCHEDULED.value), attempts=attempt - 1))
        return done.rowcount == 1

    def _may_send(self, conn: Connection, now: float) -> bool:
        rebuilding = conn.execute(select(projection_state.c.rebuilding_since)
                                  .where(projection_state.c.projection == PROJECTION)).scalar()
        if rebuilding is not None:
            return False
        held = conn.execute(select(lease.c.holder, lease.c.expires_at).where(lease.c.name == LEASE_NAME)).first()
        return held is not None and held.holder == self.holder and held.expires_at > now

    # --- for the dispatcher -------------------------------------------------------------------------
    async def upcoming(self, until: float, limit: int) -> list[Due]:
        return await asyncio.to_thread(self._upcoming, until, limit)

    def _upcoming(self, until: float, limit: int) -> list[Due]:
        query = (select(items.c.key, items.c.due_at, items.c.account_id, items.c.network)
                 .where(items.c.state.in_([s.value for s in ACTIONABLE]), items.c.due_at <= until)
                 .order_by(items.c.due_at).limit(limit))
        with self.read_engine.connect() as conn:
            return [Due(r.key, r.due_at, r.account_id, Network(r.network)) for r in conn.execute(query)]

    async def in_flight(self) -> list[Item]:
        """Rows marked as sending (at start: by an instance that stopped before it learnt the outcome)."""
        return await asyncio.to_thread(self._in_flight)

    def _in_flight(self) -> list[Item]:
        with self.read_engine.connect() as conn:
            rows = conn.execute(select(items).where(items.c.state == State.SENDING.value)).mappings().all()
        return [to_item(r) for r in rows]

    async def revert(self, item: Item) -> bool:
        """Undo a claim whose intent never reached the log (so the network was never called)."""
        return await asyncio.to_thread(self._release, item.key, item.attempts)

    async def account_status(self, account_id: str) -> tuple[str, str | None] | None:
        return await asyncio.to_thread(self._account_status, account_id)

    def _account_status(self, account_id: str) -> tuple[str, str | None] | None:
        with self.read_engine.connect() as conn:
            row = conn.execute(select(accounts.c.status, accounts.c.reason)
                               .where(accounts.c.account_id == account_id)).first()
        return (row.status, row.reason) if row else None

    async def rebuild_marker(self) -> tuple[bool, object]:
        """(a rebuild is running, when the last one ended), to notice ``chorus replay publisher``."""
        return await asyncio.to_thread(self._rebuild_marker)

    def _rebuild_marker(self) -> tuple[bool, object]:
        with self.read_engine.connect() as conn:
            row = conn.execute(select(projection_state.c.rebuilding_since, projection_state.c.rebuilt_at)
                               .where(projection_state.c.projection == PROJECTION)).first()
        return (False, None) if row is None else (row.rebuilding_since is not None, row.rebuilt_at)

    # --- the lease ---------------------------------------------------------------------------------
    async def take_lease(self, ttl_s: float, now: datetime) -> bool:
        return await asyncio.to_thread(self._take_lease, ttl_s, now.timestamp())

    def _take_lease(self, ttl_s: float, now: float) -> bool:
        with self.engine.begin() as conn:
            insert_ignore(conn, lease, {"name": LEASE_NAME, "holder": self.holder, "expires_at": now + ttl_s})
            taken = conn.execute(update(lease).where(
                lease.c.name == LEASE_NAME, (lease.c.holder == self.holder) | (lease.c.expires_at < now),
            ).values(holder=self.holder, expires_at=now + ttl_s))
        return taken.rowcount == 1

    async def drop_lease(self) -> None:
        await asyncio.to_thread(self._drop_lease)

    def _drop_lease(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(lease).where(lease.c.name == LEASE_NAME, lease.c.holder == self.holder)
                         .values(expires_at=0.0))
