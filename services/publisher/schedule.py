"""``ScheduleProjection``: the schedule as a projection of the log (``chorus replay publisher`` rebuilds it).

From the inbox: posts scheduled, edited and cancelled, replies requested, workspace settings; from the
accounts stream: connections and expired tokens; from the publisher's own stream: every attempt and outcome,
so a rebuilt schedule knows what was sent, what is being retried, and which attempts reached the network
without an observed outcome (``sending`` with its intent logged: reconciled at start).

The worker writes one thing itself, the claim (``adapters/repository.py``), always in a state this
projection has already settled; everything after it comes back through the log, in the log's order.
An edit changes only what has not started sending; a cancel stops what has not started and marks what
is in flight, so a lost outcome that turns out not to have reached the network is not sent again.
"""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from chorus.backbone.consumer import subscriptions_for
from chorus.backbone.db import insert_ignore, upsert
from chorus.backbone.projection import Projection
from chorus.events import (
    AccountConnected,
    AccountDisconnected,
    AccountTokenExpired,
    Event,
    PostAttempted,
    PostCancelled,
    PostDeferred,
    PostEdited,
    PostFailed,
    PostMissed,
    PostOutcomeUnknown,
    PostPublished,
    PostReconciled,
    PostScheduled,
    PostTarget,
    ReplyAttempted,
    ReplyDeferred,
    ReplyFailed,
    ReplyOutcomeUnknown,
    ReplyReconciled,
    ReplyRequested,
    ReplySent,
    WorkspaceSettingsChanged,
)
from chorus.events.values import FailureKind
from chorus.publisher.domain import FINAL, Kind, State, post_key
from chorus.publisher.tables import accounts, items, metadata, posts, workspaces

INBOX_TYPES = (PostScheduled, PostEdited, PostCancelled, ReplyRequested, WorkspaceSettingsChanged)
ACCOUNT_TYPES = (AccountConnected, AccountDisconnected, AccountTokenExpired)
OUTCOME_TYPES = (PostAttempted, PostDeferred, PostReconciled, PostPublished, PostFailed, PostMissed,
                 PostOutcomeUnknown, ReplyAttempted, ReplyDeferred, ReplyReconciled, ReplyOutcomeUnknown,
                 ReplySent, ReplyFailed)
#: Failures that prove the post never reached the network: a person's edit may send it again.
REOPENABLE = {FailureKind.TOKEN_INVALID, FailureKind.PERMISSION_MISSING, FailureKind.CONTENT_REJECTED,
              FailureKind.NOT_FOUND, FailureKind.RETRY_LATER}


def item_key(event: Event) -> str | None:
    """The schedule row an outcome event is about."""
    if isinstance(event, (ReplyAttempted, ReplyDeferred, ReplyReconciled, ReplyOutcomeUnknown, ReplySent,
                          ReplyFailed, ReplyRequested)):
        return event.reply_id
    if hasattr(event, "post_id") and hasattr(event, "account_id"):
        return post_key(event.post_id, event.account_id)
    return None


def _ts(moment) -> float:
    return moment.timestamp()


def _target_row(event: PostScheduled | PostEdited, target: PostTarget) -> dict[str, Any]:
    at = _ts(event.publish_at)
    return {"key": post_key(event.post_id, target.account_id), "kind": Kind.POST.value,
            "workspace_id": event.workspace_id, "account_id": target.account_id, "network": target.network.value,
            "post_id": event.post_id, "reply_id": None, "conversation_id": None, "target": None,
            "text": target.text, "media": json.dumps([m.model_dump() for m in target.media]),
            "campaign": event.campaign, "publish_at": at, "due_at": at, "state": State.SCHEDULED.value,
            "attempts": 0, "logged_attempt": 0, "version": 1, "rounds": 0, "deferred": False,
            "cancel_requested": False, "source_event_id": event.event_id, "correlation_id": event.correlation_id}


def _reply_row(event: ReplyRequested) -> dict[str, Any]:
    at = _ts(event.occurred_at)
    return {"key": event.reply_id, "kind": Kind.REPLY.value, "workspace_id": event.workspace_id,
            "account_id": event.account_id, "network": event.network.value, "post_id": None,
            "reply_id": event.reply_id, "conversation_id": event.conversation_id,
            "target": event.target.model_dump_json(), "text": event.text, "media": "[]", "campaign": None,
            "publish_at": at, "due_at": at, "state": State.SCHEDULED.value, "attempts": 0, "logged_attempt": 0,
            "version": 1, "rounds": 0, "deferred": False, "cancel_requested": False,
            "source_event_id": event.event_id, "correlation_id": event.correlation_id}


