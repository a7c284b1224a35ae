"""Reading a community through the Bots Long Poll API; the cursor is the long poll ``ts`` (an opaque string).

``groups.getLongPollServer`` gives a ``server``, a ``key`` and the current ``ts``; the reader then asks the
server for what happened after ``ts``, waiting up to ``wait`` seconds. The key is kept in memory only: after
a restart the reader fetches a new key and continues from the persisted ``ts``. VK's failures:

- ``failed: 1`` history lost: continue from the new ``ts`` VK gives, and report a ``Gap``;
- ``failed: 2`` key expired: fetch a new key, keep the ``ts`` (nothing lost);
- ``failed: 3`` key and history lost: fetch a new key and ``ts``, and report a ``Gap``.

The gap runs from the end of the last poll that succeeded (or from now, when none did in this process) to
now; backfill (``wall.getComments``, user token) can fill it.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chorus.events import utcnow
from chorus.networks.base import Batch, Gap
from chorus.networks.errors import RetryLater
from chorus.networks.vk import people
from chorus.networks.vk.mapping import Account, Rejected, author_ids, from_update
from chorus.networks.vk.transport import VkTransport

SOURCE = "long_poll"


class LongPollReader:
    source = SOURCE

    def __init__(self, transport: VkTransport, account: Account, *, wait: int = 25) -> None:
        self._transport = transport
        self._account = account
        self._wait = wait
        self._server: str | None = None
        self._key: str | None = None
        self._server_ts: str | None = None
        self._complete_until: datetime | None = None

    async def _connect(self) -> None:
        answer = await self._transport.call("community", "groups.getLongPollServer",
                                            {"group_id": self._account.group_id})
        if not isinstance(answer, dict) or not all(isinstance(answer.get(k), (str, int)) for k in ("server", "key", "ts")):
            raise RetryLater("VK groups.getLongPollServer answered without server/key/ts", code="bad_answer",
                             retry_after=5.0)
        self._server, self._key, self._server_ts = str(answer["server"]), str(answer["key"]), str(answer["ts"])

    async def poll(self, cursor: str | None) -> Batch:
        if self._server is None:
            await self._connect()
        ts = cursor or self._server_ts
        answer = await self._transport.get_json(str(self._server),
                                                {"act": "a_check", "key": self._key, "ts": ts, "wait": self._wait},
                                                timeout=self._wait + 10)
        if not isinstance(answer, dict):
            raise RetryLater("VK long poll answered something other than an object", code="bad_answer",
                             retry_after=5.0)
        if "failed" in answer:
            return await self._failed(answer, ts)
        updates = answer.get("updates")
        if not isinstance(updates, list) or not isinstance(answer.get("ts"), (str, int)):
            raise RetryLater("VK long poll answer has no updates/ts", code="bad_answer", retry_after=5.0)
        batch = await self._map(updates)
        batch.cursor = str(answer["ts"])
        self._complete_until = utcnow()
        return batch

    async def _failed(self, answer: dict[str, Any], ts: str | None) -> Batch:
        failed = answer.get("failed")
        if failed == 2:
            await self._connect()
            return Batch(cursor=ts)
        if failed == 1 and isinstance(answer.get("ts"), (str, int)):
            return Batch(cursor=str(answer["ts"]), gap=self._gap("VK long poll history was lost (failed: 1)"))
        await self._connect()
        return Batch(cursor=self._server_ts, gap=self._gap(f"VK long poll key and history were lost (failed: {failed})"))

    def _gap(self, reason: str) -> Gap:
        now = utcnow()
        gap = Gap(source=SOURCE, gap_from=self._complete_until or now, gap_to=now, reason=reason)
        self._complete_until = now
        return gap

    async def _map(self, updates: list[Any]) -> Batch:
        batch = Batch()
        wanted = author_ids([u for u in updates if isinstance(u, dict)])
        if wanted:
            await people.resolve(self._transport, self._account, wanted)
        for update in updates:
            try:
                if not isinstance(update, dict):
                    raise Rejected("an update is not an object")
                event = from_update(self._account, update)
            except Rejected as problem:
                batch.rejected.append({"reason": str(problem), "payload": update})
                continue
            except (ValueError, TypeError) as problem:  # e.g. an event model refusing a value
                batch.rejected.append({"reason": f"{type(problem).__name__}: {problem}", "payload": update})
                continue
            if event is not None:
                batch.events.append(event)
        return batch
