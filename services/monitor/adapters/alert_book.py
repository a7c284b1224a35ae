"""What the alert rules remember: recent items (for spike counts) and every alert raised (for cooldowns,
"once per window", and re-sending an alert whose append was interrupted).

A handler works inside one ``AlertBook.transaction()``: it reads counts, decides, and saves the alerts it
raises in the same transaction as the items that caused them. If the process dies after the commit but
before the alerts reach the log, the redelivered input finds its alerts with ``raised_by`` and returns
the same events again (same ids: JetStream stores them once).
"""
from __future__ import annotations

import abc
import contextlib
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Boolean, Column, DateTime, Engine, Index, MetaData, String, Table, Text, func, select, tuple_
from sqlalchemy.engine import Connection

from chorus.backbone.db import insert_ignore
from chorus.events import AlertRaised, ItemRef, decode, encode
from chorus.monitor.domain import Item, as_utc

metadata = MetaData()

alert_items = Table(
    "monitor_alert_items", metadata,
    Column("workspace_id", String(64), primary_key=True),
    Column("item_key", String(400), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("network", String(16), nullable=False),
    Column("account_id", String(128), nullable=False),
    Column("item_id", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("negative", Boolean, nullable=False),
    Index("ix_monitor_alert_items_time", "workspace_id", "negative", "created_at"),
)

alerts = Table(
    "monitor_alerts", metadata,
    Column("alert_id", String(64), primary_key=True),
    Column("workspace_id", String(64), nullable=False),
    Column("rule_id", String(128), nullable=False),
    Column("scope", String(128), nullable=False),
    Column("fired_at", DateTime(timezone=True), nullable=False),
    Column("trigger_event_id", String(128), nullable=False),
    Column("payload", Text, nullable=False),
    Index("ix_monitor_alerts_rule", "workspace_id", "rule_id", "scope", "fired_at"),
    Index("ix_monitor_alerts_trigger", "trigger_event_id"),
)


class AlertLedger(abc.ABC):
    """The book inside one transaction."""

    @abc.abstractmethod
    def raised_by(self, event_ids: list[str]) -> dict[str, list[AlertRaised]]:
        """Alerts already raised because of these input events, by event id."""

    @abc.abstractmethod
    def record_items(self, items: list[tuple[Item, bool]]) -> set[str]:
        """Remember items with whether each is negative (once: recording one again changes nothing).

        Returns the keys of the items that were not known before.
        """

    @abc.abstractmethod
    def count_negative(self, workspace_id: str, accounts: list[str], start: datetime, end: datetime) -> int:
        """Negative items created in [start, end) on these accounts (all accounts when empty)."""

    @abc.abstractmethod
    def negative_items(self, workspace_id: str, accounts: list[str], start: datetime, end: datetime,
                       limit: int) -> list[ItemRef]:
        """The latest negative items of that period, newest first."""

    @abc.abstractmethod
    def last_fired(self, workspace_id: str, rule_id: str, scope: str) -> datetime | None:
        """When the rule last fired for this scope (an account id, or "" for the whole rule)."""

    @abc.abstractmethod
    def exists(self, alert_id: str) -> bool: ...

    @abc.abstractmethod
    def save(self, alert: AlertRaised, *, trigger_event_id: str, scope: str, fired_at: datetime) -> None: ...


class AlertBook(abc.ABC):
    @abc.abstractmethod
    def transaction(self) -> contextlib.AbstractContextManager[AlertLedger]:
        """A ledger whose writes commit together when the block ends without an error."""


class SqlAlertBook(AlertBook):
    """The book in the monitor's SQL database (SQLite or PostgreSQL). Blocking: use from a thread."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create_tables(self) -> None:
        metadata.create_all(self.engine)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[AlertLedger]:
        with self.engine.begin() as conn:
            yield _SqlLedger(conn)


class _SqlLedger(AlertLedger):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def raised_by(self, event_ids: list[str]) -> dict[str, list[AlertRaised]]:
        found: dict[str, list[AlertRaised]] = {}
        if not event_ids:
            return found
        rows = self.conn.execute(select(alerts.c.trigger_event_id, alerts.c.payload)
                                 .where(alerts.c.trigger_event_id.in_(event_ids)))
        for trigger, payload in rows:
            event = decode(payload)
            assert isinstance(event, AlertRaised)
            found.setdefault(trigger, []).append(event)
        return found

    def record_items(self, items: list[tuple[Item, bool]]) -> set[str]:
        rows = {(item.workspace_id, item.key): {
            "workspace_id": item.workspace_id, "item_key": item.key, "kind": item.ref.kind.value,
            "network": item.ref.network.value, "account_id": item.ref.account_id, "item_id": item.ref.item_id,
            "created_at": item.created_at, "negative": negative} for item, negative in items}
        if not rows:
            return set()
        known: set[tuple[str, str]] = set()
        keys = list(rows)
        for start in range(0, len(keys), 400):
            chunk = keys[start:start + 400]
            known.update(tuple(r) for r in self.conn.execute(
                select(alert_items.c.workspace_id, alert_items.c.item_key)
                .where(tuple_(alert_items.c.workspace_id, alert_items.c.item_key).in_(chunk))))
        fresh = [row for key, row in rows.items() if key not in known]
        insert_ignore(self.conn, alert_items, fresh)
        return {row["item_key"] for row in fresh}

    def _negative(self, query, workspace_id: str, accounts: list[str], start: datetime, end: datetime):
        query = query.where(alert_items.c.workspace_id == workspace_id, alert_items.c.negative.is_(True),
                            alert_items.c.created_at >= start, alert_items.c.created_at < end)
        return query.where(alert_items.c.account_id.in_(accounts)) if accounts else query

    def count_negative(self, workspace_id: str, accounts: list[str], start: datetime, end: datetime) -> int:
        query = self._negative(select(func.count()).select_from(alert_items), workspace_id, accounts, start, end)
        return int(self.conn.execute(query).scalar_one())

    def negative_items(self, workspace_id: str, accounts: list[str], start: datetime, end: datetime,
                       limit: int) -> list[ItemRef]:
        query = self._negative(select(alert_items.c.kind, alert_items.c.network, alert_items.c.account_id,
                                      alert_items.c.item_id), workspace_id, accounts, start, end)
        rows = self.conn.execute(query.order_by(alert_items.c.created_at.desc()).limit(limit))
        return [ItemRef(kind=k, network=n, account_id=a, item_id=i) for k, n, a, i in rows]

    def last_fired(self, workspace_id: str, rule_id: str, scope: str) -> datetime | None:
        value = self.conn.execute(select(func.max(alerts.c.fired_at)).where(
            alerts.c.workspace_id == workspace_id, alerts.c.rule_id == rule_id, alerts.c.scope == scope)).scalar()
        return as_utc(value)

    def exists(self, alert_id: str) -> bool:
        return self.conn.execute(select(alerts.c.alert_id).where(alerts.c.alert_id == alert_id)).first() is not None

    def save(self, alert: AlertRaised, *, trigger_event_id: str, scope: str, fired_at: datetime) -> None:
        insert_ignore(self.conn, alerts, {
            "alert_id": alert.alert_id, "workspace_id": alert.workspace_id, "rule_id": alert.rule_id,
            "scope": scope, "fired_at": fired_at, "trigger_event_id": trigger_event_id,
            "payload": encode(alert).decode()})
