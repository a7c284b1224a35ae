"""Reads about accounts and what the monitor reported: token health, gaps in reading, alerts."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import desc, select
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
    out = []
    for r in conn.execute(select(accounts).where(accounts.c.workspace_id.in_(workspaces))
                          .order_by(accounts.c.network, accounts.c.name)):
        row = _row(r)
        gap = conn.execute(select(gaps).where(gaps.c.account_id == row["account_id"])
                           .order_by(desc(gaps.c.gap_to)).limit(1)).first()
        out.append(AccountView(row, _row(gap) if gap else None, json.loads(row["token_kinds"] or "[]"),
                               json.loads(row["features"] or "[]")))
    return out


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
