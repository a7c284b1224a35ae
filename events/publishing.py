"""How the publisher got to an outcome: each attempt's intent, delays, and reconciliations of unknown outcomes.

The outcomes themselves (published, failed, missed, outcome unknown, reply sent/failed) are in
``publisher.py``. These events make every step auditable and let the publisher's schedule be rebuilt from
the log alone: an ``*Attempted`` event is appended (and acknowledged) *before* the network is called, so
an attempt in the log without an outcome after it is one whose outcome nobody observed, and an attempt
that is not in the log never reached the network.
"""
from __future__ import annotations

from pydantic import Field

from chorus.events.base import Event
from chorus.events.streams import PUBLISHER
from chorus.events.values import FailureKind, Network, Timestamp


class PostAttempted(Event):
    """The publisher is about to send a post to one account (its intent, recorded before the call)."""

    type = "post.attempted"
    stream = PUBLISHER

    post_id: str
    account_id: str
    network: Network
    attempt: int = Field(ge=1, description="1 for the first send, then 2, 3, ... for each re-send.")
    key: str = Field(description="The idempotency key sent to the network (`post_id:account_id`).")


class PostDeferred(Event):
    """An attempt was refused for now (rate limit, server error, timeout before sending); it is retried."""

    type = "post.deferred"
    stream = PUBLISHER

    post_id: str
    account_id: str
    network: Network
    attempt: int = Field(ge=1)
    failure: FailureKind = FailureKind.RETRY_LATER
    reason: str
    retry_at: Timestamp = Field(description="When the next attempt is due.")


class PostReconciled(Event):
    """An unknown outcome was settled by reading the network (or re-sending under the same idempotency key)."""

    type = "post.reconciled"
    stream = PUBLISHER

    post_id: str
    account_id: str
    network: Network
    attempt: int = Field(ge=1, description="The attempt whose outcome was unknown.")
    found: bool = Field(description="The network has the post: it is published, not sent again.")
    remote_id: str | None = None
    url: str | None = None
    method: str = Field(description="`read_back` (found by reading the network) or `idempotency_key` "
                                    "(re-sent with the same key, which the network de-duplicates).")
    detail: str = ""


class ReplyAttempted(Event):
    """The publisher is about to send a reply (its intent, recorded before the call)."""

    type = "reply.attempted"
    stream = PUBLISHER

    reply_id: str
    conversation_id: str
    account_id: str
    network: Network
    attempt: int = Field(ge=1)
    key: str = Field(description="The idempotency key sent to the network (the `reply_id`).")


class ReplyDeferred(Event):
    type = "reply.deferred"
    stream = PUBLISHER

    reply_id: str
    conversation_id: str
    account_id: str
    network: Network
    attempt: int = Field(ge=1)
    failure: FailureKind = FailureKind.RETRY_LATER
    reason: str
    retry_at: Timestamp


class ReplyOutcomeUnknown(Event):
    """The publisher could not observe whether the network applied the reply; it is reconciled, not re-sent."""

    type = "reply.outcome_unknown"
    stream = PUBLISHER

    reply_id: str
    conversation_id: str
    account_id: str
    network: Network
    reason: str


class ReplyReconciled(Event):
    type = "reply.reconciled"
    stream = PUBLISHER

    reply_id: str
    conversation_id: str
    account_id: str
    network: Network
    attempt: int = Field(ge=1)
    found: bool
    remote_id: str | None = None
    url: str | None = None
    method: str
    detail: str = ""
