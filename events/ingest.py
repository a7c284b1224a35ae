"""What ingest read from the networks. The network's own id of an item is its deduplication key."""
from __future__ import annotations

from typing import Any

from pydantic import Field

from chorus.events.base import Event
from chorus.events.streams import INGEST
from chorus.events.values import Attachment, Author, Network, Timestamp

_RAW = "The raw payload's relevant fields, kept for diagnosis and for features not modelled yet."


class CommentReceived(Event):
    """A comment appeared under one of an account's posts (or as a reply in such a thread).

    v2 added ``from_account``: comments written by the connected account itself (a reply typed on the
    network, or Chorus's own reply read back) are shown as the brand's and count as a response.
    """

    type = "comment.received"
    stream = INGEST
    version = 2

    account_id: str
    network: Network
    comment_id: str = Field(description="The comment's stable id on the network.")
    post_id: str = Field(description="The post the comment thread hangs on.")
    parent_comment_id: str | None = Field(default=None, description="The comment this one answers, if any.")
    author: Author
    text: str = Field(description="The original text, untrusted: escape it wherever it is shown.")
    created_at: Timestamp
    url: str | None = Field(default=None, description="Link to the comment on the network.")
    post_text: str | None = Field(default=None, description="The post's text, when the network sent it along.")
    attachments: list[Attachment] = Field(default_factory=list)
    raw: dict[str, Any] = Field(default_factory=dict, description=_RAW)
    from_account: bool = Field(default=False, description="Written by the connected account itself (since v2).")


class CommentEdited(Event):
    """A comment's text was changed on the network."""

    type = "comment.edited"
    stream = INGEST

    account_id: str
    network: Network
    comment_id: str
    post_id: str
    text: str
    edited_at: Timestamp
    raw: dict[str, Any] = Field(default_factory=dict, description=_RAW)


class CommentDeleted(Event):
    """A comment was deleted on the network (by its author or a moderator)."""

    type = "comment.deleted"
    stream = INGEST

    account_id: str
    network: Network
    comment_id: str
    post_id: str
    deleted_at: Timestamp
    deleted_by: str | None = Field(default=None, description="Network id of who deleted it, when known.")


class DirectMessageReceived(Event):
    """A private message reached one of the accounts (VK community message, bot chat, ...)."""

    type = "direct_message.received"
    stream = INGEST

    account_id: str
    network: Network
    message_id: str = Field(description="The message's stable id on the network.")
    dialogue_id: str = Field(description="The dialogue on the network (VK peer_id, Telegram chat id, ...).")
    author: Author
    text: str = Field(description="The original text, untrusted.")
    created_at: Timestamp
    attachments: list[Attachment] = Field(default_factory=list)
    raw: dict[str, Any] = Field(default_factory=dict, description=_RAW)


class MentionFound(Event):
    """A public post mentioning the brand was found by a brand-keyword search."""

    type = "mention.found"
    stream = INGEST

    account_id: str = Field(description="The account whose token ran the search.")
    network: Network
    mention_id: str = Field(description="The mentioning post's stable id on the network.")
    author: Author
    text: str = Field(description="The original text, untrusted.")
    created_at: Timestamp
    url: str | None = None
    query: str = Field(description="The brand keyword search that found it.")
    raw: dict[str, Any] = Field(default_factory=dict, description=_RAW)


class AccountStatsCaptured(Event):
    """A snapshot of an account's audience and reach figures, as the network reports them."""

    type = "account.stats_captured"
    stream = INGEST

    account_id: str
    network: Network
    captured_at: Timestamp
    followers: int = Field(ge=0, description="Followers, subscribers or members.")
    posts: int | None = Field(default=None, ge=0)
    reach: int | None = Field(default=None, ge=0, description="Unique viewers in the period, when reported.")
    impressions: int | None = Field(default=None, ge=0)
    engagements: int | None = Field(default=None, ge=0, description="Likes + comments + shares in the period.")
    period_from: Timestamp | None = None
    period_to: Timestamp | None = None


class IngestGapRecorded(Event):
    """A period of an account's traffic could not be read and may be missing from the inbox."""

    type = "ingest.gap_recorded"
    stream = INGEST

    account_id: str
    network: Network
    source: str = Field(description="Which reader: long_poll, callback, mentions, search, feed, updates.")
    gap_from: Timestamp
    gap_to: Timestamp
    reason: str
