"""The calendar's weeks and months in the workspace's zone, and where each post goes in them. Pure.

A week runs Monday to Sunday; a month view shows the six weeks from the Monday on or before the 1st.
Posts are placed by their wall time in the workspace's zone. Occurrences of recurring series that are not
scheduled yet (beyond the series' horizon) are shown too, marked as repeats, so a month shows the whole
plan; they cannot be dragged (they are not posts yet).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from chorus.inbox.domain import InboxError
from chorus.inbox.posts.recurrence import Recurrence, occurrences
from chorus.inbox.posts.timing import parse_local, to_local, to_utc

VIEWS = ("week", "month")


@dataclass
class Period:
    view: str
    anchor: date
    days: list[date]
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive
    previous: date
    following: date
    cards: dict[date, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

    def by_hour(self, day: date) -> dict[int, list[dict[str, Any]]]:
        found: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for card in self.cards.get(day, []):
            found[card["local"].hour].append(card)
        return found


def parse_anchor(raw: str | None, today: date) -> date:
    try:
        return date.fromisoformat((raw or "").strip()[:10])
    except ValueError:
        return today


def period(view: str, anchor: date, tz: ZoneInfo) -> Period:
    if view == "month":
        first = anchor.replace(day=1)
        start_day = first - timedelta(days=first.weekday())
        days = [start_day + timedelta(days=n) for n in range(42)]
        previous = (first - timedelta(days=1)).replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
    else:
        view = "week"
        start_day = anchor - timedelta(days=anchor.weekday())
        days = [start_day + timedelta(days=n) for n in range(7)]
        previous, following = start_day - timedelta(days=7), start_day + timedelta(days=7)
    start = to_utc(datetime.combine(days[0], datetime.min.time()), tz)
    end = to_utc(datetime.combine(days[-1] + timedelta(days=1), datetime.min.time()), tz)
    return Period(view, anchor, days, start, end, previous, following)


def place(found: Period, posts: list[dict[str, Any]], tz: ZoneInfo) -> None:
    for post in posts:
        local = to_local(post["publish_at"], tz)
        found.cards[local.date()].append({**post, "local": local, "repeat": False})


def place_repeats(found: Period, series: list[dict[str, Any]], tz: ZoneInfo, now: datetime) -> None:
    """Occurrences of active series inside the period that are not posts yet."""
    for item in series:
        comp = item["comp"]
        try:
            rule = Recurrence(comp.freq, parse_local(comp.publish_at),
                              date.fromisoformat(comp.until) if comp.until else None)
        except (ValueError, InboxError):  # a series whose rule cannot be read shows no repeats
            continue
        after = max(found.start - timedelta(seconds=1), item["appended_until"] or now, now)
        for day, at in occurrences(rule, tz, after, found.end - timedelta(microseconds=1)):
            found.cards[day].append({"series_id": item["series_id"], "local": to_local(at, tz), "repeat": True,
                                     "state": "repeats", "preview": " ".join(comp.text.split())[:280],
                                     "networks": item.get("networks", []), "can_change": False})
    for cards in found.cards.values():
        cards.sort(key=lambda c: (c["local"], c.get("post_id") or c.get("series_id") or ""))
