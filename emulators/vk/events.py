"""One community's event stream, as the Bots Long Poll API and the Callback API deliver it.

Every event gets the next number (the long poll ``ts``) and a unique ``event_id``. The log keeps the last
``HISTORY`` events: a poll from an older ``ts`` gets ``failed: 1``, as VK answers when history is lost.
The control API can force the next poll's failure (1, 2 or 3) and re-deliver an event with its original
``event_id``, which is how a client's de-duplication is tested.
"""
from __future__ import annotations

import hashlib
import secrets
from collections import deque
from collections.abc import Callable
from typing import Any

API_VERSION = "5.199"
HISTORY = 1000
#: Every event type the emulator emits by itself (the control API can also inject arbitrary raw events).
EVENT_TYPES = ("wall_post_new", "wall_reply_new", "wall_reply_edit", "wall_reply_delete", "wall_reply_restore",
               "message_new", "message_reply")


class EventLog:
    def __init__(self, group_id: int) -> None:
        self.group_id = group_id
        #: The number the next event gets; a poll with this ts waits for it.
        self.ts = 1
        self._events: deque[tuple[int, dict[str, Any]]] = deque(maxlen=HISTORY)
        self.keys: set[str] = set()
        #: ``failed`` value the next poll answers with (1, 2 or 3), set through the control API.
        self.forced_failure: int | None = None
        self.listeners: list[Callable[[dict[str, Any]], None]] = []
        self._salt = secrets.token_hex(8)

    def emit(self, event_type: str, obj: dict[str, Any]) -> dict[str, Any]:
        digest = hashlib.sha1(f"{self._salt}:{self.group_id}:{self.ts}".encode()).hexdigest()
        event = {"group_id": self.group_id, "type": event_type, "event_id": digest, "v": API_VERSION, "object": obj}
        self._append(event)
        return event

    def redeliver(self, event_id: str) -> dict[str, Any] | None:
        """Send an already delivered event again, unchanged (VK may deliver an event twice)."""
        for _, event in self._events:
            if event["event_id"] == event_id:
                self._append(event)
                return event
        return None

    def _append(self, event: dict[str, Any]) -> None:
        self._events.append((self.ts, event))
        self.ts += 1
        for listener in self.listeners:
            listener(event)

    def new_key(self) -> str:
        key = secrets.token_hex(20)
        self.keys.add(key)
        return key

    def oldest(self) -> int:
        return self._events[0][0] if self._events else self.ts

    def since(self, ts: int) -> list[dict[str, Any]] | None:
        """Events numbered ``ts`` and later; ``None`` when that history is no longer available."""
        if ts < self.oldest() or ts > self.ts:
            return None
        return [event for number, event in self._events if number >= ts]

    def lose_history(self) -> None:
        self._events.clear()

    def all(self) -> list[dict[str, Any]]:
        return [event for _, event in self._events]
