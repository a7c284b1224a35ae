"""Mention statistics: items by sentiment per workspace, account, network, kind and UTC day.

Built from the log alone: the item events give each item's day, kind and whether the brand wrote it;
``sentiment.classified`` gives the machine's label; ``sentiment.corrected`` a manager's. Per item:

- the counted label is the latest correction if there is one, else the latest machine label;
- "latest" machine label means the classification that happened last (``occurred_at``), so a re-score
  with a new classifier version replaces the old one, and an old event replayed late does not;
- a machine label that says nothing (language ``other``, or nothing to read) counts as ``unclassified``,
  apart from the three labels, unless a manager corrected it;
- an item counts once its day and a label are both known (the streams are read independently, so either
  may come first); the brand's own comments never count.

``monitor_stat_items`` keeps the per-item state, ``monitor_mention_stats`` the counters; each batch moves
an item from its old counter to its new one. Read through ``views.py``.
"""
from __future__ import annotations

import zlib

from sqlalchemy import Boolean, Column, Date, DateTime, Integer, MetaData, String, Table, select, text, tuple_, update
from sqlalchemy.engine import Connection

from chorus.backbone.consumer import subscriptions_for
from chorus.backbone.db import insert_ignore, upsert
from chorus.backbone.projection import Projection
from chorus.events import Event, SentimentClassified, SentimentCorrected
from chorus.monitor.domain import ITEM_EVENTS, as_utc, day_of, item_of, stats_label

metadata = MetaData()

stat_items = Table(
    "monitor_stat_items", metadata,
    Column("workspace_id", String(64), primary_key=True),
    Column("item_key", String(400), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("network", String(16), nullable=False),
    Column("account_id", String(128), nullable=False),
    Column("day", Date, nullable=True),
    Column("own", Boolean, nullable=False, default=False),
    Column("machine_label", String(16), nullable=True),
    Column("machine_at", DateTime(timezone=True), nullable=True),
    Column("corrected_label", String(16), nullable=True),
)

mention_stats = Table(
    "monitor_mention_stats", metadata,
    Column("workspace_id", String(64), primary_key=True),
    Column("account_id", String(128), primary_key=True),
    Column("network", String(16), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("label", String(16), primary_key=True),
    Column("count", Integer, nullable=False),
)

_COLUMNS = [c.name for c in stat_items.columns]
_CHUNK = 400
_LOCK_KEY = zlib.crc32(b"monitor-mention-stats")


def _bucket(row: dict) -> tuple | None:
    """The counter an item row counts in, or None."""
    label = row["corrected_label"] or row["machine_label"]
    if row["day"] is None or row["own"] or label is None:
        return None
    return (row["workspace_id"], row["account_id"], row["network"], row["day"], row["kind"], label)


class MentionStatsProjection(Projection):
    name = "monitor-mention-stats"
    subscriptions = subscriptions_for(*ITEM_EVENTS, SentimentClassified, SentimentCorrected)
    metadata = metadata

    def apply(self, conn: Connection, event: Event) -> None:
        self.apply_many(conn, [event])

    def apply_many(self, conn: Connection, events: list[Event]) -> None:
        if conn.dialect.name == "postgresql":
            # The runner applies each stream in its own transaction, concurrently, and an item's rows are
            # changed from three streams: serialise this projection's writers (SQLite's BEGIN IMMEDIATE
            # already does), or two transactions could each read the row before the other's write.
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        rows = self._load(conn, {key for event in events if (key := _key(event)) is not None})
        before = {key: _bucket(row) for key, row in rows.items()}
        for event in events:
            _change(rows, event)
        deltas: dict[tuple, int] = {}
        for key, row in rows.items():
            old, new = before.get(key), _bucket(row)
            if old != new:
                if old is not None:
                    deltas[old] = deltas.get(old, 0) - 1
                if new is not None:
                    deltas[new] = deltas.get(new, 0) + 1
        upsert(conn, stat_items, list(rows.values()), ["workspace_id", "item_key"])
        for (ws, account, network, day, kind, label), delta in deltas.items():
            if delta == 0:
                continue
            insert_ignore(conn, mention_stats, {"workspace_id": ws, "account_id": account, "network": network,
                                                "day": day, "kind": kind, "label": label, "count": 0})
            conn.execute(update(mention_stats).where(
                mention_stats.c.workspace_id == ws, mention_stats.c.account_id == account,
                mention_stats.c.network == network, mention_stats.c.day == day, mention_stats.c.kind == kind,
                mention_stats.c.label == label).values(count=mention_stats.c.count + delta))

    @staticmethod
    def _load(conn: Connection, keys: set[tuple[str, str]]) -> dict[tuple[str, str], dict]:
        found: dict[tuple[str, str], dict] = {}
        ordered = sorted(keys)
        for start in range(0, len(ordered), _CHUNK):
            chunk = ordered[start:start + _CHUNK]
            query = select(stat_items).where(tuple_(stat_items.c.workspace_id, stat_items.c.item_key).in_(chunk))
            for row in conn.execute(query):
                data = dict(row._mapping)
                found[(data["workspace_id"], data["item_key"])] = data
        return found


def _key(event: Event) -> tuple[str, str] | None:
    if isinstance(event, (SentimentClassified, SentimentCorrected)):
        return event.workspace_id, event.item.key
    item = item_of(event)
    return (item.workspace_id, item.key) if item is not None else None


def _row(rows: dict[tuple[str, str], dict], key: tuple[str, str], ref) -> dict:
    row = rows.get(key)
    if row is None:
        row = dict.fromkeys(_COLUMNS)
        row.update(workspace_id=key[0], item_key=key[1], kind=ref.kind.value, network=ref.network.value,
                   account_id=ref.account_id, own=False)
        rows[key] = row
    return row


def _change(rows: dict[tuple[str, str], dict], event: Event) -> None:
    if isinstance(event, SentimentClassified):
        row = _row(rows, (event.workspace_id, event.item.key), event.item)
        at = as_utc(row["machine_at"])
        if at is None or event.occurred_at >= at:
            row["machine_label"] = stats_label(event.label.value, event.language, event.score)
            row["machine_at"] = event.occurred_at
    elif isinstance(event, SentimentCorrected):
        row = _row(rows, (event.workspace_id, event.item.key), event.item)
        row["corrected_label"] = event.label.value
    else:
        item = item_of(event)
        if item is None:
            return
        row = _row(rows, (item.workspace_id, item.key), item.ref)
        if row["day"] is None:
            row["day"] = day_of(item.created_at)
        row["own"] = bool(row["own"]) or item.from_account
