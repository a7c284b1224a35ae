"""What people do in the inbox, as plain functions: the request first, what they need by name, and they
return the events to append (the entrypoints append them). Nothing here does I/O.

Every function takes the conversation as the views returned it for the caller, so the workspace check has
already happened; the role check happens here.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chorus.events import (
    ConversationAssigned,
    ConversationClosed,
    ConversationNoted,
    ConversationReopened,
    ConversationTagged,
    Event,
    ReplyKind,
    ReplyRequested,
    ReplyTarget,
    SentimentCorrected,
    derived_id,
    new_id,
)
from chorus.events.values import ItemKind, ItemRef, Network, Sentiment
from chorus.inbox.domain import REPLY_ID, InboxError, NotFound, check_reply, parse_tags, require


def _ws(conversation: Mapping[str, Any]) -> str:
    return conversation["workspace_id"]


def request_reply(conversation: Mapping[str, Any], *, text: str, reply_id: str, role: str | None, user_id: str,
                  target: Mapping[str, Any] | None, already_requested: bool,
                  retry_of: Mapping[str, Any] | None = None) -> list[Event]:
    """A ``ReplyRequested``, or nothing when this ``reply_id`` was requested before (a double click).

    ``target`` is the inbound item answered (its message row); for a comment thread without one the
    reply goes to the post. ``retry_of`` is the failed reply a retry replaces.
    """
    require(role, "reply")
    if not REPLY_ID.match(reply_id or ""):
        raise InboxError("bad_reply_id", "the form is stale; reload the page and send again")
    if already_requested:
        return []
    deleted = bool(target and target.get("deleted_at"))
    body = check_reply(text, conversation["network"], conversation["kind"], target_deleted=deleted)
    kind = conversation["kind"]
    if kind == ItemKind.MESSAGE:
        reply_target = ReplyTarget(kind=ReplyKind.MESSAGE, dialogue_id=conversation["thread_key"])
    else:
        comment_id = target["item_id"] if target and kind == ItemKind.COMMENT else None
        reply_target = ReplyTarget(kind=ReplyKind.COMMENT, post_id=conversation["thread_key"], comment_id=comment_id)
    fields: dict[str, Any] = {}
    if retry_of is not None:
        fields = {"causation_id": retry_of["failed_event_id"]}
    return [ReplyRequested(
        event_id=derived_id(ReplyRequested.type, reply_id), workspace_id=_ws(conversation), reply_id=reply_id,
        conversation_id=conversation["conversation_id"], account_id=conversation["account_id"],
        network=Network(conversation["network"]), target=reply_target, text=body, requested_by=user_id, **fields)]


def retry_target(failed: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """The failed reply a retry answers; only a failed, not yet retried reply can be retried."""
    if failed is None or not failed.get("failed_event_id") or failed.get("sent_at"):
        raise InboxError("not_retryable", "only a failed reply can be sent again")
    return failed


def assign(conversation: Mapping[str, Any], *, assignee_id: str | None, members: Mapping[str, str],
           role: str | None, user_id: str) -> list[Event]:
    """Assign to a member of the conversation's workspace (``members``: user id -> role), or unassign."""
    require(role, "assign")
    if assignee_id and assignee_id not in members:
        raise InboxError("not_a_member", "that person is not a member of this workspace")
    if (assignee_id or None) == conversation.get("assignee_id"):
        return []
    return [ConversationAssigned(workspace_id=_ws(conversation), conversation_id=conversation["conversation_id"],
                                 assignee_id=assignee_id or None, assigned_by=user_id)]


def close(conversation: Mapping[str, Any], *, role: str | None, user_id: str) -> list[Event]:
    require(role, "close")
    if conversation["status"] == "closed":
        return []
    return [ConversationClosed(workspace_id=_ws(conversation), conversation_id=conversation["conversation_id"],
                               closed_by=user_id)]


def reopen(conversation: Mapping[str, Any], *, role: str | None, user_id: str) -> list[Event]:
    require(role, "close")
    if conversation["status"] != "closed":
        return []
    return [ConversationReopened(workspace_id=_ws(conversation), conversation_id=conversation["conversation_id"],
                                 reopened_by=user_id)]


def tag(conversation: Mapping[str, Any], *, add: str = "", remove: str = "", role: str | None,
        user_id: str) -> list[Event]:
    require(role, "tag")
    current = set(conversation.get("tags", []))
    added = [t for t in parse_tags(add) if t not in current]
    removed = [t for t in parse_tags(remove) if t in current]
    if not added and not removed:
        return []
    return [ConversationTagged(workspace_id=_ws(conversation), conversation_id=conversation["conversation_id"],
                               added=added, removed=removed, tagged_by=user_id)]


MAX_NOTE = 10000


def note(conversation: Mapping[str, Any], *, text: str, role: str | None, user_id: str) -> list[Event]:
    require(role, "note")
    body = text.strip()
    if not body:
        raise InboxError("note_empty", "the note is empty")
    if len(body) > MAX_NOTE:
        raise InboxError("note_too_long", f"a note may have up to {MAX_NOTE} characters", maximum=MAX_NOTE)
    return [ConversationNoted(workspace_id=_ws(conversation), conversation_id=conversation["conversation_id"],
                              note_id=new_id(), text=body, author_id=user_id)]


def correct_sentiment(conversation: Mapping[str, Any], item: Mapping[str, Any] | None, *, label: str,
                      role: str | None, user_id: str) -> list[Event]:
    """Correct the label of one inbound item of the conversation."""
    require(role, "correct")
    if item is None or item.get("direction") != "in":
        raise NotFound("message")
    try:
        value = Sentiment(label)
    except ValueError:
        raise InboxError("bad_sentiment", f"{label[:20]!r} is not one of positive, neutral, negative") from None
    current = item.get("corrected_label") or item.get("machine_label")
    if current == value.value and item.get("corrected_label"):
        return []
    ref = ItemRef(kind=ItemKind(conversation["kind"]), network=Network(conversation["network"]),
                  account_id=conversation["account_id"], item_id=item["item_id"])
    return [SentimentCorrected(workspace_id=_ws(conversation), item=ref, label=value,
                               previous_label=Sentiment(current) if current else None, corrected_by=user_id)]
