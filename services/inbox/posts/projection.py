"""``PostsProjection``: posts and their state on each account, from the inbox's and the publisher's events.

Rebuilt by ``chorus replay inbox`` together with ``InboxProjection``. Each event writes only the columns
it owns; at the end of a batch the state of every touched post is recomputed from its rows
(``states.target_state``), so the two streams may be applied in either order.

Declared simplification: a target shows the latest version's text. An edit that reached the publisher
after it had started sending is ignored there (it notes that the earlier version stands); the inbox never
makes such an edit (it refuses to change a post that is sending), but one made through another client
would show its text here although the earlier one went out.
"""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from chorus.backbone.consumer import subscriptions_for
from chorus.backbone.db import insert_ignore
from chorus.backbone.projection import Projection
from chorus.events import (
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
)
from chorus.events.values import Network
from chorus.inbox.posts import states
from chorus.inbox.posts.tables import metadata, posts, targets
from chorus.inbox.views import utc

INBOX_EVENTS = (PostScheduled, PostEdited, PostCancelled)
OUTCOME_EVENTS = (PostAttempted, PostDeferred, PostReconciled, PostPublished, PostFailed, PostMissed,
                  PostOutcomeUnknown)
POST_EVENTS = INBOX_EVENTS + OUTCOME_EVENTS
_NETWORK_ORDER = [n.value for n in Network]


class PostsProjection(Projection):
    name = "inbox_posts"
    subscriptions = subscriptions_for(*POST_EVENTS)
    metadata = metadata

    def apply(self, conn: Connection, event: Event) -> None:
        self.apply_many(conn, [event])

    def apply_many(self, conn: Connection, events: list[Event]) -> None:
        touched: set[str] = set()
        for event in events:
            if isinstance(event, PostScheduled | PostEdited):
                _version(conn, event)
            elif isinstance(event, PostCancelled):
                conn.execute(update(posts).where(posts.c.post_id == event.post_id, posts.c.cancelled_at.is_(None))
                             .values(cancelled_at=event.occurred_at, cancelled_by=event.cancelled_by))
            elif isinstance(event, OUTCOME_EVENTS):
                _outcome(conn, event)
            else:
                continue
            touched.add(event.post_id)
        for post_id in sorted(touched):
            recompute(conn, post_id)


def _version(conn: Connection, e: PostScheduled | PostEdited) -> None:
    """A version of the post (the first, or an edit): applied unless a later version is already there."""
    if isinstance(e, PostScheduled):
        insert_ignore(conn, posts, {"post_id": e.post_id, "workspace_id": e.workspace_id})
    current = conn.execute(select(posts.c.version_at, posts.c.scheduled_at).where(posts.c.post_id == e.post_id)).first()
    if current is None:
        return  # an edit of a post never scheduled changes nothing (as for the publisher)
    if isinstance(e, PostScheduled) and current.scheduled_at is not None:
        return  # the same post id scheduled again keeps its first version (as for the publisher)
    if current.version_at is not None and utc(current.version_at) > e.occurred_at:
        return
    values: dict[str, Any] = {"publish_at": e.publish_at, "version_at": e.occurred_at, "campaign": e.campaign}
    if isinstance(e, PostScheduled):
        values |= {"created_by": e.created_by, "approved_by": e.approved_by, "scheduled_at": e.occurred_at}
    else:
        values |= {"edited_by": e.edited_by}
    conn.execute(update(posts).where(posts.c.post_id == e.post_id).values(**values))
    wanted = {t.account_id for t in e.targets}
    for t in e.targets:
        insert_ignore(conn, targets, {"post_id": e.post_id, "account_id": t.account_id,
                                      "workspace_id": e.workspace_id, "attempts": 0})
        conn.execute(update(targets).where(targets.c.post_id == e.post_id, targets.c.account_id == t.account_id)
                     .values(network=t.network.value, text=t.text, version_at=e.occurred_at,
                             media=json.dumps([m.model_dump(mode="json") for m in t.media], ensure_ascii=False)))
    for row in conn.execute(select(targets.c.account_id).where(targets.c.post_id == e.post_id)):
        if row.account_id not in wanted:
            conn.execute(update(targets).where(targets.c.post_id == e.post_id,
                                               targets.c.account_id == row.account_id)
                         .values(removed_at=e.occurred_at))


