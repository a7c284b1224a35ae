"""Reads for pages and the API: every query is limited to the caller's workspaces (``Scope``).

A conversation of a workspace the caller is not a member of is reported as ``NotFound``, exactly like one
that does not exist, so ids of other workspaces cannot be probed.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import desc, select, text, tuple_, union_all
from sqlalchemy.engine import Connection

from chorus.inbox import search as fts
from chorus.inbox import search_views
from chorus.inbox.domain import NotFound
from chorus.inbox.projection.tables import (
    accounts,
    conversations,
    messages,
    sentiments,
    settings,
    tags,
)

PAGE = 50
STATUSES = ("open", "mine", "unassigned", "closed", "all")


def utc(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes (stored as UTC); PostgreSQL aware ones."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True)
class Scope:
    """Who is asking: the user and their role in each of their workspaces."""

    user_id: str
    roles: dict[str, str]

    @property
    def workspaces(self) -> list[str]:
        return sorted(self.roles)

    def role(self, workspace_id: str) -> str | None:
        return self.roles.get(workspace_id)


@dataclass(frozen=True)
class Filters:
    workspace: str | None = None
    network: str | None = None
    account: str | None = None
    kind: str | None = None
    sentiment: str | None = None
    status: str = "open"
    tag: str | None = None
    q: str | None = None
    before: str | None = None  # cursor: "<iso last_at>|<conversation_id>"

    def active(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v and k != "before"}


def _row(r) -> dict[str, Any]:
    out = dict(r._mapping)
    for key, value in out.items():
        if isinstance(value, datetime):
            out[key] = utc(value)
    return out


def _cursor(row: dict[str, Any]) -> str:
    return f"{row['last_at'].isoformat()}|{row['conversation_id']}"


def _parse_cursor(value: str) -> tuple[datetime, str] | None:
    try:
        at, cid = value.split("|", 1)
        return datetime.fromisoformat(at), cid
    except ValueError:
        return None


def list_conversations(conn: Connection, scope: Scope, filters: Filters, *, limit: int = PAGE,
                       ids: list[str] | None = None) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the inbox, newest activity first, and the cursor of the next page (None at the end)."""
    c = conversations.c
    ws = [w for w in scope.workspaces if not filters.workspace or w == filters.workspace]
    if not ws:
        return [], None
    where = [c.last_at.is_not(None), c.account_id.is_not(None)]
    for column, value in ((c.network, filters.network), (c.account_id, filters.account), (c.kind, filters.kind),
                          (c.sentiment, filters.sentiment)):
        if value:
            where.append(column == value)
    status = filters.status if filters.status in STATUSES else "open"
    if status in ("open", "mine", "unassigned"):
        where.append(c.status == "open")
    if status == "closed":
        where.append(c.status == "closed")
    if status == "mine":
        where.append(c.assignee_id == scope.user_id)
    if status == "unassigned":
        where.append(c.assignee_id.is_(None))
    if filters.tag:
        where.append(c.conversation_id.in_(select(tags.c.conversation_id).where(tags.c.workspace_id.in_(ws),
                                                                                tags.c.tag == filters.tag)))
    terms = fts.query_terms(filters.q) if filters.q else []
    if terms and ids is not None:
        where.append(search_views.matching(conn, ws, terms))
    if ids is not None:
        where.append(c.conversation_id.in_(ids))
    cursor = _parse_cursor(filters.before) if filters.before else None
    if cursor:
        where.append(tuple_(c.last_at, c.conversation_id) < tuple_(cursor[0], cursor[1]))
    order = (desc(c.last_at), desc(c.conversation_id))
    if terms and ids is None:
        # A search walks the newest search rows instead of the conversations (see search_views.py).
        narrowed = any((filters.network, filters.account, filters.kind, filters.sentiment, filters.tag)) \
            or status in ("mine", "unassigned")
        rows = _in_order(conn, search_views.newest_matching(conn, ws, terms, where, cursor, limit + 1,
                                                             narrowed=narrowed))
    elif ids is not None or len(ws) == 1:
        # One workspace walks its own index in order.
        rows = [_row(r) for r in conn.execute(select(conversations).where(c.workspace_id.in_(ws), *where)
                                              .order_by(*order).limit(limit + 1))]
    else:
        # Several workspaces: each walks its (workspace, status, last_at) index for one page, and the walks
        # are merged as they go (PostgreSQL: Merge Append), in one statement, instead of sorting every open
        # conversation of all of them. The walks carry only the keys (a subquery of every column costs more
        # to build than to run); the page's rows are read after.
        walks = [select(select(c.last_at, c.conversation_id).where(c.workspace_id == w, *where).order_by(*order)
                        .limit(limit + 1).subquery(f"w{n}")) for n, w in enumerate(ws)]
        merged = union_all(*walks).subquery("merged")
        rows = _in_order(conn, conn.execute(select(merged.c.conversation_id).order_by(
            desc(merged.c.last_at), desc(merged.c.conversation_id)).limit(limit + 1)).scalars().all())
    _attach(conn, rows)
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (_cursor(rows[-1]) if more and rows else None)


