"""What the publisher did on the networks."""
from __future__ import annotations

from pydantic import Field

from chorus.events.base import Event
from chorus.events.streams import PUBLISHER
from chorus.events.values import FailureKind, Network, Timestamp


class ReplySent(Event):
    type = "reply.sent"
    stream = PUBLISHER

    reply_id: str
    conversation_id: str
    account_id: str
    network: Network
    remote_id: str = Field(description="The reply's id on the network.")
    url: str | None = None
    sent_at: Timestamp


class ReplyFailed(Event):
    type = "reply.failed"
    stream = PUBLISHER

    reply_id: str
    conversation_id: str
    account_id: str
    network: Network
    failure: FailureKind
    reason: str = Field(description="Human-readable, with no secret in it.")


class PostPublished(Event):
    type = "post.published"
    stream = PUBLISHER

    post_id: str
    account_id: str
    network: Network
    remote_id: str
    url: str | None = None
    published_at: Timestamp


class PostFailed(Event):
    type = "post.failed"
    stream = PUBLISHER

    post_id: str
    account_id: str
    network: Network
    failure: FailureKind
    reason: str


class PostOutcomeUnknown(Event):
    """The publisher could not observe whether the network applied the post; it is reconciled, not re-sent."""

    type = "post.outcome_unknown"
    stream = PUBLISHER

    post_id: str
    account_id: str
    network: Network
    reason: str


class PostMissed(Event):
    """A post came due while the publisher could not act, later than the workspace's lateness limit.

    It is not published (stale content); a person decides what to do.
    """

    type = "post.missed"
    stream = PUBLISHER

    post_id: str
    account_id: str
    network: Network
    due_at: Timestamp
    reason: str
