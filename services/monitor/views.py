"""Reading the mention statistics (blocking; routes call it in a thread).

The headline metric of a month is the share of positive and of negative items among the *public* items
people wrote about the brand: mentions and comments (direct messages are support conversations, not
public opinion, and are reported apart). Shares are taken over items with a label (positive, neutral,
negative); unclassifiable items are reported as a count but never dilute the shares.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, func, select

from chorus.monitor.domain import UNCLASSIFIED, month_bounds
from chorus.monitor.stats import mention_stats

LABELS = ("positive", "neutral", "negative", UNCLASSIFIED)
KINDS = ("mention", "comment", "message")
HEADLINE_KINDS = ("mention", "comment")


def summarise(counts: dict[str, int]) -> dict[str, Any]:
    """Counts per label with totals and the positive and negative shares (None when nothing is labelled)."""
    out: dict[str, Any] = {label: int(counts.get(label, 0)) for label in LABELS}
    labelled = out["positive"] + out["neutral"] + out["negative"]
    out["total"] = labelled + out[UNCLASSIFIED]
    out["positive_share"] = round(out["positive"] / labelled, 4) if labelled else None
    out["negative_share"] = round(out["negative"] / labelled, 4) if labelled else None
    return out


def _rows(engine: Engine, workspace_id: str, start: date, end: date, account_id: str | None,
          network: str | None) -> list[tuple[date, str, str, int]]:
    query = (select(mention_stats.c.day, mention_stats.c.kind, mention_stats.c.label,
                    func.sum(mention_stats.c.count))
             .where(mention_stats.c.workspace_id == workspace_id, mention_stats.c.day >= start,
                    mention_stats.c.day < end)
             .group_by(mention_stats.c.day, mention_stats.c.kind, mention_stats.c.label))
    if account_id:
        query = query.where(mention_stats.c.account_id == account_id)
    if network:
        query = query.where(mention_stats.c.network == network)
    with engine.connect() as conn:
        return [(day, kind, label, int(n or 0)) for day, kind, label, n in conn.execute(query)]


def _headline(rows: list[tuple[date, str, str, int]]) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for _, kind, label, n in rows:
        if kind in HEADLINE_KINDS:
            counts[label] = counts.get(label, 0) + n
    return summarise(counts)


def monthly_stats(engine: Engine, workspace_id: str, month: str, *, account_id: str | None = None,
                  network: str | None = None) -> dict[str, Any]:
    """A month of statistics: the headline shares (with last month's beside them), per kind, per day.

    Raises ValueError for a malformed month.
    """
    start, end = month_bounds(month)
    rows = _rows(engine, workspace_id, start, end, account_id, network)
    previous_start = (start - timedelta(days=1)).replace(day=1)
    previous = _rows(engine, workspace_id, previous_start, start, account_id, network)

    per_kind: dict[str, dict[str, int]] = {kind: {} for kind in KINDS}
    per_day: dict[date, dict[str, dict[str, int]]] = {}
    for day, kind, label, n in rows:
        per_kind.setdefault(kind, {})[label] = per_kind.get(kind, {}).get(label, 0) + n
        day_counts = per_day.setdefault(day, {}).setdefault(kind, {})
        day_counts[label] = day_counts.get(label, 0) + n
    return {
        "workspace_id": workspace_id, "month": f"{start:%Y-%m}", "from": start.isoformat(),
        "to": end.isoformat(), "account_id": account_id, "network": network,
        "headline": {"kinds": list(HEADLINE_KINDS), **_headline(rows)},
        "previous_month": {"month": f"{previous_start:%Y-%m}", **_headline(previous)},
        "kinds": {kind: summarise(counts) for kind, counts in per_kind.items()},
        "days": [{"day": day.isoformat(), **{kind: summarise(c) for kind, c in kinds.items()}}
                 for day, kinds in sorted(per_day.items())],
    }


def monthly_share(engine: Engine, workspace_id: str, month: str) -> tuple[float | None, float | None]:
    """The headline metric alone: (positive share, negative share) of the month's public items."""
    headline = monthly_stats(engine, workspace_id, month)["headline"]
    return headline["positive_share"], headline["negative_share"]
