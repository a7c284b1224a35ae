"""What people did in the inbox app: replies, conversation work, corrections and composed posts."""
from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from chorus.events.base import Event
from chorus.events.streams import INBOX
from chorus.events.values import (
    ItemRef,
    Network,
    PostTarget,
    Sentiment,
    Timestamp,
    Value,
)


class ReplyKind(StrEnum):
    COMMENT = "comment"  # a public reply in a post's comment thread
    MESSAGE = "message"  # a private message in a dialogue


class ReplyTarget(Value):
    kind: ReplyKind
    post_id: str | None = Field(default=None, description="For a comment reply: the post of the thread.")
    comment_id: str | None = Field(default=None, description="For a comment reply: the comment answered.")
    dialogue_id: str | None = Field(default=None, description="For a message: the dialogue on the network.")


class ReplyRequested(Event):
    """A manager asked to send a reply; the publisher performs it once (``reply_id`` is its idempotency key)."""

    type = "reply.requested"
    stream = INBOX

    reply_id: str
    conversation_id: str
    account_id: str
    network: Network
    target: ReplyTarget
    text: str
    requested_by: str = Field(description="User id of the manager.")


class ConversationAssigned(Event):
    """A conversation was assigned to a teammate, or unassigned (``assignee_id`` empty)."""

    type = "conversation.assigned"
    stream = INBOX

    conversation_id: str
    assignee_id: str | None
    assigned_by: str


class ConversationClosed(Event):
    type = "conversation.closed"
    stream = INBOX

    conversation_id: str
    closed_by: str


class ConversationReopened(Event):
    type = "conversation.reopened"
    stream = INBOX

    conversation_id: str
    reopened_by: str


class ConversationTagged(Event):
    """Tags were added to or removed from a conversation."""

    type = "conversation.tagged"
    stream = INBOX

    conversation_id: str
    added: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    tagged_by: str


class ConversationNoted(Event):
    """An internal note, visible to teammates only, was added to a conversation."""

    type = "conversation.noted"
    stream = INBOX

    conversation_id: str
    note_id: str
    text: str
    author_id: str


class SentimentCorrected(Event):
    """A manager corrected the machine's sentiment label; reports count this label instead."""

    type = "sentiment.corrected"
    stream = INBOX

    item: ItemRef
    label: Sentiment
    previous_label: Sentiment | None = None
    corrected_by: str


class PostScheduled(Event):
    """A post was scheduled to one or more accounts (``publish_at`` may be now)."""

    type = "post.scheduled"
    stream = INBOX

    post_id: str
    targets: list[PostTarget] = Field(min_length=1)
    publish_at: Timestamp
    campaign: str | None = None
    created_by: str
    approved_by: str | None = Field(default=None, description="Set when the workspace requires approval.")


class PostEdited(Event):
    """A scheduled post was changed before it went out; the new targets and time replace the old ones."""

    type = "post.edited"
    stream = INBOX

    post_id: str
    targets: list[PostTarget] = Field(min_length=1)
    publish_at: Timestamp
    campaign: str | None = None
    edited_by: str


class PostCancelled(Event):
    type = "post.cancelled"
    stream = INBOX

    post_id: str
    cancelled_by: str