def _in_order(conn: Connection, ids: list[str]) -> list[dict[str, Any]]:
    """The conversations of ``ids``, in that order."""
    if not ids:
        return []
    found = {r.conversation_id: _row(r) for r in conn.execute(select(conversations).where(
        conversations.c.conversation_id.in_(ids)))}
    return [found[cid] for cid in ids if cid in found]


def _attach(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Tags and account names for a page of conversations (two queries, not one per row)."""
    ids = [r["conversation_id"] for r in rows]
    by_conv: dict[str, list[str]] = {}
    if ids:
        for t in conn.execute(select(tags.c.conversation_id, tags.c.tag).where(tags.c.conversation_id.in_(ids))
                              .order_by(tags.c.tag)):
            by_conv.setdefault(t.conversation_id, []).append(t.tag)
    names = account_names(conn, {r["account_id"] for r in rows if r["account_id"]})
    for r in rows:
        r["tags"] = by_conv.get(r["conversation_id"], [])
        r["account_name"] = names.get(r["account_id"], r["account_id"])


def account_choices(conn: Connection, workspaces: list[str]) -> list[tuple[str, str]]:
    """(account id, name) of the workspaces' accounts, for the inbox's account filter."""
    rows = conn.execute(select(accounts.c.account_id, accounts.c.name).where(accounts.c.workspace_id.in_(workspaces))
                        .order_by(accounts.c.network, accounts.c.name))
    return [(r.account_id, r.name or r.account_id) for r in rows]


def account_names(conn: Connection, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return {r.account_id: r.name or r.account_id
            for r in conn.execute(select(accounts.c.account_id, accounts.c.name).where(accounts.c.account_id.in_(ids)))}


def conversation(conn: Connection, scope: Scope, conversation_id: str) -> dict[str, Any]:
    row = conn.execute(select(conversations).where(conversations.c.conversation_id == conversation_id,
                                                   conversations.c.workspace_id.in_(scope.workspaces))).first()
    if row is None or row.account_id is None:
        raise NotFound("conversation")
    out = _row(row)
    _attach(conn, [out])
    return out


def thread(conn: Connection, conversation_id: str) -> list[dict[str, Any]]:
    """The conversation's items in order, with sentiment, reply state and whether a retry superseded a failure."""
    m = messages.c
    query = (select(messages, sentiments.c.machine_label, sentiments.c.corrected_label, sentiments.c.score)
             .select_from(messages.outerjoin(sentiments, sentiments.c.item_key == m.message_key))
             .where(m.conversation_id == conversation_id))
    rows = [_row(r) for r in conn.execute(query)]
    echoed = {r["remote_id"] for r in rows if r["message_key"].startswith("reply:") and r["remote_id"]}
    retried = {r["retry_of"] for r in rows if r["retry_of"]}
    out = []
    for r in rows:
        reply = r["message_key"].startswith("reply:")
        if not reply and r["direction"] == "out" and r["item_id"] in echoed:
            continue
        r["is_reply"] = reply
        r["reply_id"] = r["message_key"][6:] if reply else None
        r["state"] = (("sent" if r["sent_at"] else "failed" if r["failure"] else "sending") if reply else None)
        r["retried"] = reply and r["failed_event_id"] in retried
        r["sentiment"] = r["corrected_label"] or r["machine_label"]
        r["activity"] = json.loads(r["activity"]) if r["activity"] else None
        r["attachments"] = json.loads(r["attachments"]) if r["attachments"] else []
        r["sort_at"] = r["at"] or r["sent_at"]
        out.append(r)
    out.sort(key=lambda r: (r["sort_at"] or datetime.max.replace(tzinfo=UTC), r["message_key"]))
    return out


def message(conn: Connection, conversation_id: str, message_key: str) -> dict[str, Any] | None:
    row = conn.execute(select(messages).where(messages.c.message_key == message_key,
                                              messages.c.conversation_id == conversation_id)).first()
    return _row(row) if row else None


def reply_exists(conn: Connection, reply_id: str) -> bool:
    return conn.execute(select(messages.c.message_key).where(messages.c.message_key == f"reply:{reply_id}")).first() \
        is not None


def snapshot(conn: Connection, workspace_id: str, name: str) -> dict[str, Any] | None:
    row = conn.execute(select(settings.c.payload).where(settings.c.workspace_id == workspace_id,
                                                        settings.c.name == name)).first()
    return json.loads(row.payload) if row else None


def tags_in(conn: Connection, workspaces: list[str], limit: int = 200) -> list[str]:
    """The distinct tags of the workspaces, alphabetically (the first ``limit``).

    A workspace has a few dozen tags on hundreds of thousands of tagged conversations, so each workspace's
    tags are read by skipping from one to the next on ``ix_inbox_tags_ws_tag`` (one index probe per distinct
    tag) instead of reading every tag row and de-duplicating.
    """
    found: set[str] = set()
    for workspace in workspaces:
        found.update(conn.execute(_SKIP_TAGS, {"ws": workspace, "limit": limit}).scalars())
    return sorted(found)[:limit]


_SKIP_TAGS = text("""
WITH RECURSIVE skip(tag, n) AS (
  SELECT (SELECT min(tag) FROM inbox_tags WHERE workspace_id = :ws), 1
  UNION ALL
  SELECT (SELECT min(tag) FROM inbox_tags WHERE workspace_id = :ws AND tag > skip.tag), n + 1
  FROM skip WHERE skip.tag IS NOT NULL AND n < :limit
)
SELECT tag FROM skip WHERE tag IS NOT NULL
""")


def recent_items(conn: Connection, workspace_id: str, since: datetime, limit: int = 20000) -> list[dict[str, Any]]:
    """Inbound items of a workspace since a time, for previewing what a rule would have matched."""
    m = messages.c
    query = (select(m.message_key, m.conversation_id, m.text, m.at, m.author_name, conversations.c.network,
                    conversations.c.kind)
             .select_from(messages.join(conversations, conversations.c.conversation_id == m.conversation_id))
             .where(m.workspace_id == workspace_id, m.direction == "in", m.at >= since)
             .order_by(desc(m.at)).limit(limit))
    return [_row(r) for r in conn.execute(query)]


def neighbours(conn: Connection, scope: Scope, conv: dict[str, Any]) -> tuple[str | None, str | None]:
    """The open conversations just newer and just older than ``conv`` in the inbox order (for j/k).

    One indexed probe per workspace in each direction, for the same reason as ``list_conversations``.
    """
    c = conversations.c
    if conv.get("last_at") is None:
        return None, None
    at, cid = conv["last_at"], conv["conversation_id"]
    newer: list[tuple] = []
    older: list[tuple] = []
    for ws in scope.workspaces:
        base = [c.workspace_id == ws, c.status == "open", c.last_at.is_not(None), c.account_id.is_not(None)]
        row = conn.execute(select(c.last_at, c.conversation_id).where(
            *base, tuple_(c.last_at, c.conversation_id) > tuple_(at, cid)).order_by(c.last_at, c.conversation_id)
            .limit(1)).first()
        if row:
            newer.append((utc(row.last_at), row.conversation_id))
        row = conn.execute(select(c.last_at, c.conversation_id).where(
            *base, tuple_(c.last_at, c.conversation_id) < tuple_(at, cid))
            .order_by(desc(c.last_at), desc(c.conversation_id)).limit(1)).first()
        if row:
            older.append((utc(row.last_at), row.conversation_id))
    return (min(newer)[1] if newer else None), (max(older)[1] if older else None)


def conversations_of_items(conn: Connection, keys: list[str]) -> dict[str, str]:
    """Item key -> conversation id, for the items that are in the read model."""
    rows = conn.execute(select(messages.c.message_key, messages.c.conversation_id).where(
        messages.c.message_key.in_(keys)))
    return {r.message_key: r.conversation_id for r in rows}
