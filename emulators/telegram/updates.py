"""One bot's update queue, served by ``getUpdates`` as the Bot API does.

An update stays until it is confirmed by a ``getUpdates`` with a higher ``offset``; a negative offset keeps
only the last ``-offset`` updates. ``allowed_updates``, once given, applies to later calls too. A second
``getUpdates`` while one is waiting terminates the first with 409 Conflict, as Telegram does when two
processes poll the same bot.
"""
from __future__ import annotations

import asyncio
import time
from typing import Any

#: The update kinds the emulator produces (the control API can also inject arbitrary raw ones).
UPDATE_KINDS = ("message", "edited_message", "channel_post", "edited_channel_post")
MAX_LIMIT = 100
MAX_TIMEOUT = 50


class Conflict(Exception):
    """This poll was overtaken by a newer one."""


class UpdateQueue:
    def __init__(self) -> None:
        self.next_id = 500_000_001
        self._pending: list[dict[str, Any]] = []
        self.allowed: list[str] | None = None
        self._generation = 0

    def add(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self.next_id, kind: obj}
        self.next_id += 1
        self._pending.append(update)
        return update

    def pending(self) -> list[dict[str, Any]]:
        return list(self._pending)

    def confirm(self, offset: int) -> None:
        if offset < 0:
            self._pending = self._pending[offset:]
        else:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]

    def _visible(self, limit: int) -> list[dict[str, Any]]:
        allowed = self.allowed
        return [u for u in self._pending if not allowed or any(k in u for k in allowed)][:limit]

    async def get(self, offset: int | None, limit: int, timeout: int,
                  allowed: list[str] | None) -> list[dict[str, Any]]:
        self._generation += 1
        mine = self._generation
        if offset is not None and offset != 0:
            self.confirm(offset)
        if allowed is not None:
            self.allowed = allowed
        deadline = time.monotonic() + min(max(timeout, 0), MAX_TIMEOUT)
        while True:
            found = self._visible(min(max(limit, 1), MAX_LIMIT))
            if found or time.monotonic() >= deadline:
                return found
            await asyncio.sleep(0.05)
            if self._generation != mine:
                raise Conflict()
