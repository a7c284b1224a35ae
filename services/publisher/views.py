"""Reads of the schedule for the publisher's HTTP routes: a post's or reply's state per account, and totals."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select

from chorus.publisher.domain import ACTIONABLE, Workspace, utc
from chorus.publisher.tables import items, workspaces

_SHOWN = ("account_id", "network", "state", "attempts", "failure", "reason", "note", "remote_id", "url")


def _workspace(conn, workspace_id: str) -> Workspace:
    row = conn.execute(select(workspaces.c.time_zone).where(workspaces.c.workspace_id == workspace_id)).first()
    return Workspace(time_zone=row.time_zone) if row else Workspace()


def _when(value: float | None, workspace: Workspace) -> dict[str, str] | None:
    if value is None:
        return None
    moment = utc(value)
    return {"utc": moment.isoformat(), "local": workspace.local(moment)}


def _describe(conn, rows: list[Any]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        workspace = _workspace(conn, row.workspace_id)
        out.append({**{k: getattr(row, k) for k in _SHOWN}, "due_at": _when(row.due_at, workspace),
                    "publish_at": _when(row.publish_at, workspace), "done_at": _when(row.done_at, workspace)})
    return out


def post_status(engine: Engine, post_id: str) -> dict[str, Any] | None:
    with engine.connect() as conn:
        rows = conn.execute(select(items).where(items.c.post_id == post_id).order_by(items.c.account_id)).all()
        if not rows:
            return None
        return {"post_id": post_id, "workspace_id": rows[0].workspace_id, "targets": _describe(conn, rows)}


def reply_status(engine: Engine, reply_id: str) -> dict[str, Any] | None:
    with engine.connect() as conn:
        rows = conn.execute(select(items).where(items.c.reply_id == reply_id)).all()
        if not rows:
            return None
        return {"reply_id": reply_id, "conversation_id": rows[0].conversation_id, **_describe(conn, rows)[0]}


def overview(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        counts = {row.state: row.n for row in conn.execute(
            select(items.c.state, func.count().label("n")).group_by(items.c.state))}
        next_due = conn.execute(select(func.min(items.c.due_at)).where(
            items.c.state.in_([s.value for s in ACTIONABLE]))).scalar()
    return {"items": counts, "next_due": utc(next_due).isoformat() if next_due is not None else None}
