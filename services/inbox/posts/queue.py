"""The posting queue: times per account (e.g. Mon-Fri 10:00 and 18:00) and the next free one. Pure.

"Add to queue" puts a post in the account's next free time: the first queue time after now, in the
workspace's zone, that no other post of the account already holds. A queue time is held by a post of the
account whose time is exactly that instant and that is not cancelled. Times are wall times, so 10:00 stays
10:00 across a change of daylight-saving time (see ``timing`` for skipped and repeated hours).
"""
from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from chorus.inbox.domain import WEEKDAYS, InboxError
from chorus.inbox.posts.timing import at, parse_clock, to_local

#: How far ahead the next free time is looked for.
HORIZON_DAYS = 366
MAX_PER_DAY = 24


def parse_slots(form: Mapping[str, str]) -> dict[str, list[str]]:
    """``{"mon": "10:00, 18:00", ...}`` → ``{"mon": ["10:00", "18:00"]}``; bad times are refused by name."""
    out: dict[str, list[str]] = {}
    for day in WEEKDAYS:
        raw = str(form.get(day, "") or "")
        times = sorted({parse_clock(part).strftime("%H:%M") for part in raw.split(",") if part.strip()})
        if len(times) > MAX_PER_DAY:
            raise InboxError("bad_slot", f"at most {MAX_PER_DAY} times a day", value=raw[:20])
        if times:
            out[day] = times
    return out


def slot_times(slots: Mapping[str, list[str]], tz: ZoneInfo, after: datetime, days: int = HORIZON_DAYS):
    """Every queue time after ``after`` (UTC), in order, for ``days`` days."""
    start = to_local(after, tz).date()
    seen: set[datetime] = set()
    for offset in range(days + 1):
        day = start + timedelta(days=offset)
        for clock in sorted(slots.get(WEEKDAYS[day.weekday()], [])):
            instant = at(day, parse_clock(clock), tz)
            # two wall times can name one instant around a change of clocks: offer it once
            if instant > after and instant not in seen:
                seen.add(instant)
                yield instant


def next_free(slots: Mapping[str, list[str]], tz: ZoneInfo, now: datetime, held: Collection[datetime]) -> datetime | None:
    """The first queue time after ``now`` not in ``held`` (UTC instants); None when there is none."""
    taken = set(held)
    for instant in slot_times(slots, tz, now):
        if instant not in taken:
            return instant
    return None
