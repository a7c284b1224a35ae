"""The Callback API: the emulator POSTs a community's events to a configured server, as VK does.

Setting a server first sends ``{"type": "confirmation", ...}`` and expects the configured confirmation code
as the whole answer; only a confirmed server gets events. Each event carries the configured ``secret`` and
must be answered with the plain text ``ok``; otherwise it is retried (VK retries a few times, then gives
up). Deliveries are listed by the control API.
"""
from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from typing import Any

import httpx

from chorus.emulators.vk.events import API_VERSION

ATTEMPTS = 3
RETRY_DELAY = 0.5


@dataclass
class CallbackServer:
    group_id: int
    url: str
    secret: str
    confirmation_code: str
    confirmed: bool = False
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set, repr=False)

    async def confirm(self) -> dict[str, Any]:
        event_id = hashlib.sha1(f"confirmation:{self.group_id}:{self.url}".encode()).hexdigest()
        body = {"type": "confirmation", "group_id": self.group_id, "event_id": event_id, "v": API_VERSION,
                "secret": self.secret}
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                answer = await client.post(self.url, json=body)
            text = answer.text.strip()
        except httpx.HTTPError as exc:
            return {"confirmed": False, "error": f"{type(exc).__name__}: {exc}"}
        self.confirmed = answer.status_code == 200 and text == self.confirmation_code
        return {"confirmed": self.confirmed, "status": answer.status_code, "answer": text[:200]}

    def on_event(self, event: dict[str, Any]) -> None:
        """Log listener: deliver the event in the background (events are emitted from within requests)."""
        if not self.confirmed:
            return
        record = {"event_id": event["event_id"], "type": event["type"], "attempts": 0, "status": "pending"}
        self.deliveries.append(record)
        try:
            task = asyncio.get_running_loop().create_task(self._deliver({**event, "secret": self.secret}, record))
        except RuntimeError:
            record["status"] = "not delivered: no running event loop"
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, body: dict[str, Any], record: dict[str, Any]) -> None:
        async with httpx.AsyncClient(timeout=5) as client:
            for attempt in range(1, ATTEMPTS + 1):
                record["attempts"] = attempt
                try:
                    answer = await client.post(self.url, json=body)
                    if answer.status_code == 200 and answer.text.strip() == "ok":
                        record["status"] = "ok"
                        return
                    record["status"] = f"answered {answer.status_code}: {answer.text[:100]!r}"
                except httpx.HTTPError as exc:
                    record["status"] = f"{type(exc).__name__}"
                await asyncio.sleep(RETRY_DELAY * attempt)

    def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    def describe(self) -> dict[str, Any]:
        return {"url": self.url, "confirmed": self.confirmed, "deliveries": self.deliveries}
