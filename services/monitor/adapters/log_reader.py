"""Reading part of the log from the start, once, in order (for replays that re-derive events).

A throw-away pull consumer with no acks, filtered to the given event types, read up to the stream's last
sequence at the start of the call; it is deleted afterwards, also on error.
"""
from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

from nats.js import JetStreamContext
from nats.js.api import AckPolicy

from chorus.backbone.consumer import ConsumerOptions, PullSource, Subscription
from chorus.events import DecodeError, Event, decode


async def count(js: JetStreamContext, sub: Subscription) -> tuple[int, int]:
    """How many messages of the subscription's subjects the stream holds, and its last sequence."""
    info = await js.stream_info(sub.stream.name, subjects_filter=">")
    wanted = set(sub.filter_subjects)
    found = sum(n for subject, n in (info.state.subjects or {}).items() if subject in wanted)
    return found, info.state.last_seq


async def read(js: JetStreamContext, sub: Subscription, *, batch: int = 500) -> AsyncIterator[list[Event]]:
    """Batches of decoded events (undecodable messages are skipped: the live consumers dead-letter them)."""
    total, last_seq = await count(js, sub)
    if total == 0:
        return
    name = f"replay-monitor-{uuid.uuid4().hex[:8]}"
    source = PullSource(js, sub.stream.name, name, sub.filter_subjects,
                        ConsumerOptions(batch=batch, fetch_timeout_s=2.0, ack_policy=AckPolicy.NONE))
    await source.open(start_seq=1)
    try:
        seen = 0
        while seen < total:
            msgs = [m for m in await source.fetch() if m.metadata.sequence.stream <= last_seq]
            if not msgs:
                break
            seen += len(msgs)
            events = []
            for msg in msgs:
                with contextlib.suppress(DecodeError):
                    events.append(decode(msg.data, msg.subject))
            yield events
            if msgs[-1].metadata.sequence.stream >= last_seq:
                break
    finally:
        await source.close()
        with contextlib.suppress(Exception):
            await js.delete_consumer(sub.stream.name, name)
