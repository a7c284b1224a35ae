"""Response times per manager and per account, from the conversations' facts.

First response: from a conversation's first inbound item to the first reply sent after it (credited to
the manager who sent it). Resolution: from the first inbound item to the close that left it closed.
Conversations count in the period in which their first inbound item arrived. Medians and averages are
computed here over at most ``MAX_ROWS`` conversations (the metrics issue builds the full reports).
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from chorus.inbox.projection.tables import conversations
from chorus.inbox.views import account_names, utc

MAX_ROWS = 200_000


@dataclass
class Line:
    key: str
    name: str
    conversations: int = 0
    answered: int = 0
    closed: int = 0
    median_first_response: float | None = None
    avg_first_response: float | None = None
    median_resolution: float | None = None


@dataclass
class Report:
    by_manager: list[Line]
    by_account: list[Line]


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max(0.0, (utc(end) - utc(start)).total_seconds())


def response_times(conn: Connection, workspaces: list[str], since: datetime, member_names: dict[str, str]) -> Report:
    c = conversations.c
    rows = conn.execute(select(c.account_id, c.first_inbound_at, c.first_response_at, c.first_response_by, c.status,
                               c.closed_at).where(c.workspace_id.in_(workspaces), c.first_inbound_at >= since)
                        .limit(MAX_ROWS)).all()
    managers: dict[str, tuple[Line, list[float], list[float]]] = {}
    accounts: dict[str, tuple[Line, list[float], list[float]]] = {}
    names = account_names(conn, {r.account_id for r in rows if r.account_id})
    for r in rows:
        first = _seconds(r.first_inbound_at, r.first_response_at)
        resolution = _seconds(r.first_inbound_at, r.closed_at) if r.status == "closed" else None
        groups = [(accounts, r.account_id or "?", names.get(r.account_id, r.account_id or "?"))]
        if r.first_response_by:
            groups.append((managers, r.first_response_by, member_names.get(r.first_response_by, r.first_response_by)))
        for table, key, name in groups:
            line, firsts, resolutions = table.setdefault(key, (Line(key, name), [], []))
            line.conversations += 1
            if first is not None:
                line.answered += 1
                firsts.append(first)
            if resolution is not None:
                line.closed += 1
                resolutions.append(resolution)
    return Report(_finish(managers), _finish(accounts))


def _finish(table: dict[str, tuple[Line, list[float], list[float]]]) -> list[Line]:
    out = []
    for line, firsts, resolutions in table.values():
        line.median_first_response = statistics.median(firsts) if firsts else None
        line.avg_first_response = statistics.fmean(firsts) if firsts else None
        line.median_resolution = statistics.median(resolutions) if resolutions else None
        out.append(line)
    return sorted(out, key=lambda line: (-line.conversations, line.name))
