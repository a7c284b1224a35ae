"""``InboxProjection``: conversations, messages, accounts, alerts, gaps and settings from the log.

Each event writes only the columns it owns (``upsert`` of a partial row), so events of different streams
can arrive in any order and leave the same rows; facts that combine them are recomputed per touched
conversation at the end of each batch (``recompute.py``). Ids: a conversation's is derived from (account,
kind, thread key); a message's is the item's key ``account:kind:item_id`` (``reply:<reply_id>`` for
replies, ``note:<note_id>``, ``act:<event_id>`` for activity lines).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from chorus.backbone.consumer import subscriptions_for
from chorus.backbone.db import insert_ignore, upsert
from chorus.backbone.projection import Projection
from chorus.events import (
    AccountConnected,
    AccountDisconnected,
    AccountTokenExpired,
    AlertDestinationsChanged,
    AlertRaised,
    AlertRulesChanged,
    BrandRulesChanged,
    CommentDeleted,
    CommentEdited,
    CommentReceived,
    ConversationAssigned,
    ConversationClosed,
    ConversationNoted,
    ConversationReopened,
    ConversationTagged,
    DirectMessageReceived,
    Event,
    IngestGapRecorded,
    MentionFound,
    ReplyFailed,
    ReplyRequested,
    ReplySent,
    SentimentClassified,
    SentimentCorrected,
    SentimentRulesChanged,
    WorkspaceSettingsChanged,
)
from chorus.events.values import ItemKind
from chorus.inbox.domain import conversation_id, item_key
from chorus.inbox.projection import ddl
from chorus.inbox.projection.recompute import recompute
from chorus.inbox.projection.tables import (
    accounts,
    alerts,
    conversations,
    gaps,
    messages,
    metadata,
    search,
    sentiments,
    settings,
    tags,
)
from chorus.inbox.search import lemmatise

SETTINGS_EVENTS = {BrandRulesChanged: "brand_rules", AlertRulesChanged: "alert_rules",
                   AlertDestinationsChanged: "alert_destinations", SentimentRulesChanged: "sentiment_rules",
                   WorkspaceSettingsChanged: "workspace"}
EVENT_TYPES = (AccountConnected, AccountDisconnected, AccountTokenExpired, CommentReceived, CommentEdited,
               CommentDeleted, DirectMessageReceived, MentionFound, IngestGapRecorded, SentimentClassified,
               AlertRaised, ReplyRequested, ConversationAssigned, ConversationClosed, ConversationReopened,
               ConversationTagged, ConversationNoted, SentimentCorrected, ReplySent, ReplyFailed, *SETTINGS_EVENTS)


def touched_conversation(event: Event) -> str | None:
    """The conversation an event changes, when it can be told from the event alone (for live updates)."""
    if isinstance(event, CommentReceived | CommentEdited | CommentDeleted):
        return conversation_id(event.account_id, ItemKind.COMMENT, event.post_id)
    if isinstance(event, DirectMessageReceived):
        return conversation_id(event.account_id, ItemKind.MESSAGE, event.dialogue_id)
    if isinstance(event, MentionFound):
        return conversation_id(event.account_id, ItemKind.MENTION, event.mention_id)
    return getattr(event, "conversation_id", None)


class InboxProjection(Projection):
    name = "inbox"
    subscriptions = subscriptions_for(*EVENT_TYPES)
    metadata = metadata

    def create_tables(self, engine) -> None:
        super().create_tables(engine)
        ddl.create_search_index(engine)

    def reset(self, conn: Connection) -> None:
        ddl.reset_search_index(conn)
        for table in reversed(self.metadata.sorted_tables):
            if table is not search:
                conn.execute(table.delete())

    def apply(self, conn: Connection, event: Event) -> None:
        touched: set[str] = set()
        self._one(conn, event, touched)
        recompute(conn, touched)

    def apply_many(self, conn: Connection, events: list[Event]) -> None:
        touched: set[str] = set()
        for event in events:
            self._one(conn, event, touched)
        recompute(conn, touched)

    def _one(self, conn: Connection, event: Event, touched: set[str]) -> None:
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            cid = handler(conn, event)
            if cid:
                touched.add(cid)
        elif type(event) in SETTINGS_EVENTS:
            payload = event.model_dump(mode="json", exclude={"event_id", "occurred_at", "workspace_id",
                                                             "correlation_id", "causation_id", "schema_version"})
            upsert(conn, settings, {"workspace_id": event.workspace_id, "name": SETTINGS_EVENTS[type(event)],
                                    "payload": json.dumps(payload, ensure_ascii=False),
                                    "changed_by": payload.get("changed_by"), "changed_at": event.occurred_at},
                   ["workspace_id", "name"])


# --- helpers ----------------------------------------------------------------------------------------

def _conversation(conn: Connection, cid: str, workspace_id: str, **identity: Any) -> None:
    row = {"conversation_id": cid, "workspace_id": workspace_id, **{k: v for k, v in identity.items() if v is not None}}
    if len(row) == 2:
        insert_ignore(conn, conversations, {**row, "status": "open", "message_count": 0})
    else:
        insert_ignore(conn, conversations, {"conversation_id": cid, "workspace_id": workspace_id, "status": "open",
                                            "message_count": 0})
        upsert(conn, conversations, row, ["conversation_id"])


def _message(conn: Connection, row: dict[str, Any], searchable: str | None = None) -> None:
    upsert(conn, messages, row, ["message_key"])
    if searchable is not None:
        upsert(conn, search, {"search_id": search_id(row["message_key"]), "message_key": row["message_key"],
                              "conversation_id": row["conversation_id"], "workspace_id": row["workspace_id"],
                              "lemmas": lemmatise(searchable)}, ["message_key"])


def search_id(message_key: str) -> int:
    """A stable positive 63-bit id for a message's search row (the same in every rebuild)."""
    return int.from_bytes(hashlib.blake2b(message_key.encode(), digest_size=8).digest(), "big") >> 1