class ScheduleProjection(Projection):
    name = "publisher"
    subscriptions = subscriptions_for(*INBOX_TYPES, *ACCOUNT_TYPES, *OUTCOME_TYPES)
    metadata = metadata

    def __init__(self, settle_s: float = 15.0) -> None:
        #: An unknown outcome is first read back this long after it was recorded (see ``Policy.settle_s``).
        self.settle_s = settle_s

    def apply(self, conn: Connection, event: Event) -> None:
        self.apply_many(conn, [event])

    def apply_many(self, conn: Connection, events: list[Event]) -> None:
        fresh: list[dict[str, Any]] = []
        new_posts: list[dict[str, Any]] = []
        for event in events:
            if isinstance(event, PostScheduled):
                new_posts.append({"post_id": event.post_id, "workspace_id": event.workspace_id, "cancelled": False})
                fresh += [_target_row(event, t) for t in event.targets]
                continue
            if isinstance(event, ReplyRequested):
                fresh.append(_reply_row(event))
                continue
            self._flush(conn, fresh, new_posts)
            self._one(conn, event)
        self._flush(conn, fresh, new_posts)

    @staticmethod
    def _flush(conn: Connection, fresh: list[dict[str, Any]], new_posts: list[dict[str, Any]]) -> None:
        # A post or reply seen again (the same post_id in a second event) keeps its first version.
        # (``insert_ignore`` indexes an empty list before checking it is empty: skip the call then.)
        if new_posts:
            insert_ignore(conn, posts, new_posts)
        if fresh:
            insert_ignore(conn, items, fresh)
        fresh.clear()
        new_posts.clear()

    def _one(self, conn: Connection, event: Event) -> None:
        if isinstance(event, WorkspaceSettingsChanged):
            upsert(conn, workspaces, {"workspace_id": event.workspace_id, "time_zone": event.time_zone,
                                      "lateness_minutes": event.lateness_limit_minutes}, ["workspace_id"])
        elif isinstance(event, AccountConnected):
            upsert(conn, accounts, {"account_id": event.account_id, "status": "connected", "reason": None},
                   ["account_id"])
        elif isinstance(event, AccountDisconnected):
            upsert(conn, accounts, {"account_id": event.account_id, "status": "disconnected",
                                    "reason": "the account was disconnected" + (f": {event.reason}" if event.reason
                                                                                else "")}, ["account_id"])
        elif isinstance(event, AccountTokenExpired):
            upsert(conn, accounts, {"account_id": event.account_id, "status": "token_expired",
                                    "reason": f"the account's {event.token_kind} token stopped working "
                                              f"({event.reason}): reconnect the account"}, ["account_id"])
        elif isinstance(event, PostEdited):
            self._edit(conn, event)
        elif isinstance(event, PostCancelled):
            self._cancel(conn, event)
        else:
            key = item_key(event)
            row = conn.execute(select(items).where(items.c.key == key)).mappings().first() if key else None
            if row is not None:
                changes = self.outcome(dict(row), event)
                if changes:
                    conn.execute(update(items).where(items.c.key == key).values(**changes))

    def outcome(self, row: dict[str, Any], event: Event) -> dict[str, Any]:
        """The columns an event of the publisher's own stream changes on its row (none when it is stale)."""
        state, at = State(row["state"]), _ts(event.occurred_at)
        if isinstance(event, PostAttempted | ReplyAttempted):
            changes: dict[str, Any] = {"logged_attempt": max(row["logged_attempt"], event.attempt),
                                       "attempts": max(row["attempts"], event.attempt),
                                       "intent_at": row["intent_at"] or at}
            if state not in FINAL and state != State.SENDING:
                changes |= {"state": State.SENDING.value, "claimed_from": state.value, "claimed_at": at}
            return changes
        if isinstance(event, PostPublished | ReplySent):
            when = event.published_at if isinstance(event, PostPublished) else event.sent_at
            return {"state": State.PUBLISHED.value, "remote_id": event.remote_id, "url": event.url,
                    "done_at": _ts(when), "failure": None, "reason": None, "cancel_requested": False}
        if state in FINAL:
            return {}
        if isinstance(event, PostDeferred | ReplyDeferred):
            if state == State.UNKNOWN:  # a read-back that could not be made now
                return {"due_at": _ts(event.retry_at), "rounds": row["rounds"] + 1, "reason": event.reason}
            if row["cancel_requested"]:
                return self._cancelled("cancelled while a retry was pending", at)
            return {"state": State.SCHEDULED.value, "due_at": _ts(event.retry_at), "deferred": True,
                    "failure": event.failure.value, "reason": event.reason}
        if isinstance(event, PostOutcomeUnknown | ReplyOutcomeUnknown):
            return {"state": State.UNKNOWN.value, "due_at": at + self.settle_s, "rounds": 0, "deferred": False,
                    "failure": FailureKind.UNKNOWN.value, "reason": event.reason}
        if isinstance(event, PostReconciled | ReplyReconciled):
            if event.found:
                return {"state": State.PUBLISHED.value, "remote_id": event.remote_id, "url": event.url,
                        "done_at": at, "failure": None, "reason": None}
            if row["cancel_requested"]:
                return self._cancelled("cancelled: the earlier attempt had not reached the network", at)
            return {"state": State.SCHEDULED.value, "due_at": at, "deferred": True, "rounds": 0,
                    "reason": event.detail or "not on the network: sent again"}
        if isinstance(event, PostFailed | ReplyFailed):
            return {"state": State.FAILED.value, "failure": event.failure.value, "reason": event.reason,
                    "done_at": at}
        if isinstance(event, PostMissed):
            return {"state": State.MISSED.value, "reason": event.reason, "done_at": at}
        return {}

    @staticmethod
    def _cancelled(note: str, at: float) -> dict[str, Any]:
        return {"state": State.CANCELLED.value, "note": note, "done_at": at}

    def _rows(self, conn: Connection, post_id: str) -> dict[str, dict[str, Any]]:
        return {r["key"]: dict(r) for r in conn.execute(select(items).where(items.c.post_id == post_id)).mappings()}

    def _edit(self, conn: Connection, event: PostEdited) -> None:
        post = conn.execute(select(posts.c.cancelled).where(posts.c.post_id == event.post_id)).first()
        if post is None or post.cancelled:
            return  # an edit of a post never scheduled, or cancelled, changes nothing
        rows = self._rows(conn, event.post_id)
        at, when = _ts(event.occurred_at), _ts(event.publish_at)
        wanted = {post_key(event.post_id, t.account_id): t for t in event.targets}
        for key, target in wanted.items():
            row = rows.get(key)
            if row is None:
                insert_ignore(conn, items, _target_row(event, target) | {"source_event_id": event.event_id})
                continue
            state = State(row["state"])
            reopen = state in (State.FAILED, State.MISSED) and (
                state == State.MISSED or FailureKind(row["failure"]) in REOPENABLE)
            if state != State.SCHEDULED and not reopen:
                conn.execute(update(items).where(items.c.key == key).values(
                    note=f"an edit arrived when the post was already {state.value}; the earlier version stands"))
                continue
            due = max(when, row["due_at"]) if row["deferred"] and state == State.SCHEDULED else when
            values: dict[str, Any] = {
                "text": target.text, "media": json.dumps([m.model_dump() for m in target.media]),
                "network": target.network.value, "campaign": event.campaign, "publish_at": when, "due_at": due,
                "version": row["version"] + 1, "source_event_id": event.event_id, "note": None}
            if reopen:
                values |= {"state": State.SCHEDULED.value, "failure": None, "reason": None, "done_at": None,
                           "deferred": row["attempts"] > 0}
            conn.execute(update(items).where(items.c.key == key).values(**values))
        for key, row in rows.items():
            if key not in wanted:
                self._stop(conn, row, "the account was removed from the post by an edit", at)

    def _cancel(self, conn: Connection, event: PostCancelled) -> None:
        conn.execute(update(posts).where(posts.c.post_id == event.post_id).values(
            cancelled=True, cancelled_by=event.cancelled_by))
        for row in self._rows(conn, event.post_id).values():
            self._stop(conn, row, f"cancelled by {event.cancelled_by}", _ts(event.occurred_at))

    def _stop(self, conn: Connection, row: dict[str, Any], why: str, at: float) -> None:
        state = State(row["state"])
        where = items.c.key == row["key"]
        if state == State.SCHEDULED:
            conn.execute(update(items).where(where).values(**self._cancelled(why, at)))
        elif state in (State.SENDING, State.UNKNOWN):
            conn.execute(update(items).where(where).values(
                cancel_requested=True, note=f"{why} while it was being sent: if it did not reach the network "
                                            "it will not be sent again"))
        else:
            conn.execute(update(items).where(where).values(note=f"{why} after it was already {state.value}"))
