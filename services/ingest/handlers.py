"""What ingest does with what a reader returns: plain functions, message first, dependencies by name.

Each returns the events it appended. The order inside ``store_batch`` is the promise of the service:
events first (awaited: JetStream acknowledged every one), unmappable payloads kept as dead letters, and
only then may the caller move the cursor.
"""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from chorus.backbone.store import EventStore
from chorus.events import AccountTokenExpired, Event, IngestGapRecorded, derived_id
from chorus.ingest.domain import AccountRecord
from chorus.networks.accounts import report_token_expired
from chorus.networks.base import Batch
from chorus.networks.credentials import Credentials
from chorus.networks.errors import NetworkError, redact
from chorus.networks.vk import mapping as vk_mapping

log = logging.getLogger(__name__)


class DeadLetterKeeper(Protocol):
    async def keep(self, *, network: str, account_id: str, source: str, item: dict) -> bool: ...


@dataclass
class Stored:
    events: list[Event] = field(default_factory=list)
    #: Appended for the first time (the rest were already in the log: a re-read).
    new: int = 0
    duplicates: int = 0
    rejected: int = 0
    gap: IngestGapRecorded | None = None

    @property
    def newest(self) -> datetime | None:
        times = [e.occurred_at for e in self.events if not isinstance(e, IngestGapRecorded)]
        return max(times) if times else None


def gap_recorded(account: AccountRecord, source: str, gap_from: datetime, gap_to: datetime,
                 reason: str) -> IngestGapRecorded:
    """The gap event; its id comes from where the unseen period starts, so noticing it twice stores it once."""
    return IngestGapRecorded(
        event_id=derived_id(IngestGapRecorded.type, account.account_id, source, gap_from.isoformat()),
        workspace_id=account.workspace_id, account_id=account.account_id, network=account.network,
        source=source, gap_from=gap_from, gap_to=max(gap_to, gap_from), reason=redact(reason))


async def store_batch(batch: Batch, *, account: AccountRecord, source: str, store: EventStore,
                      dead_letters: DeadLetterKeeper, last_ok: datetime | None) -> Stored:
    """Append a reader's events (and its gap), keep its unmappable payloads; the cursor may move after this.

    A reader only knows when *it* last read successfully; after a restart ``last_ok`` (from the stored
    checkpoint) says when the source was last read by anyone, which is where the unseen period began.
    """
    stored = Stored(events=list(batch.events))
    if batch.gap is not None:
        start = min(batch.gap.gap_from, last_ok) if last_ok is not None else batch.gap.gap_from
        stored.gap = gap_recorded(account, batch.gap.source or source, start, batch.gap.gap_to, batch.gap.reason)
        stored.events.append(stored.gap)
    if stored.events:
        for result in await store.append_many(stored.events):
            if result.duplicate:
                stored.duplicates += 1
            else:
                stored.new += 1
    for item in batch.rejected:
        payload = item if isinstance(item, dict) else {"reason": "not an object", "payload": repr(item)}
        if await dead_letters.keep(network=account.network.value, account_id=account.account_id, source=source,
                                   item=payload):
            stored.rejected += 1
    return stored


async def record_gap(gap: IngestGapRecorded, *, store: EventStore) -> list[Event]:
    await store.append(gap)
    return [gap]


async def expire_token(error: Exception, *, credentials: Credentials, token_kind: str,
                       store: EventStore) -> list[Event]:
    """The token expired event, once per connection and token kind (its id is fixed by both)."""
    event: AccountTokenExpired = await report_token_expired(
        store=store, account=credentials, token_kind=token_kind, reason=redact(str(error))[:500],
        detected_by="ingest")
    return [event]


async def vk_update_pushed(update: dict[str, Any], *, account: AccountRecord, mapping: vk_mapping.Account,
                           resolve: Callable[[set[int]], Awaitable[None]] | None, store: EventStore,
                           dead_letters: DeadLetterKeeper) -> list[Event]:
    """One VK Callback API event: mapped by the VK adapter, appended (awaited), or kept as a dead letter."""
    if resolve is not None:
        try:
            await resolve(vk_mapping.author_ids([update]))
        except NetworkError as exc:  # names are a nicety: the event is stored with ids as handles
            log.info("ingest: VK author names not resolved: %s", exc)
    try:
        event = vk_mapping.from_update(mapping, update)
    except (vk_mapping.Rejected, ValueError, TypeError) as problem:
        await dead_letters.keep(network=account.network.value, account_id=account.account_id, source="callback",
                                item={"reason": str(problem), "payload": update})
        return []
    if event is None:
        return []
    await store.append(event)
    return [event]
