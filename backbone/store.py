"""Appending events to the log.

Every append waits for JetStream's acknowledgement and carries ``Nats-Msg-Id: <event_id>``, so an event
sent twice within the stream's duplicate window is stored once (the ack then says ``duplicate``).
"""
from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from nats.js import JetStreamContext
from nats.js.api import Header

from chorus.events import Event, encode

TYPE_HEADER = "Chorus-Type"


@dataclass(frozen=True)
class Appended:
    stream: str
    seq: int
    duplicate: bool


def headers_for(event: Event) -> dict[str, str]:
    return {Header.MSG_ID: event.event_id, TYPE_HEADER: event.type}


class EventStore:
    """The write side of the log. One per process; safe to share between tasks."""

    def __init__(self, js: JetStreamContext, *, timeout: float = 5.0, window: int = 1000) -> None:
        self._js = js
        self._timeout = timeout
        self._window = window

    async def append(self, event: Event) -> Appended:
        ack = await self._js.publish(
            event.subject(), encode(event), timeout=self._timeout,
            stream=event.stream.name, headers=headers_for(event),
        )
        return Appended(ack.stream, ack.seq, bool(ack.duplicate))

    async def append_many(self, events: Iterable[Event]) -> list[Appended]:
        """Append in order, pipelined: up to ``window`` publishes in flight, all awaited before returning.

        JetStream keeps publish order on one connection, so the events land in the order given. If any
        publish fails the whole call raises; appending the same events again is safe (ids deduplicate).
        """
        results: list[Appended] = []
        pending: list[asyncio.Future] = []
        for event in events:
            future = await self._js.publish_async(
                event.subject(), encode(event), stream=event.stream.name, headers=headers_for(event),
            )  # no wait_stall: in-flight publishes stay below nats-py's limit, and a timeout costs a task each
            pending.append(future)
            if len(pending) >= self._window:
                results += await self._settle(pending)
                pending = []
        if pending:
            results += await self._settle(pending)
        return results

    async def _settle(self, futures: Sequence[asyncio.Future]) -> list[Appended]:
        try:
            acks = await asyncio.wait_for(asyncio.gather(*futures), self._timeout)
        except BaseException:
            for future in futures:
                future.cancel()
            raise
        return [Appended(a.stream, a.seq, bool(a.duplicate)) for a in acks]