def _activity(conn: Connection, event: Event, cid: str, **data: Any) -> None:
    insert_ignore(conn, messages, {"message_key": f"act:{event.event_id}", "conversation_id": cid,
                                   "workspace_id": event.workspace_id, "direction": "activity",
                                   "at": event.occurred_at, "activity": json.dumps(data, ensure_ascii=False)})


def _author(author) -> dict[str, Any]:
    return {"author_id": author.id, "author_name": author.name, "author_handle": author.handle,
            "author_url": author.url}


def _attachments(items) -> str | None:
    return json.dumps([a.model_dump(mode="json") for a in items], ensure_ascii=False) if items else None


# --- inbound ----------------------------------------------------------------------------------------

def _comment(conn: Connection, e: CommentReceived) -> str:
    cid = conversation_id(e.account_id, ItemKind.COMMENT, e.post_id)
    _conversation(conn, cid, e.workspace_id, account_id=e.account_id, network=e.network.value, kind="comment",
                  thread_key=e.post_id, post_text=e.post_text)
    _message(conn, {"message_key": item_key(e.account_id, ItemKind.COMMENT, e.comment_id), "conversation_id": cid,
                    "workspace_id": e.workspace_id, "direction": "out" if e.from_account else "in",
                    "item_id": e.comment_id, "parent_item_id": e.parent_comment_id, **_author(e.author),
                    "text": e.text, "url": e.url, "attachments": _attachments(e.attachments), "at": e.created_at},
             e.text)
    return cid


def _direct_message(conn: Connection, e: DirectMessageReceived) -> str:
    cid = conversation_id(e.account_id, ItemKind.MESSAGE, e.dialogue_id)
    _conversation(conn, cid, e.workspace_id, account_id=e.account_id, network=e.network.value, kind="message",
                  thread_key=e.dialogue_id)
    _message(conn, {"message_key": item_key(e.account_id, ItemKind.MESSAGE, e.message_id), "conversation_id": cid,
                    "workspace_id": e.workspace_id, "direction": "in", "item_id": e.message_id, **_author(e.author),
                    "text": e.text, "attachments": _attachments(e.attachments), "at": e.created_at}, e.text)
    return cid


def _mention(conn: Connection, e: MentionFound) -> str:
    cid = conversation_id(e.account_id, ItemKind.MENTION, e.mention_id)
    _conversation(conn, cid, e.workspace_id, account_id=e.account_id, network=e.network.value, kind="mention",
                  thread_key=e.mention_id, post_text=e.text, post_url=e.url)
    _message(conn, {"message_key": item_key(e.account_id, ItemKind.MENTION, e.mention_id), "conversation_id": cid,
                    "workspace_id": e.workspace_id, "direction": "in", "item_id": e.mention_id, **_author(e.author),
                    "text": e.text, "url": e.url, "at": e.created_at}, e.text)
    return cid


