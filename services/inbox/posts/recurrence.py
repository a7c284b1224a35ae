"""Recurring posts: daily, weekly or monthly at a wall time in the workspace's zone. Pure.

A series starts at its first occurrence (a wall time) and repeats every day, every week on the same
weekday, or every month on the same day; a month without that day (the 31st in April) uses its last day.
``until`` (a date, inclusive) ends it. Occurrences keep their wall time across changes of daylight-saving
time (see ``timing``).

Each occurrence is one post whose id is derived from the series and the occurrence's date, so appending it
twice (a restart, two replicas) schedules it once: JetStream drops the repeated event within its duplicate
window, and the publisher and the inbox keep the first ``post.scheduled`` of a post id after that.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from chorus.events import derived_id
from chorus.inbox.domain import InboxError
from chorus.inbox.posts.timing import to_utc

FREQUENCIES = ("daily", "weekly", "monthly")


@dataclass(frozen=True)
class Recurrence:
    freq: str
    start: datetime  # wall time of the first occurrence
    until: date | None = None

    def __post_init__(self) -> None:
        if self.freq not in FREQUENCIES:
            raise InboxError("bad_recurrence", f"{self.freq[:20]!r} is not daily, weekly or monthly")
        if self.until is not None and self.until < self.start.date():
            raise InboxError("bad_recurrence_until", "the series would end before its first post")

    def nth(self, n: int) -> datetime | None:
        """The wall time of occurrence ``n`` (0 is the start); None past ``until``."""
        if self.freq == "daily":
            local = self.start + timedelta(days=n)
        elif self.freq == "weekly":
            local = self.start + timedelta(weeks=n)
        else:
            months = self.start.month - 1 + n
            year, month = self.start.year + months // 12, months % 12 + 1
            day = min(self.start.day, calendar.monthrange(year, month)[1])
            local = self.start.replace(year=year, month=month, day=day)
        if self.until is not None and local.date() > self.until:
            return None
        return local


def occurrences(rule: Recurrence, tz: ZoneInfo, after: datetime, until: datetime) -> list[tuple[date, datetime]]:
    """(local date, UTC instant) of each occurrence with ``after < instant <= until``."""
    found = []
    n = _first_index(rule, tz, after)
    while True:
        local = rule.nth(n)
        if local is None:
            break
        instant = to_utc(local, tz)
        if instant > until:
            break
        if instant > after:
            found.append((local.date(), instant))
        n += 1
    return found


def _first_index(rule: Recurrence, tz: ZoneInfo, after: datetime) -> int:
    """An index at or before the first occurrence after ``after`` (skips the past without walking it)."""
    start = to_utc(rule.start, tz)
    if after <= start:
        return 0
    days = (after - start).days
    step = {"daily": 1, "weekly": 7, "monthly": 31}[rule.freq]
    return max(0, days // step - 1)


def occurrence_post_id(series_id: str, day: date) -> str:
    return "r" + derived_id("series-occurrence", series_id, day.isoformat())[:31]
