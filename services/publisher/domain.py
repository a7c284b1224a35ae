"""What the publisher decides, with no I/O: the states of an item, what to do with it now, what an error means.

An *item* is one thing to do on one account: a post to one of its targets (key ``post_id:account_id``) or a
reply (key ``reply_id``); that key is also the idempotency key sent to the network. States:

``scheduled`` (waiting for ``due_at``: its time, or the time of its next retry) → ``sending`` (claimed: the
intent is recorded, the network is being called) → ``published`` | ``failed`` | ``missed`` | ``unknown``
(the outcome could not be observed; reconciled by reading the network, then ``published``, ``cancelled``
or sent again) → ...; and ``cancelled``. ``published``, ``failed``, ``missed`` and ``cancelled`` are final;
a person's edit re-opens a ``failed`` or ``missed`` post that never reached the network (a retry by hand).

``plan`` says what to do with an item that came due; ``after_error`` what a network error means for it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chorus.events.settings import DEFAULT_TIME_ZONE
from chorus.events.values import FailureKind, MediaRef, Network
from chorus.networks.errors import NetworkError, OutcomeUnknown, RetryLater, TokenInvalid, redact


class State(StrEnum):
    SCHEDULED = "scheduled"
    SENDING = "sending"
    UNKNOWN = "unknown"
    PUBLISHED = "published"
    FAILED = "failed"
    MISSED = "missed"
    CANCELLED = "cancelled"


FINAL = frozenset({State.PUBLISHED, State.FAILED, State.MISSED, State.CANCELLED})
#: States the dispatcher hands to a worker when they come due.
ACTIONABLE = (State.SCHEDULED, State.UNKNOWN)


class Kind(StrEnum):
    POST = "post"
    REPLY = "reply"


#: Networks whose API takes an idempotency key for the writes Chorus makes (VK: ``guid``, ``random_id``).
KEYED_NETWORKS = frozenset({Network.VK})


def post_key(post_id: str, account_id: str) -> str:
    return f"{post_id}:{account_id}"


@dataclass(frozen=True)
class Item:
    """One row of the schedule, as the worker sees it when it comes due."""

    key: str
    kind: Kind
    workspace_id: str
    account_id: str
    network: Network
    text: str
    publish_at: datetime
    due_at: datetime
    state: State
    post_id: str | None = None
    reply_id: str | None = None
    conversation_id: str | None = None
    #: A reply's target (``ReplyTarget`` fields); empty for posts.
    target: dict[str, Any] = field(default_factory=dict)
    media: tuple[MediaRef, ...] = ()
    campaign: str | None = None
    attempts: int = 0
    logged_attempt: int = 0
    version: int = 1
    #: When the first attempt started: read-backs look for the item from then on.
    intent_at: datetime | None = None
    cancel_requested: bool = False
    #: Read-back rounds spent on the current unknown outcome.
    rounds: int = 0
    #: Set when the last attempt ended in a definite "not applied" (a retry, not a reconciliation).
    deferred: bool = False
    source_event_id: str = ""
    correlation_id: str = ""

    @property
    def idempotency_key(self) -> str:
        return self.key


@dataclass(frozen=True)
class AccountStatus:
    """What the publisher knows about the account an item goes to."""

    connected: bool
    token_expired: bool = False
    reason: str = ""


@dataclass(frozen=True)
class Workspace:
    time_zone: str = DEFAULT_TIME_ZONE
    lateness: timedelta = timedelta(minutes=60)

    @property
    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo(DEFAULT_TIME_ZONE)

    def local(self, moment: datetime) -> str:
        """``moment`` as the workspace's people read it: ``2026-11-01 12:30 Europe/Moscow``."""
        return f"{moment.astimezone(self.zone):%Y-%m-%d %H:%M} {self.zone.key}"


@dataclass(frozen=True)
class Policy:
    """How hard the publisher tries (``config.py`` fills it from the environment)."""

    retry_base_s: float = 5.0
    retry_max_s: float = 900.0
    #: Wait this long after an unknown outcome before reading the network (what was just written may take
    #: a moment to be listed).
    settle_s: float = 15.0
    #: Read-back attempts that themselves fail (rate limits, errors) before a person is asked to check.
    reconcile_rounds: int = 5
    reply_max_age: timedelta = timedelta(hours=24)
    #: How long the keyed networks remember a key (VK: an hour), with a margin.
    key_window: timedelta = timedelta(minutes=50)
    #: Read-backs look this far before the first attempt (clock skew between Chorus and the network).
    readback_margin: timedelta = timedelta(minutes=2)
    #: The longest a worker waits for one network call before calling its outcome unknown.
    call_timeout_s: float = 120.0


# --- what to do with an item that came due ----------------------------------------------------------

@dataclass(frozen=True)
class Skip:
    reason: str


@dataclass(frozen=True)
class Fail:
    failure: FailureKind
    reason: str


@dataclass(frozen=True)
class Miss:
    reason: str