def _outcome_values(e: Event) -> dict[str, Any]:
    at = e.occurred_at
    if isinstance(e, PostPublished):
        return {"outcome": "published", "remote_id": e.remote_id, "url": e.url, "published_at": e.published_at,
                "failure": None, "reason": None, "retry_at": None}
    if isinstance(e, PostReconciled):
        if e.found:
            return {"outcome": "published", "remote_id": e.remote_id, "url": e.url, "published_at": at,
                    "failure": None, "reason": None, "retry_at": None}
        return {"outcome": "resend", "reason": e.detail or "not on the network: sent again", "retry_at": None}
    if isinstance(e, PostAttempted):
        return {"outcome": "attempted", "retry_at": None}
    if isinstance(e, PostDeferred):
        return {"outcome": "deferred", "failure": e.failure.value, "reason": e.reason, "retry_at": e.retry_at}
    if isinstance(e, PostOutcomeUnknown):
        return {"outcome": "unknown", "failure": "unknown", "reason": e.reason, "retry_at": None}
    if isinstance(e, PostFailed):
        return {"outcome": "failed", "failure": e.failure.value, "reason": e.reason, "retry_at": None}
    if isinstance(e, PostMissed):
        return {"outcome": "missed", "failure": None, "reason": e.reason, "retry_at": None}
    raise TypeError(type(e).__name__)


def _outcome(conn: Connection, e: Any) -> None:
    insert_ignore(conn, targets, {"post_id": e.post_id, "account_id": e.account_id, "workspace_id": e.workspace_id,
                                  "network": e.network.value, "attempts": 0})
    where = (targets.c.post_id == e.post_id) & (targets.c.account_id == e.account_id)
    row = conn.execute(select(targets.c.outcome, targets.c.attempts, targets.c.attempted_at).where(where)).one()
    if row.outcome == "published":
        return  # final: nothing the publisher says afterwards changes it
    values = {**_outcome_values(e), "outcome_at": e.occurred_at}
    if isinstance(e, PostAttempted):
        values |= {"attempts": max(row.attempts or 0, e.attempt), "attempted_at": row.attempted_at or e.occurred_at}
    conn.execute(update(targets).where(where).values(**values))


def recompute(conn: Connection, post_id: str) -> None:
    post = conn.execute(select(posts.c.cancelled_at, posts.c.scheduled_at).where(posts.c.post_id == post_id)).first()
    cancelled_at = utc(post.cancelled_at) if post else None
    found: list[tuple[str, str | None, str | None]] = []
    for row in conn.execute(select(targets).where(targets.c.post_id == post_id).order_by(targets.c.account_id)):
        state = states.target_state(outcome=row.outcome, outcome_at=utc(row.outcome_at), failure=row.failure,
                                    version_at=utc(row.version_at), removed_at=utc(row.removed_at),
                                    cancelled_at=cancelled_at)
        if state != row.state:
            conn.execute(update(targets).where(targets.c.post_id == post_id, targets.c.account_id == row.account_id)
                         .values(state=state))
        found.append((state, row.network, row.text))
    if post is None or post.scheduled_at is None:
        return
    networks = sorted({n for _, n, _ in found if n}, key=lambda n: _NETWORK_ORDER.index(n)
                      if n in _NETWORK_ORDER else 99)
    text = next((t for _, _, t in found if t), "")
    conn.execute(update(posts).where(posts.c.post_id == post_id).values(
        state=states.summary(s for s, _, _ in found), networks=",".join(networks),
        preview=" ".join(text.split())[:280]))
