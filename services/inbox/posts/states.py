"""The state of a post on each account, as people read it, from what the log says. Pure.

A target's state is a function of its facts, never adjusted event by event: the content columns (written
by ``post.scheduled``/``post.edited``/``post.cancelled``) and the publisher's latest outcome. A rebuild
applies the inbox's stream before the publisher's, live they interleave; either way the same facts give
the same state. The rules follow the publisher's (``docs/publisher.md``):

- ``published`` once the network has it, whatever came after;
- nothing from the publisher yet: ``scheduled``, or ``cancelled`` when the post was cancelled or an edit
  left the account out;
- ``sending`` after an attempt was recorded (a cancel then only stops it if it never reached the network);
- ``retrying`` after a deferral or a reconciliation that found nothing (``cancelled`` if cancelled);
- ``unknown`` while an outcome nobody saw is being reconciled;
- ``failed`` (needs a person) and ``missed``; an edit after them re-opens the target (``scheduled``) when
  the failure proves the post never reached the network, as the publisher does.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

STATES = ("scheduled", "retrying", "sending", "unknown", "published", "failed", "missed", "cancelled")
#: Failures that prove the post never reached the network (the publisher's ``REOPENABLE``).
REOPENABLE = {"token_invalid", "permission_missing", "content_rejected", "not_found", "retry_later"}
#: Targets in these states stop a post from being edited or moved: they are on their way or done.
LOCKED = {"sending", "unknown", "published"}


def _after(a: datetime | None, b: datetime | None) -> bool:
    return a is not None and (b is None or a > b)


def target_state(*, outcome: str | None, outcome_at: datetime | None, failure: str | None,
                 version_at: datetime | None, removed_at: datetime | None, cancelled_at: datetime | None) -> str:
    if outcome == "published":
        return "published"
    removed = removed_at is not None and not _after(version_at, removed_at)
    stopped = removed or cancelled_at is not None
    if outcome is None:
        return "cancelled" if stopped else "scheduled"
    if outcome == "attempted":
        return "sending"
    if outcome == "unknown":
        return "unknown"
    if outcome in ("deferred", "resend"):
        return "cancelled" if stopped else "retrying"
    if outcome in ("failed", "missed"):
        reopenable = outcome == "missed" or (failure or "") in REOPENABLE
        if reopenable and not stopped and _after(version_at, outcome_at):
            return "scheduled"
        return outcome
    return "scheduled"


#: Which state a post shows when its targets differ: what needs attention first.
_PRECEDENCE = ("failed", "unknown", "missed", "sending", "retrying", "scheduled", "published", "cancelled")


def summary(states: Iterable[str]) -> str:
    found = set(states)
    for state in _PRECEDENCE:
        if state in found:
            return state
    return "scheduled"


def needs_person(state: str) -> bool:
    return state in ("failed", "missed")


def can_change(states: Iterable[str]) -> bool:
    """A post can be edited, moved or cancelled while none of its targets is sending or done."""
    found = set(states)
    return not (found & LOCKED) and bool(found - {"cancelled"})


def can_cancel(states: Iterable[str]) -> bool:
    """A cancel stops what has not started: some target is still waiting."""
    return bool(set(states) & {"scheduled", "retrying"})