def _edited(conn: Connection, e: CommentEdited) -> str:
    key = item_key(e.account_id, ItemKind.COMMENT, e.comment_id)
    row = conn.execute(select(messages.c.text, messages.c.original_text).where(messages.c.message_key == key)).first()
    if row is not None:
        conn.execute(update(messages).where(messages.c.message_key == key).values(
            text=e.text, edited_at=e.edited_at, original_text=row.original_text if row.original_text is not None
            else row.text))
        conn.execute(update(search).where(search.c.message_key == key).values(lemmas=lemmatise(e.text)))
    return conversation_id(e.account_id, ItemKind.COMMENT, e.post_id)


def _deleted(conn: Connection, e: CommentDeleted) -> str:
    key = item_key(e.account_id, ItemKind.COMMENT, e.comment_id)
    conn.execute(update(messages).where(messages.c.message_key == key).values(deleted_at=e.deleted_at))
    return conversation_id(e.account_id, ItemKind.COMMENT, e.post_id)


# --- replies ----------------------------------------------------------------------------------------

def _reply_requested(conn: Connection, e: ReplyRequested) -> str:
    _conversation(conn, e.conversation_id, e.workspace_id, account_id=e.account_id, network=e.network.value)
    _message(conn, {"message_key": f"reply:{e.reply_id}", "conversation_id": e.conversation_id,
                    "workspace_id": e.workspace_id, "direction": "out", "text": e.text, "reply_text": e.text,
                    "requested_by": e.requested_by, "requested_event_id": e.event_id, "retry_of": e.causation_id,
                    "target": e.target.model_dump_json(), "at": e.occurred_at}, e.text)
    return e.conversation_id


def _reply_sent(conn: Connection, e: ReplySent) -> str:
    _conversation(conn, e.conversation_id, e.workspace_id, account_id=e.account_id, network=e.network.value)
    _message(conn, {"message_key": f"reply:{e.reply_id}", "conversation_id": e.conversation_id,
                    "workspace_id": e.workspace_id, "direction": "out", "sent_at": e.sent_at,
                    "remote_id": e.remote_id, "url": e.url})
    return e.conversation_id


def _reply_failed(conn: Connection, e: ReplyFailed) -> str:
    _conversation(conn, e.conversation_id, e.workspace_id, account_id=e.account_id, network=e.network.value)
    _message(conn, {"message_key": f"reply:{e.reply_id}", "conversation_id": e.conversation_id,
                    "workspace_id": e.workspace_id, "direction": "out", "failure": e.failure.value,
                    "failure_reason": e.reason, "failed_event_id": e.event_id})
    return e.conversation_id


# --- conversation work ------------------------------------------------------------------------------

def _assigned(conn: Connection, e: ConversationAssigned) -> str:
    _conversation(conn, e.conversation_id, e.workspace_id)
    conn.execute(update(conversations).where(conversations.c.conversation_id == e.conversation_id)
                 .values(assignee_id=e.assignee_id or None))
    _activity(conn, e, e.conversation_id, action="assigned", by=e.assigned_by, to=e.assignee_id)
    return e.conversation_id


def _closed(conn: Connection, e: ConversationClosed) -> str:
    _conversation(conn, e.conversation_id, e.workspace_id)
    conn.execute(update(conversations).where(conversations.c.conversation_id == e.conversation_id)
                 .values(closed_at=e.occurred_at, closed_by=e.closed_by))
    _activity(conn, e, e.conversation_id, action="closed", by=e.closed_by)
    return e.conversation_id


def _reopened(conn: Connection, e: ConversationReopened) -> str:
    _conversation(conn, e.conversation_id, e.workspace_id)
    conn.execute(update(conversations).where(conversations.c.conversation_id == e.conversation_id)
                 .values(reopened_at=e.occurred_at))
    _activity(conn, e, e.conversation_id, action="reopened", by=e.reopened_by)
    return e.conversation_id


def _tagged(conn: Connection, e: ConversationTagged) -> str:
    _conversation(conn, e.conversation_id, e.workspace_id)
    if e.removed:
        conn.execute(delete(tags).where(tags.c.conversation_id == e.conversation_id, tags.c.tag.in_(e.removed)))
    if e.added:
        insert_ignore(conn, tags, [{"conversation_id": e.conversation_id, "tag": t, "workspace_id": e.workspace_id}
                                   for t in e.added])
    _activity(conn, e, e.conversation_id, action="tagged", by=e.tagged_by, added=e.added, removed=e.removed)
    return e.conversation_id