@dataclass(frozen=True)
class Reconcile:
    """Read the network for an unknown outcome (or re-send under the same key where the network has one)."""

    by_key: bool


@dataclass(frozen=True)
class Send:
    """Send, after reading the network first when an earlier attempt may have landed somewhere keyless."""

    read_back_first: bool


Plan = Skip | Fail | Miss | Reconcile | Send


def plan(item: Item, *, now: datetime, account: AccountStatus, workspace: Workspace, policy: Policy) -> Plan:
    if item.state in FINAL or item.state == State.SENDING:
        return Skip(f"the item is {item.state}")
    if item.due_at > now:
        return Skip("not due yet")
    if item.state == State.UNKNOWN:
        return Reconcile(by_key=keyed(item, now, policy))
    if not account.connected:
        return Fail(FailureKind.PERMISSION_MISSING, account.reason or "the account is not connected to Chorus "
                    "(disconnected, or never connected): connect it, then edit the post to publish it")
    if account.token_expired:
        return Fail(FailureKind.TOKEN_INVALID, account.reason or "the account's token expired or was revoked: "
                    "reconnect the account, then edit the post to publish it")
    late = too_late(item, now=now, workspace=workspace, policy=policy)
    if late is not None:
        return late
    return Send(read_back_first=item.attempts > 0 and not keyed(item, now, policy))


def keyed(item: Item, now: datetime, policy: Policy) -> bool:
    """Whether re-sending under the same key is safe: the network de-duplicates it, and still remembers it."""
    started = item.intent_at or now
    return item.network in KEYED_NETWORKS and now - started < policy.key_window


def too_late(item: Item, *, now: datetime, workspace: Workspace, policy: Policy) -> Miss | Fail | None:
    late = now - item.publish_at
    if item.kind == Kind.REPLY:
        if late > policy.reply_max_age:
            return Fail(FailureKind.RETRY_LATER, f"the reply could not be sent within {_span(policy.reply_max_age)} "
                        f"of being requested ({workspace.local(item.publish_at)})")
        return None
    if late <= workspace.lateness:
        return None
    why = ("kept being refused for now (rate limits or network errors)" if item.deferred
           else "came due while the publisher could not act")
    return Miss(f"due at {workspace.local(item.publish_at)}, {_span(late)} ago: it {why}, longer than the "
                f"workspace's lateness limit of {_span(workspace.lateness)}; not published, to avoid stale content")


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    return f"{hours} hours" if hours < 48 else f"{hours // 24} days"


# --- what an error means ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Deferred:
    retry_at: datetime
    reason: str
    #: Seconds the account's lane pauses (the network asked everyone on this account to wait).
    pause_s: float


@dataclass(frozen=True)
class Failed:
    failure: FailureKind
    reason: str
    token_expired: bool = False


@dataclass(frozen=True)
class Unknown:
    reason: str
    reconcile_at: datetime


ErrorOutcome = Deferred | Failed | Unknown


def retry_delay(attempt: int, retry_after: float | None, policy: Policy, jitter: float = 1.0) -> float:
    """Seconds before attempt ``attempt + 1``: what the network asked for, else exponential backoff."""
    if retry_after is not None and retry_after > 0:
        return retry_after * max(jitter, 1.0)  # never earlier than asked
    return min(policy.retry_max_s, policy.retry_base_s * 2 ** max(attempt - 1, 0)) * jitter


def after_error(error: BaseException, *, attempt: int, now: datetime, policy: Policy,
                jitter: float = 1.0) -> ErrorOutcome:
    """What an exception raised by a network write means for the item (anything unexpected is unknown)."""
    if isinstance(error, RetryLater):
        delay = retry_delay(attempt, error.retry_after, policy, jitter)
        return Deferred(now + timedelta(seconds=delay), error.detail, pause_s=min(error.retry_after or 0.0, 60.0))
    if isinstance(error, TokenInvalid):
        return Failed(FailureKind.TOKEN_INVALID, f"{error.detail} (reconnect the account)", token_expired=True)
    if isinstance(error, OutcomeUnknown):
        return Unknown(error.detail, now + timedelta(seconds=policy.settle_s))
    if isinstance(error, NetworkError):  # permission missing, content rejected, not found: a person acts
        return Failed(error.kind, error.detail)
    reason = (f"no answer within {policy.call_timeout_s:.0f} s" if isinstance(error, TimeoutError)
              else f"the call failed in an unexpected way ({redact(str(error))})")
    return Unknown(reason, now + timedelta(seconds=policy.settle_s))


def token_kind_for(network: Network, kind: Kind, detail: str = "") -> str:
    """Which of the account's tokens a failed write used (for ``AccountTokenExpired``)."""
    if network == Network.VK:
        for candidate in ("community", "user"):
            if f"({candidate} token)" in detail:
                return candidate
        return "user" if kind == Kind.POST else "community"
    return {Network.X: "user", Network.FACEBOOK: "page", Network.TELEGRAM: "bot"}[network]


def utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
