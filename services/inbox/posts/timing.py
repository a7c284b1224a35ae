"""Wall times in a workspace's time zone and the instants they name. Pure.

People pick times as wall times in the workspace's zone ("Tuesday 10:00" in Europe/Berlin); events carry
UTC instants. Two wall times need a rule: one that does not exist (the hour skipped when clocks go forward)
is moved forward by the gap (02:30 becomes 03:30), and one that exists twice (the hour repeated when
clocks go back) is its first occurrence. ``zoneinfo`` does exactly this with ``fold=0``.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chorus.events.settings import DEFAULT_TIME_ZONE
from chorus.inbox.domain import InboxError


def zone(name: str | None) -> ZoneInfo:
    """The workspace's zone; UTC when it has none (or an unknown one)."""
    try:
        return ZoneInfo(name or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


def to_utc(local: datetime, tz: ZoneInfo) -> datetime:
    """The instant a wall time names (see the module docstring for skipped and repeated times)."""
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def to_local(instant: datetime, tz: ZoneInfo) -> datetime:
    """The wall time (naive) of an instant in ``tz``."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(tz).replace(tzinfo=None)


def at(day: date, clock: time, tz: ZoneInfo) -> datetime:
    return to_utc(datetime.combine(day, clock), tz)


def parse_local(raw: str) -> datetime:
    """``2026-03-29T10:00`` (seconds optional, a space instead of ``T`` too) as a naive wall time."""
    value = (raw or "").strip().replace(" ", "T")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InboxError("post_bad_time", f"{value[:30]!r} is not a date and time such as 2026-05-14T10:00",
                         value=value[:30]) from None
    if parsed.tzinfo is not None:
        raise InboxError("post_bad_time", "give the time without a zone: the workspace's zone applies",
                         value=value[:30])
    return parsed.replace(microsecond=0)


def parse_clock(raw: str) -> time:
    """``10:00`` → time(10, 0); refuses anything else by name."""
    text = (raw or "").strip()
    try:
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise InboxError("bad_slot", f"{text[:20]!r} is not a time such as 10:00", value=text[:20]) from None
