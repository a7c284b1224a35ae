"""Reads of posts for pages and the API, always within one workspace the caller is a member of.

A post of another workspace is ``NotFound`` exactly like one that does not exist.
"""
from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from chorus.events.values import Network
from chorus.inbox import views
from chorus.inbox.domain import NotFound
from chorus.inbox.posts import states
from chorus.inbox.posts.compose import Account
from chorus.inbox.posts.tables import posts, targets
from chorus.inbox.posts.timing import zone
from chorus.inbox.projection.tables import accounts

#: Targets in these states hold their time in the account's queue.
HOLDING = {"scheduled", "retrying", "sending", "unknown", "published"}


def _row(row: Any) -> dict[str, Any]:
    return {k: views.utc(v) if isinstance(v, datetime) else v for k, v in dict(row._mapping).items()}


def workspace(conn: Connection, workspace_id: str) -> dict[str, Any]:
    """The workspace's publishing settings: zone (UTC when unset) and whether posts need approval."""
    found = views.snapshot(conn, workspace_id, "workspace") or {}
    return {"time_zone": zone(found.get("time_zone")).key, "tz": zone(found.get("time_zone")),
            "approval_required": bool(found.get("approval_required")), "name": found.get("name")}


def accounts_of(conn: Connection, workspace_id: str) -> dict[str, Account]:
    rows = conn.execute(select(accounts.c.account_id, accounts.c.network, accounts.c.name, accounts.c.handle,
                               accounts.c.status).where(accounts.c.workspace_id == workspace_id))
    order = [n.value for n in Network]
    rows = sorted(rows, key=lambda r: (order.index(r.network) if r.network in order else 99, (r.name or "").lower()))
    return {r.account_id: Account(r.account_id, r.network, r.name or "", r.handle, r.status) for r in rows}


def _targets_of(conn: Connection, post_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if not post_ids:
        return found
    query = (select(targets, accounts.c.name.label("account_name"), accounts.c.handle.label("account_handle"))
             .join(accounts, accounts.c.account_id == targets.c.account_id, isouter=True)
             .where(targets.c.post_id.in_(post_ids)))
    order = [n.value for n in Network]
    for row in sorted(conn.execute(query), key=lambda r: (order.index(r.network) if r.network in order else 99,
                                                           r.account_id)):
        item = _row(row)
        item["media"] = json.loads(item["media"] or "[]")
        item["needs_person"] = states.needs_person(item["state"] or "")
        found[item["post_id"]].append(item)
    return found


def _complete(post: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    live = [t for t in items if t["state"]]
    post["targets"] = live
    post["can_change"] = states.can_change(t["state"] for t in live) and post["cancelled_at"] is None
    post["can_cancel"] = states.can_cancel(t["state"] for t in live) and post["cancelled_at"] is None
    post["networks"] = [n for n in (post["networks"] or "").split(",") if n]
    return post


def post(conn: Connection, workspace_id: str, post_id: str) -> dict[str, Any]:
    row = conn.execute(select(posts).where(posts.c.post_id == post_id, posts.c.workspace_id == workspace_id,
                                           posts.c.scheduled_at.is_not(None))).first()
    if row is None:
        raise NotFound("post")
    return _complete(_row(row), _targets_of(conn, [post_id])[post_id])


def exists(conn: Connection, post_id: str) -> bool:
    return conn.execute(select(posts.c.post_id).where(posts.c.post_id == post_id,
                                                      posts.c.scheduled_at.is_not(None))).first() is not None


def between(conn: Connection, workspace_id: str, start: datetime, end: datetime, *,
            state: str | None = None, limit: int = 2000) -> list[dict[str, Any]]:
    """Posts whose time is in ``[start, end)``, in time order, with their targets."""
    query = (select(posts).where(posts.c.workspace_id == workspace_id, posts.c.scheduled_at.is_not(None),
                                 posts.c.publish_at >= start, posts.c.publish_at < end)
             .order_by(posts.c.publish_at, posts.c.post_id).limit(limit))
    if state:
        query = query.where(posts.c.state == state)
    rows = [_row(r) for r in conn.execute(query)]
    found = _targets_of(conn, [r["post_id"] for r in rows])
    return [_complete(r, found[r["post_id"]]) for r in rows]


def held(conn: Connection, account_ids: list[str], after: datetime) -> dict[str, set[datetime]]:
    """The times each account's posts (not cancelled) hold after ``after``: taken queue times."""
    query = (select(targets.c.account_id, targets.c.state, posts.c.publish_at)
             .join(posts, posts.c.post_id == targets.c.post_id)
             .where(targets.c.account_id.in_(account_ids), posts.c.publish_at > after))
    found: dict[str, set[datetime]] = defaultdict(set)
    for row in conn.execute(query):
        if row.state in HOLDING:
            found[row.account_id].add(views.utc(row.publish_at))
    return found


def workspace_of(conn: Connection, post_id: str) -> str | None:
    return conn.execute(select(posts.c.workspace_id).where(posts.c.post_id == post_id,
                                                           posts.c.scheduled_at.is_not(None))).scalar()
