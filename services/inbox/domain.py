"""The inbox's rules, without I/O: identities, roles, conversation facts, reply checks, canned replies.

Conversation facts (status, times, sentiment, preview) are computed from the conversation's rows each
time one of them changes, rather than adjusted event by event. The projection reads several streams, and a
rebuild applies them stream by stream, so events of different streams arrive in a different order than
live; facts that are a function of the rows (a max, a min, "closed after the last inbound message") come
out the same either way, which is what makes ``chorus replay inbox`` give identical tables.
"""
from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chorus.events import derived_id
from chorus.events.values import ItemKind, Network
from chorus.networks.limits import TextKind, check


class InboxError(Exception):
    """A request the inbox refuses; ``code`` names the reason for translation and the API."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code, self.params = code, params


class NotFound(InboxError):
    def __init__(self, what: str = "not found") -> None:
        super().__init__("not_found", what)


class Forbidden(InboxError):
    def __init__(self, message: str = "your role does not allow this") -> None:
        super().__init__("forbidden", message)


# --- identities -------------------------------------------------------------------------------------

def conversation_id(account_id: str, kind: ItemKind | str, thread_key: str) -> str:
    """Deterministic from (account, kind, thread key), so a rebuild gives every conversation the same id."""
    return "c" + derived_id("conversation", account_id, str(kind), thread_key)[:23]


def item_key(account_id: str, kind: ItemKind | str, item_id: str) -> str:
    """Same as ``ItemRef.key``."""
    return f"{account_id}:{kind}:{item_id}"


# --- roles ------------------------------------------------------------------------------------------

class Role(StrEnum):
    ADMIN = "admin"  # accounts, rules, users; and everything a manager does
    MANAGER = "manager"  # reply, assign, tag, note, correct, post
    VIEWER = "viewer"  # read only


_ACTIONS = {
    Role.VIEWER: {"read"},
    Role.MANAGER: {"read", "reply", "assign", "close", "tag", "note", "correct", "compose"},
}
_ACTIONS[Role.ADMIN] = _ACTIONS[Role.MANAGER] | {"settings", "approve"}


def allowed(role: Role | str | None, action: str) -> bool:
    return role is not None and action in _ACTIONS[Role(role)]


def require(role: Role | str | None, action: str) -> None:
    if not allowed(role, action):
        raise Forbidden()


# --- conversation facts -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """One row of a thread, as the facts need it."""

    direction: str  # in | out | note | activity
    at: datetime | None
    text: str | None = None
    author_id: str | None = None
    author_name: str | None = None
    author_handle: str | None = None
    author_url: str | None = None
    sentiment: str | None = None  # effective label (corrected wins) of an inbound item
    deleted: bool = False
    sent: bool = True  # replies: only sent ones count as a response
    by: str | None = None  # user who sent a reply


@dataclass(frozen=True)
class Facts:
    message_count: int
    last_at: datetime | None
    first_inbound_at: datetime | None
    last_inbound_at: datetime | None
    first_response_at: datetime | None
    first_response_by: str | None
    preview: str
    last_direction: str | None
    sentiment: str | None
    status: str
    author: Row | None


def facts(rows: Iterable[Row], *, closed_at: datetime | None, reopened_at: datetime | None) -> Facts:
    """What the list shows about a conversation, from its rows and its latest close/reopen.

    A conversation is closed when its latest close is later than its latest reopen and than its latest
    inbound message (a new comment reopens it, as in Chatwoot). The first response is the first outgoing
    item (a sent reply or the account's own comment) at or after the first inbound one.
    """
    thread = sorted((r for r in rows if r.direction in ("in", "out") and r.at is not None),
                    key=lambda r: r.at)  # type: ignore[arg-type, return-value]
    inbound = [r for r in thread if r.direction == "in"]
    outbound = [r for r in thread if r.direction == "out" and r.sent]
    first_in = inbound[0].at if inbound else None
    last_in = inbound[-1].at if inbound else None
    response = next((r for r in outbound if first_in is not None and r.at >= first_in), None)  # type: ignore[operator]
    # a reply whose request is not applied yet (its outcome came first) has no text to show
    shown = [r for r in thread if r.text]
    last = shown[-1] if shown else None
    latest = [t for t in (reopened_at, last_in) if t is not None]
    closed = closed_at is not None and all(closed_at >= t for t in latest)
    labelled = [r.sentiment for r in inbound if r.sentiment and not r.deleted]
    return Facts(
        message_count=len(thread), last_at=max([r.at for r in thread] + ([closed_at] if closed_at else []),
                                               default=None),
        first_inbound_at=first_in, last_inbound_at=last_in,
        first_response_at=response.at if response else None, first_response_by=response.by if response else None,
        preview=_preview(last.text if last else ""), last_direction=last.direction if last else None,
        sentiment=labelled[-1] if labelled else None, status="closed" if closed else "open",
        author=inbound[0] if inbound else None)


def _preview(text: str | None) -> str:
    return " ".join((text or "").split())[:280]


# --- replies ----------------------------------------------------------------------------------------

REPLY_ID = re.compile(r"^[0-9a-f]{32}$")


def reply_text_kind(conversation_kind: str) -> TextKind:
    return TextKind.MESSAGE if conversation_kind == ItemKind.MESSAGE else TextKind.COMMENT


def check_reply(text: str, network: Network | str, conversation_kind: str, *, target_deleted: bool) -> str:
    """The text to send, or an ``InboxError`` naming why not (empty, over the network's limit, deleted)."""
    body = text.strip()
    if not body:
        raise InboxError("reply_empty", "the reply is empty")
    if target_deleted:
        raise InboxError("reply_to_deleted", "the comment was deleted on the network; a reply cannot be posted")
    length, limit = check(body, network, reply_text_kind(conversation_kind))
    if length > limit.maximum:
        raise InboxError("reply_too_long", f"the reply is {length} characters; {Network(network).value} allows "
                         f"{limit.maximum}", length=length, maximum=limit.maximum, network=Network(network).value)
    return body


_PLACEHOLDERS = ("author_name", "account_name", "manager_name")


def fill_placeholders(template: str, values: Mapping[str, str]) -> str:
    """Canned reply text with ``{author_name}``, ``{account_name}``, ``{manager_name}`` filled in.

    Unknown placeholders and stray braces are left as typed, so a template can never fail to render.
    """
    out = []
    for literal, field_name, spec, conversion in string.Formatter().parse(template):
        out.append(literal)
        if field_name is None:
            continue
        if field_name in _PLACEHOLDERS and not spec and not conversion:
            out.append(values.get(field_name, ""))
        else:
            out.append("{" + field_name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}")
    return "".join(out)


def safe_fill(template: str, values: Mapping[str, str]) -> str:
    try:
        return fill_placeholders(template, values)
    except ValueError:  # unbalanced braces: show the template as typed
        return template


# --- tags -------------------------------------------------------------------------------------------

TAG = re.compile(r"^[\w][\w .+-]{0,62}$")


def parse_tags(raw: str) -> list[str]:
    """Comma-separated tags, trimmed, lower-cased, de-duplicated; a malformed tag is refused by name."""
    found: list[str] = []
    for part in raw.split(","):
        tag = " ".join(part.split()).lower()
        if not tag:
            continue
        if not TAG.match(tag):
            raise InboxError("bad_tag", f"{tag[:40]!r} is not a valid tag (letters, digits, space, . + -)", tag=tag[:40])
        if tag not in found:
            found.append(tag)
    return found


# --- workspace settings -----------------------------------------------------------------------------

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def parse_time_zone(name: str) -> str:
    name = name.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InboxError("bad_time_zone", f"{name[:60]!r} is not an IANA time zone such as Europe/Moscow",
                         value=name[:60]) from None
    return name


def parse_hours(raw: str) -> list[str]:
    """``09:00-13:00, 14:00-18:00`` -> normalised ranges; empty means closed that day."""
    ranges = []
    for part in (p for p in raw.split(",") if p.strip()):
        match = _RANGE.match(part)
        if not match:
            raise InboxError("bad_hours", f"{part.strip()[:30]!r} is not a range like 09:00-18:00", value=part.strip()[:30])
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        try:
            start, end = time(h1, m1), time(h2, m2) if (h2, m2) != (24, 0) else time(23, 59)
        except ValueError:
            raise InboxError("bad_hours", f"{part.strip()!r} is not a valid time range", value=part.strip()) from None
        if end <= start:
            raise InboxError("bad_hours", f"{part.strip()!r} ends before it starts", value=part.strip())
        ranges.append(f"{start:%H:%M}-{end:%H:%M}")
    return ranges
