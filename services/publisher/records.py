"""The events the publisher writes about an item, each with a deterministic id.

An id is derived from the item's key and the attempt (or edit version) it is about, so a handler that runs
twice for the same step (after a crash, or a dispatch racing an outcome) writes the same event, which the
log stores once.
"""
from __future__ import annotations

from datetime import datetime

from chorus.events import (
    Event,
    PostAttempted,
    PostDeferred,
    PostFailed,
    PostMissed,
    PostOutcomeUnknown,
    PostPublished,
    PostReconciled,
    ReplyAttempted,
    ReplyDeferred,
    ReplyFailed,
    ReplyOutcomeUnknown,
    ReplyReconciled,
    ReplySent,
    derived_id,
)
from chorus.events.values import FailureKind
from chorus.networks.base import Sent
from chorus.publisher.domain import Item, Kind


def _envelope(item: Item, cls: type[Event], *parts: object) -> dict[str, object]:
    return {"event_id": derived_id(cls.type, item.key, *parts), "workspace_id": item.workspace_id,
            "correlation_id": item.correlation_id or item.source_event_id,
            "causation_id": item.source_event_id or None}


def _post(item: Item) -> dict[str, object]:
    return {"post_id": item.post_id, "account_id": item.account_id, "network": item.network}


def _reply(item: Item) -> dict[str, object]:
    return {"reply_id": item.reply_id, "conversation_id": item.conversation_id or "",
            "account_id": item.account_id, "network": item.network}


def attempted(item: Item, attempt: int) -> Event:
    if item.kind == Kind.POST:
        return PostAttempted(**_envelope(item, PostAttempted, attempt), **_post(item), attempt=attempt,
                             key=item.idempotency_key)
    return ReplyAttempted(**_envelope(item, ReplyAttempted, attempt), **_reply(item), attempt=attempt,
                          key=item.idempotency_key)


def published(item: Item, sent: Sent, now: datetime) -> Event:
    if item.kind == Kind.POST:
        return PostPublished(**_envelope(item, PostPublished), **_post(item), remote_id=sent.remote_id,
                             url=sent.url, published_at=sent.published_at or now)
    return ReplySent(**_envelope(item, ReplySent), **_reply(item), remote_id=sent.remote_id, url=sent.url,
                     sent_at=sent.published_at or now)


def failed(item: Item, failure: FailureKind, reason: str) -> Event:
    parts = (item.version, item.attempts)
    if item.kind == Kind.POST:
        return PostFailed(**_envelope(item, PostFailed, *parts), **_post(item), failure=failure, reason=reason)
    return ReplyFailed(**_envelope(item, ReplyFailed, *parts), **_reply(item), failure=failure, reason=reason)


def missed(item: Item, reason: str) -> Event:
    return PostMissed(**_envelope(item, PostMissed, item.version, item.attempts), **_post(item),
                      due_at=item.publish_at, reason=reason)


def deferred(item: Item, attempt: int, reason: str, retry_at: datetime, *, step: str = "attempt") -> Event:
    """A retry for later: of attempt ``attempt`` (``step="attempt"``), or of a read-back (``"readback-<n>"``)."""
    parts = (attempt, step)
    if item.kind == Kind.POST:
        return PostDeferred(**_envelope(item, PostDeferred, *parts), **_post(item), attempt=attempt,
                            reason=reason, retry_at=retry_at)
    return ReplyDeferred(**_envelope(item, ReplyDeferred, *parts), **_reply(item), attempt=attempt,
                         reason=reason, retry_at=retry_at)


def unknown(item: Item, attempt: int, reason: str) -> Event:
    if item.kind == Kind.POST:
        return PostOutcomeUnknown(**_envelope(item, PostOutcomeUnknown, attempt), **_post(item), reason=reason)
    return ReplyOutcomeUnknown(**_envelope(item, ReplyOutcomeUnknown, attempt), **_reply(item), reason=reason)


def reconciled(item: Item, attempt: int, *, found: bool, sent: Sent | None, method: str, detail: str) -> Event:
    fields = {"attempt": attempt, "found": found, "remote_id": sent.remote_id if sent else None,
              "url": sent.url if sent else None, "method": method, "detail": detail}
    if item.kind == Kind.POST:
        return PostReconciled(**_envelope(item, PostReconciled, attempt), **_post(item), **fields)
    return ReplyReconciled(**_envelope(item, ReplyReconciled, attempt), **_reply(item), **fields)
