"""Reads about accounts and what the monitor reported: token health, gaps in reading, alerts."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import desc, func, select, tuple_
from sqlalchemy.engine import Connection

from chorus.inbox.domain import NotFound
from chorus.inbox.projection.tables import accounts, alerts, gaps
from chorus.inbox.views import Scope, _row


@dataclass
class AccountView:
    row: dict[str, Any]
    last_gap: dict[str, Any] | None = None
    token_kinds: list[str] = field(default_factory=list)
    features: list[str] = field(default_factory=list)


def accounts_of(conn: Connection, workspaces: list[str]) -> list[AccountView]:
    found = [_row(r) for r in conn.execute(select(accounts).where(accounts.c.workspace_id.in_(workspaces))
                                           .order_by(accounts.c.network, accounts.c.name))]
    last_gaps: dict[str, dict[str, Any]] = {}
    if found:
        ids = [a["account_id"] for a in found]
        latest = select(gaps.c.account_id, func.max(gaps.c.gap_to)).where(gaps.c.account_id.in_(ids)).group_by(
            gaps.c.account_id)
        for r in conn.execute(select(gaps).where(tuple_(gaps.c.account_id, gaps.c.gap_to).in_(latest))
                              .order_by(desc(gaps.c.gap_to))):
            last_gaps.setdefault(r.account_id, _row(r))
    return [AccountView(row, last_gaps.get(row["account_id"]), json.loads(row["token_kinds"] or "[]"),
                        json.loads(row["features"] or "[]")) for row in found]


def account(conn: Connection, scope: Scope, account_id: str) -> dict[str, Any]:
    row = conn.execute(select(accounts).where(accounts.c.account_id == account_id,
                                              accounts.c.workspace_id.in_(scope.workspaces))).first()
    if row is None:
        raise NotFound("account")
    return _row(row)


def gaps_of(conn: Connection, workspaces: list[str], limit: int = 20) -> list[dict[str, Any]]:
    query = select(gaps).where(gaps.c.workspace_id.in_(workspaces)).order_by(desc(gaps.c.gap_to)).limit(limit)
    return [_row(r) for r in conn.execute(query)]


def alerts_of(conn: Connection, workspaces: list[str], limit: int = 100) -> list[dict[str, Any]]:
    query = select(alerts).where(alerts.c.workspace_id.in_(workspaces)).order_by(desc(alerts.c.raised_at)).limit(limit)
    out = []
    for r in conn.execute(query):
        row = _row(r)
        row["items"] = json.loads(row["items"] or "[]")
        out.append(row)
    return out
