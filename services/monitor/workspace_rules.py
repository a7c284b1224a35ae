"""Each workspace's latest rules and destinations, kept from the settings snapshots in the log.

``WorkspaceRulesProjection`` stores the latest ``BrandRulesChanged``, ``AlertRulesChanged``,
``AlertDestinationsChanged`` and ``SentimentRulesChanged`` of each workspace (each event is a complete
snapshot, so the latest one is all there is to know), and the names of its connected accounts, so an
alert says "Telegram Кофейня Zerno", not an account id. ``RulesCache`` serves them to the consumers from
memory; the runner's ``on_applied`` invalidates a workspace as soon as a new snapshot is stored, and a
short time-to-live covers a second process writing the same database.

At start the consumers wait (``wait_until_current``) until the projection has stored every snapshot
already in the log, so the first comments after a restart are never classified without their rules.
"""
from __future__ import annotations

import abc
import asyncio
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from functools import cached_property

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from sqlalchemy import Column, DateTime, Engine, MetaData, String, Table, Text, select
from sqlalchemy.engine import Connection

from chorus.backbone.consumer import subscriptions_for
from chorus.backbone.db import positions, upsert
from chorus.backbone.projection import Projection
from chorus.events import (
    AccountConnected,
    AlertDestination,
    AlertDestinationsChanged,
    AlertRule,
    AlertRulesChanged,
    BrandRule,
    BrandRulesChanged,
    Event,
    SentimentRule,
    SentimentRulesChanged,
)
from chorus.events.streams import INBOX
from chorus.monitor.brand import BrandMatcher

log = logging.getLogger(__name__)

SETTINGS_EVENTS = (BrandRulesChanged, AlertRulesChanged, AlertDestinationsChanged, SentimentRulesChanged)
_KIND = {BrandRulesChanged: "brand", AlertRulesChanged: "alert", AlertDestinationsChanged: "destinations",
         SentimentRulesChanged: "sentiment"}

