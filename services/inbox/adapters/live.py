"""Live updates: what the projection just applied, fanned out to the browsers of that workspace's users.

The projection runner calls ``LiveHub.on_applied`` with the events of each committed batch (so a browser
that re-reads on a notice sees the new rows). Each open page has a queue; a notice goes only to queues of
users who are members of the event's workspace. A queue that fills up (a stalled browser) gets a single
``reload`` notice instead of more items. ``LiveHub`` is also a component: when the service stops it ends
every stream, so the HTTP server can shut down without waiting for open pages.
"""
from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chorus.events import (
    AccountConnected,
    AccountDisconnected,
    AccountTokenExpired,
    AlertRaised,
    Event,
    IngestGapRecorded,
    SentimentClassified,
    SentimentCorrected,
)
from chorus.inbox.posts.projection import POST_EVENTS
from chorus.inbox.projection.inbox import touched_conversation

QUEUE_SIZE = 500


@dataclass(eq=False)
class Listener:
    user_id: str
    workspaces: frozenset[str]
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    overflowed: bool = False


def notice_for(event: Event) -> dict[str, Any] | None:
    """What a browser needs to know about an applied event (ids only; it fetches what it shows)."""
    if isinstance(event, AlertRaised):
        return {"kind": "alert", "alert_id": event.alert_id, "severity": event.severity, "title": event.title,
                "summary": event.summary}
    if isinstance(event, AccountConnected | AccountDisconnected | AccountTokenExpired | IngestGapRecorded):
        return {"kind": "account", "account_id": event.account_id}
    if isinstance(event, POST_EVENTS):
        return {"kind": "post", "post_id": event.post_id}
    cid = touched_conversation(event)
    if cid:
        return {"kind": "conversation", "conversation_id": cid}
    return None


class LiveHub:
    name = "inbox-live"

    def __init__(self, locate: Callable[[list[str]], dict[str, str]] | None = None) -> None:
        #: item keys -> conversation ids, for events that name an item but not its conversation (sentiment)
        self._locate = locate
        self._tasks: set[asyncio.Task] = set()
        self._listeners: set[Listener] = set()
        self._closed = asyncio.Event()
        self._ids = itertools.count(1)
        self.ready = True

    def subscribe(self, user_id: str, workspaces: list[str]) -> Listener:
        listener = Listener(user_id, frozenset(workspaces))
        self._listeners.add(listener)
        return listener

    def unsubscribe(self, listener: Listener) -> None:
        self._listeners.discard(listener)

    @property
    def listeners(self) -> int:
        return len(self._listeners)

    @property
    def closed(self) -> asyncio.Event:
        return self._closed

    def on_applied(self, events: list[Event]) -> None:
        seen: set[tuple[str, str]] = set()
        items = [e for e in events if isinstance(e, SentimentClassified | SentimentCorrected)]
        if items and self._locate is not None:
            task = asyncio.get_running_loop().create_task(self._publish_items(items))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        for event in events:
            notice = notice_for(event)
            if notice is None:
                continue
            key = (event.workspace_id, repr(sorted(notice.items())))
            if key in seen:
                continue
            seen.add(key)
            self.publish(event.workspace_id, {**notice, "workspace_id": event.workspace_id})

    async def _publish_items(self, events: list[Event]) -> None:
        keys = {e.item.key: e.workspace_id for e in events}  # type: ignore[attr-defined]
        try:
            found = await asyncio.to_thread(self._locate, list(keys))
        except Exception:  # noqa: BLE001 - a missed live notice only delays the update to the next reload
            return
        for cid in sorted(set(found.values())):
            workspace = next(keys[k] for k, c in found.items() if c == cid)
            self.publish(workspace, {"kind": "conversation", "conversation_id": cid, "workspace_id": workspace})

    def publish(self, workspace_id: str, notice: dict[str, Any]) -> None:
        for listener in list(self._listeners):
            if workspace_id not in listener.workspaces or listener.overflowed:
                continue
            try:
                listener.queue.put_nowait({**notice, "id": next(self._ids)})
            except asyncio.QueueFull:
                listener.overflowed = True
                while not listener.queue.empty():
                    listener.queue.get_nowait()
                listener.queue.put_nowait({"kind": "reload"})

    async def run(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self._closed.set()
