"""Request and response bodies of the JSON API; the OpenAPI document is generated from these classes."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Error(Model):
    error: str = Field(description="A stable code: not_found, forbidden, reply_too_long, invalid_request, ...")
    message: str


class Conversation(Model):
    conversation_id: str
    workspace_id: str
    account_id: str
    account_name: str
    network: str
    kind: Literal["comment", "message", "mention"]
    thread_key: str | None = Field(description="The post id, dialogue id or mention id on the network.")
    author_name: str | None
    author_handle: str | None
    preview: str | None
    sentiment: Literal["positive", "neutral", "negative"] | None
    status: Literal["open", "closed"]
    assignee_id: str | None
    tags: list[str]
    message_count: int
    last_at: datetime | None
    first_inbound_at: datetime | None
    first_response_at: datetime | None
    closed_at: datetime | None
    first_response_seconds: float | None
    resolution_seconds: float | None


class ConversationPage(Model):
    items: list[Conversation]
    next: str | None = Field(description="Pass as `before` for the next page; null at the end.")


class Message(Model):
    message_key: str
    direction: Literal["in", "out", "note", "activity"]
    item_id: str | None
    author_name: str | None
    text: str | None
    at: datetime | None
    edited_at: datetime | None
    deleted_at: datetime | None
    url: str | None
    sentiment: Literal["positive", "neutral", "negative"] | None
    reply_id: str | None
    state: Literal["sending", "sent", "failed"] | None
    failure_reason: str | None


class Reply(Model):
    reply_id: str
    state: Literal["sending", "sent", "failed"]
    text: str | None
    url: str | None = None
    failure_reason: str | None = None


class ReplyRequest(Model):
    text: str = Field(min_length=1, description="Refused with 400 reply_too_long when over the network's limit.")
    reply_id: str | None = Field(default=None, pattern=r"^[0-9a-f]{32}$",
                                 description="Idempotency key (32 hex); the same key sends once. Generated if absent.")
    target_message: str | None = Field(default=None, description="message_key of the comment answered; default: "
                                       "the post (comment threads) or the dialogue (messages).")


class Accepted(Model):
    ok: bool = True
    appended: int = Field(description="Events appended (0 when nothing changed).")


class AssignmentRequest(Model):
    assignee_id: str | None = Field(description="A manager or admin of the workspace; null unassigns.")


class TagsRequest(Model):
    add: list[str] = Field(default_factory=list)
    remove: list[str] = Field(default_factory=list)


class NoteRequest(Model):
    text: str = Field(min_length=1, max_length=10000)


class Alert(Model):
    alert_id: str
    workspace_id: str
    kind: str
    severity: str
    title: str | None
    summary: str | None
    account_id: str | None
    raised_at: datetime | None


class Gap(Model):
    source: str | None
    gap_from: datetime | None
    gap_to: datetime | None
    reason: str | None


class Account(Model):
    account_id: str
    workspace_id: str
    network: str
    name: str | None
    handle: str | None
    url: str | None
    status: Literal["connected", "token_expired", "disconnected"]
    status_reason: str | None
    token_kinds: list[str]
    features: list[str]
    last_gap: Gap | None


class ConversationQuery(Model):
    workspace: str | None = None
    network: Literal["vk", "x", "telegram", "facebook"] | None = None
    account: str | None = None
    kind: Literal["comment", "message", "mention"] | None = None
    sentiment: Literal["positive", "neutral", "negative"] | None = None
    status: Literal["open", "mine", "unassigned", "closed", "all"] = "open"
    tag: str | None = None
    q: str | None = Field(default=None, max_length=200, description="Full-text search, Russian and English.")
    before: str | None = Field(default=None, description="Cursor from `next` of the previous page.")
    limit: int = Field(default=50, ge=1, le=200)
