"""The delivery table: one row per alert and destination, the record that makes delivery happen once.

States: ``pending`` (due at ``next_attempt_at``) -> ``in_flight`` (an attempt started; committed *before*
anything is sent) -> ``delivered`` | ``pending`` again (retry later) | ``failed`` (given up). ``skipped``
marks alerts too old to deliver when they were scheduled.

A row is created once (insert-or-ignore on the primary key), so an ``alert.raised`` read twice never
schedules a second delivery. Each destination is worked by one task, one row at a time, so a destination
has at most one attempt in flight. A row still ``in_flight`` when the monitor starts is an attempt whose
outcome was never recorded (the process died mid-send): ``recover`` makes it due again, and that one
possible redelivery carries the same ``X-Chorus-Delivery`` id (webhooks) or Message-ID (e-mail), so the
receiver can drop it. Each finished row is ``reported`` once its ``alert.delivered`` or
``alert.delivery_failed`` event is in the log.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    select,
    update,
)

from chorus.backbone.db import insert_ignore
from chorus.events import AlertRaised, decode, encode
from chorus.monitor.domain import as_utc

PENDING, IN_FLIGHT, DELIVERED, FAILED, SKIPPED = "pending", "in_flight", "delivered", "failed", "skipped"

metadata = MetaData()
deliveries = Table(
    "monitor_deliveries", metadata,
    Column("alert_id", String(64), primary_key=True),
    Column("destination_id", String(128), primary_key=True),
    Column("workspace_id", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("last_error", String(1000), nullable=True),
    Column("permanent", Boolean, nullable=False, default=False),
    Column("destination_kind", String(16), nullable=True),
    Column("alert", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("reported", Boolean, nullable=False, default=False),
    Index("ix_monitor_deliveries_due", "state", "destination_id", "next_attempt_at"),
)


@dataclass(frozen=True)
class Delivery:
    alert: AlertRaised
    destination_id: str
    attempts: int  # including the attempt this object stands for

    @property
    def delivery_id(self) -> str:
        return f"{self.alert.alert_id}:{self.destination_id}"


@dataclass(frozen=True)
class Finished:
    """A finished row whose outcome event may not be in the log yet."""

    alert: AlertRaised
    destination_id: str
    destination_kind: str | None
    state: str
    attempts: int
    error: str | None
    permanent: bool
    finished_at: datetime


class DeliveryQueue:
    """Blocking SQL operations on the delivery table; the worker calls them from a thread."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create_tables(self) -> None:
        metadata.create_all(self.engine)

    def schedule(self, alert: AlertRaised, destination_ids: list[str], now: datetime, *, stale: bool) -> int:
        """Create the rows of an alert (once). Returns how many were new."""
        rows = [{"alert_id": alert.alert_id, "destination_id": d, "workspace_id": alert.workspace_id,
                 "state": SKIPPED if stale else PENDING, "attempts": 0, "next_attempt_at": now,
                 "permanent": False, "alert": encode(alert).decode(), "created_at": now,
                 "finished_at": now if stale else None, "reported": stale}
                for d in dict.fromkeys(destination_ids)]
        if not rows:
            return 0
        with self.engine.begin() as conn:
            before = self._count(conn, alert.alert_id)
            insert_ignore(conn, deliveries, rows)
            return self._count(conn, alert.alert_id) - before

    @staticmethod
    def _count(conn, alert_id: str) -> int:
        return int(conn.execute(select(func.count()).select_from(deliveries)
                                .where(deliveries.c.alert_id == alert_id)).scalar_one())

    def recover(self, now: datetime) -> int:
        """Make attempts interrupted by a crash due again. Returns how many there were."""
        with self.engine.begin() as conn:
            return conn.execute(update(deliveries).where(deliveries.c.state == IN_FLIGHT)
                                .values(state=PENDING, next_attempt_at=now)).rowcount

    def due_destinations(self, now: datetime) -> list[str]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(deliveries.c.destination_id).distinct().where(
                deliveries.c.state == PENDING, deliveries.c.next_attempt_at <= now))
            return [r[0] for r in rows]

    def next_due(self) -> datetime | None:
        with self.engine.connect() as conn:
            return as_utc(conn.execute(select(func.min(deliveries.c.next_attempt_at))
                                     .where(deliveries.c.state == PENDING)).scalar())

    def claim(self, destination_id: str, now: datetime) -> Delivery | None:
        """Start the oldest due attempt for a destination: mark it in flight and count the attempt."""
        with self.engine.begin() as conn:
            row = conn.execute(select(deliveries.c.alert_id, deliveries.c.alert, deliveries.c.attempts).where(
                deliveries.c.destination_id == destination_id, deliveries.c.state == PENDING,
                deliveries.c.next_attempt_at <= now).order_by(deliveries.c.next_attempt_at, deliveries.c.created_at)
                .limit(1)).first()
            if row is None:
                return None
            changed = conn.execute(update(deliveries).where(
                deliveries.c.alert_id == row.alert_id, deliveries.c.destination_id == destination_id,
                deliveries.c.state == PENDING).values(state=IN_FLIGHT, attempts=row.attempts + 1)).rowcount
            if not changed:
                return None
        alert = decode(row.alert)
        assert isinstance(alert, AlertRaised)
        return Delivery(alert, destination_id, row.attempts + 1)

    def delivered(self, delivery: Delivery, kind: str, now: datetime) -> None:
        self._finish(delivery, state=DELIVERED, kind=kind, now=now, error=None, permanent=False)

    def failed(self, delivery: Delivery, kind: str | None, now: datetime, error: str, *, permanent: bool) -> None:
        self._finish(delivery, state=FAILED, kind=kind, now=now, error=error, permanent=permanent)

    def retry(self, delivery: Delivery, kind: str | None, at: datetime, error: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(self._row(delivery).values(state=PENDING, next_attempt_at=at, last_error=error[:1000],
                                                    destination_kind=kind))

    def _finish(self, delivery: Delivery, *, state: str, kind: str | None, now: datetime, error: str | None,
                permanent: bool) -> None:
        with self.engine.begin() as conn:
            conn.execute(self._row(delivery).values(state=state, finished_at=now, destination_kind=kind,
                                                    last_error=error[:1000] if error else None,
                                                    permanent=permanent, reported=False))

    @staticmethod
    def _row(delivery: Delivery):
        return update(deliveries).where(deliveries.c.alert_id == delivery.alert.alert_id,
                                        deliveries.c.destination_id == delivery.destination_id)

    def unreported(self, limit: int = 100) -> list[Finished]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(deliveries).where(
                deliveries.c.reported.is_(False), deliveries.c.state.in_((DELIVERED, FAILED)))
                .order_by(deliveries.c.finished_at).limit(limit)).all()
        out = []
        for row in rows:
            alert = decode(row.alert)
            assert isinstance(alert, AlertRaised)
            out.append(Finished(alert, row.destination_id, row.destination_kind, row.state,
                                row.attempts, row.last_error, row.permanent, as_utc(row.finished_at)))
        return out

    def mark_reported(self, finished: list[Finished]) -> None:
        with self.engine.begin() as conn:
            for f in finished:
                conn.execute(update(deliveries).where(deliveries.c.alert_id == f.alert.alert_id,
                                                      deliveries.c.destination_id == f.destination_id)
                             .values(reported=True))

    def state(self, alert_id: str, destination_id: str) -> dict | None:
        """The row as a dict (for views and tests)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(deliveries).where(deliveries.c.alert_id == alert_id,
                                                        deliveries.c.destination_id == destination_id)).first()
        return dict(row._mapping) if row is not None else None


def backoff(attempts: int, base_s: float, max_s: float) -> timedelta:
    """Delay before the next attempt after ``attempts`` failed ones: base, 2x base, 4x base, ... capped."""
    return timedelta(seconds=min(max_s, base_s * 2 ** max(attempts - 1, 0)))