def _noted(conn: Connection, e: ConversationNoted) -> str:
    _conversation(conn, e.conversation_id, e.workspace_id)
    insert_ignore(conn, messages, {"message_key": f"note:{e.note_id}", "conversation_id": e.conversation_id,
                                   "workspace_id": e.workspace_id, "direction": "note", "text": e.text,
                                   "author_id": e.author_id, "at": e.occurred_at})
    return e.conversation_id


def _conversation_of_item(conn: Connection, key: str) -> str | None:
    return conn.execute(select(messages.c.conversation_id).where(messages.c.message_key == key)).scalar()


def _classified(conn: Connection, e: SentimentClassified) -> str | None:
    upsert(conn, sentiments, {"item_key": e.item.key, "machine_label": e.label.value, "score": e.score,
                              "language": e.language}, ["item_key"])
    return _conversation_of_item(conn, e.item.key)


def _corrected(conn: Connection, e: SentimentCorrected) -> str | None:
    upsert(conn, sentiments, {"item_key": e.item.key, "corrected_label": e.label.value,
                              "corrected_by": e.corrected_by}, ["item_key"])
    return _conversation_of_item(conn, e.item.key)


# --- accounts, alerts, gaps -------------------------------------------------------------------------

def _connected(conn: Connection, e: AccountConnected) -> None:
    upsert(conn, accounts, {"account_id": e.account_id, "workspace_id": e.workspace_id, "network": e.network.value,
                            "external_id": e.external_id, "name": e.name, "handle": e.handle, "url": e.url,
                            "token_kinds": json.dumps(e.token_kinds), "features": json.dumps(e.features),
                            "status": "connected", "status_reason": None, "status_at": e.occurred_at,
                            "connected_at": e.occurred_at}, ["account_id"])


def _account_status(status: str) -> Callable[[Connection, Event], None]:
    def apply(conn: Connection, e: Any) -> None:
        reason = getattr(e, "reason", "") or ""
        if isinstance(e, AccountTokenExpired):
            reason = f"{e.token_kind}: {e.reason}"
        insert_ignore(conn, accounts, {"account_id": e.account_id, "workspace_id": e.workspace_id,
                                       "network": e.network.value, "status": status})
        conn.execute(update(accounts).where(accounts.c.account_id == e.account_id)
                     .values(status=status, status_reason=reason, status_at=e.occurred_at))
    return apply


def _alert(conn: Connection, e: AlertRaised) -> None:
    insert_ignore(conn, alerts, {"alert_id": e.alert_id, "workspace_id": e.workspace_id, "rule_id": e.rule_id,
                                 "kind": e.kind.value, "severity": e.severity, "title": e.title, "summary": e.summary,
                                 "account_id": e.account_id,
                                 "items": json.dumps([i.model_dump(mode="json") for i in e.items]),
                                 "raised_at": e.occurred_at, "window_from": e.window_from, "window_to": e.window_to})


def _gap(conn: Connection, e: IngestGapRecorded) -> None:
    insert_ignore(conn, gaps, {"gap_id": e.event_id, "workspace_id": e.workspace_id, "account_id": e.account_id,
                               "network": e.network.value, "source": e.source, "gap_from": e.gap_from,
                               "gap_to": e.gap_to, "reason": e.reason})


_HANDLERS: dict[type[Event], Callable[[Connection, Any], str | None]] = {
    CommentReceived: _comment, DirectMessageReceived: _direct_message, MentionFound: _mention,
    CommentEdited: _edited, CommentDeleted: _deleted, ReplyRequested: _reply_requested, ReplySent: _reply_sent,
    ReplyFailed: _reply_failed, ConversationAssigned: _assigned, ConversationClosed: _closed,
    ConversationReopened: _reopened, ConversationTagged: _tagged, ConversationNoted: _noted,
    SentimentClassified: _classified, SentimentCorrected: _corrected, AccountConnected: _connected,
    AccountDisconnected: _account_status("disconnected"), AccountTokenExpired: _account_status("token_expired"),
    AlertRaised: _alert, IngestGapRecorded: _gap,
}