metadata = MetaData()
workspace_settings = Table(
    "monitor_workspace_settings", metadata,
    Column("workspace_id", String(64), primary_key=True),
    Column("kind", String(20), primary_key=True),
    Column("payload", Text, nullable=False),
    Column("event_id", String(128), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)
account_names = Table(
    "monitor_account_names", metadata,
    Column("account_id", String(64), primary_key=True),
    Column("workspace_id", String(64), nullable=False, index=True),
    Column("name", String(300), nullable=False),
)


@dataclass
class WorkspaceRules:
    """One workspace's latest snapshots (empty lists when it never saved any)."""

    brand: list[BrandRule] = field(default_factory=list)
    alerts: list[AlertRule] = field(default_factory=list)
    destinations: list[AlertDestination] = field(default_factory=list)
    sentiment: list[SentimentRule] = field(default_factory=list)
    #: Connected accounts' names on their networks, by account id.
    account_names: dict[str, str] = field(default_factory=dict)

    @cached_property
    def brand_matcher(self) -> BrandMatcher:
        matcher = BrandMatcher.of(self.brand)
        for error in matcher.errors:
            log.warning("%s; the rule is ignored until it is fixed", error)
        return matcher

    def destination(self, destination_id: str) -> AlertDestination | None:
        return next((d for d in self.destinations if d.destination_id == destination_id), None)

    def alert_rule(self, rule_id: str) -> AlertRule | None:
        return next((r for r in self.alerts if r.rule_id == rule_id), None)


def _payload(event: Event) -> str:
    items = {BrandRulesChanged: "rules", AlertRulesChanged: "rules", SentimentRulesChanged: "rules",
             AlertDestinationsChanged: "destinations"}[type(event)]
    return json.dumps([v.model_dump(mode="json") for v in getattr(event, items)], ensure_ascii=False)


class WorkspaceRulesProjection(Projection):
    name = "monitor-workspace-rules"
    subscriptions = subscriptions_for(*SETTINGS_EVENTS, AccountConnected)
    metadata = metadata

    def apply(self, conn: Connection, event: Event) -> None:
        self.apply_many(conn, [event])

    def apply_many(self, conn: Connection, events: list[Event]) -> None:
        names = {e.account_id: {"account_id": e.account_id, "workspace_id": e.workspace_id, "name": e.name[:300]}
                 for e in events if isinstance(e, AccountConnected)}
        upsert(conn, account_names, list(names.values()), ["account_id"])
        latest: dict[tuple[str, str], dict] = {}
        for event in (e for e in events if not isinstance(e, AccountConnected)):
            kind = _KIND[type(event)]
            latest[(event.workspace_id, kind)] = {"workspace_id": event.workspace_id, "kind": kind,
                                                  "payload": _payload(event), "event_id": event.event_id,
                                                  "changed_at": event.occurred_at}
        upsert(conn, workspace_settings, list(latest.values()), ["workspace_id", "kind"])


def load_rules(conn: Connection, workspace_id: str) -> WorkspaceRules:
    rules = WorkspaceRules()
    rows = conn.execute(select(workspace_settings.c.kind, workspace_settings.c.payload)
                        .where(workspace_settings.c.workspace_id == workspace_id))
    for kind, payload in rows:
        data = json.loads(payload)
        if kind == "brand":
            rules.brand = [BrandRule.model_validate(d) for d in data]
        elif kind == "alert":
            rules.alerts = [AlertRule.model_validate(d) for d in data]
        elif kind == "destinations":
            rules.destinations = [AlertDestination.model_validate(d) for d in data]
        elif kind == "sentiment":
            rules.sentiment = [SentimentRule.model_validate(d) for d in data]
    rules.account_names = dict(conn.execute(select(account_names.c.account_id, account_names.c.name)
                                            .where(account_names.c.workspace_id == workspace_id)).all())
    return rules


def rules_from_events(events: list[Event]) -> dict[str, WorkspaceRules]:
    """The latest rules per workspace from settings events in log order (for replays reading the log)."""
    found: dict[str, WorkspaceRules] = {}
    for event in events:
        rules = found.setdefault(event.workspace_id, WorkspaceRules())
        if isinstance(event, BrandRulesChanged):
            rules.brand = list(event.rules)
        elif isinstance(event, AlertRulesChanged):
            rules.alerts = list(event.rules)
        elif isinstance(event, AlertDestinationsChanged):
            rules.destinations = list(event.destinations)
        elif isinstance(event, SentimentRulesChanged):
            rules.sentiment = list(event.rules)
    return found


class Rules(abc.ABC):
    """Where handlers get a workspace's rules. A port: tests pass a ``StaticRules``."""

    @abc.abstractmethod
    def get(self, workspace_id: str) -> WorkspaceRules:
        """The workspace's latest rules; blocking (handlers run in a worker thread)."""


class StaticRules(Rules):
    def __init__(self, rules: dict[str, WorkspaceRules] | None = None) -> None:
        self.rules = rules or {}

    def get(self, workspace_id: str) -> WorkspaceRules:
        return self.rules.get(workspace_id) or WorkspaceRules()


class RulesCache(Rules):
    """Rules read from the projection's table, cached per workspace (blocking: call it from a thread)."""

    def __init__(self, engine: Engine, ttl_s: float = 30.0) -> None:
        self.engine = engine
        self.ttl_s = ttl_s
        self._cache: dict[str, tuple[float, WorkspaceRules]] = {}
        self._lock = threading.Lock()

    def get(self, workspace_id: str) -> WorkspaceRules:
        hit = self._cache.get(workspace_id)
        if hit is not None and time.monotonic() - hit[0] < self.ttl_s:
            return hit[1]
        with self.engine.connect() as conn:
            rules = load_rules(conn, workspace_id)
        with self._lock:
            self._cache[workspace_id] = (time.monotonic(), rules)
        return rules

    def forget(self, workspace_id: str) -> None:
        with self._lock:
            self._cache.pop(workspace_id, None)

    def invalidate(self, events: list[Event]) -> None:
        """``ProjectionRunner.on_applied``: forget the workspaces whose snapshots just changed."""
        with self._lock:
            for event in events:
                self._cache.pop(event.workspace_id, None)


async def wait_until_current(js: JetStreamContext, engine: Engine, *, poll_s: float = 0.1,
                             stop: asyncio.Event | None = None) -> None:
    """Return once the projection has stored every settings snapshot that was in the log on the call."""
    target = 0
    for cls in SETTINGS_EVENTS:
        try:
            target = max(target, (await js.get_last_msg(INBOX.name, cls.subject())).seq or 0)
        except NotFoundError:
            continue
    name = WorkspaceRulesProjection.name
    while target:
        position = await asyncio.to_thread(_position, engine, name)
        if position >= target or (stop is not None and stop.is_set()):
            return
        await asyncio.sleep(poll_s)


def _position(engine: Engine, projection: str) -> int:
    try:
        with engine.connect() as conn:
            value = conn.execute(select(positions.c.position).where(
                positions.c.projection == projection, positions.c.stream == INBOX.name)).scalar()
    except Exception:  # noqa: BLE001 - the tables are created by the runner a moment later
        return 0
    return int(value or 0)
