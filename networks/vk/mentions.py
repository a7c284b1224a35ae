"""Brand mentions through ``newsfeed.search`` (user token), one page per keyword per poll.

The cursor is a small JSON object (opaque to ingest): ``{"since": unix, "until": unix, "next": {keyword:
next_from}}``. A sweep reads every keyword's results between ``since`` and ``until`` (the moment the sweep
began), newest first, page by page through VK's ``start_from``/``next_from``; when no keyword has pages
left, the next sweep starts at the previous ``until`` minus a minute of overlap (a post indexed late is
still found; re-finding one is harmless since its event id is derived from its id). The first sweep looks
back one day, which is VK's own default window.
"""
from __future__ import annotations

import json
from typing import Any

from chorus.events import utcnow
from chorus.networks.base import Batch
from chorus.networks.vk import people
from chorus.networks.vk.mapping import Account, Rejected, mention_found
from chorus.networks.vk.transport import VkTransport

SOURCE = "mentions"
FIRST_LOOK_BACK = 86400
OVERLAP = 60
PAGE = 100


def _load(cursor: str | None, now: int) -> dict[str, Any]:
    try:
        state = json.loads(cursor) if cursor else {}
    except ValueError:
        state = {}
    if not isinstance(state, dict) or not isinstance(state.get("since"), int):
        state = {"since": now - FIRST_LOOK_BACK}
    if not isinstance(state.get("next"), dict):
        state["next"] = {}
    return state


class MentionsReader:
    source = SOURCE

    def __init__(self, transport: VkTransport, account: Account, keywords: list[str]) -> None:
        self._transport = transport
        self._account = account
        self._keywords = [k.strip() for k in keywords if k.strip()]

    async def poll(self, cursor: str | None) -> Batch:
        now = int(utcnow().timestamp())
        state = _load(cursor, now)
        if not isinstance(state.get("until"), int):  # a new sweep
            state["until"] = now
            state["next"] = {k: None for k in self._keywords}
        # Keywords removed since the cursor was written no longer hold the sweep open.
        state["next"] = {k: v for k, v in state["next"].items() if k in self._keywords}
        batch = Batch()
        posts: list[tuple[str, dict[str, Any]]] = []
        for keyword in [k for k in self._keywords if k in state["next"]]:
            answer = await self._transport.call("user", "newsfeed.search", {
                "q": keyword, "count": PAGE, "start_time": state["since"], "end_time": state["until"],
                "start_from": state["next"][keyword]})
            items = answer.get("items") if isinstance(answer, dict) else None
            for item in items if isinstance(items, list) else []:
                posts.append((keyword, item))
            next_from = answer.get("next_from") if isinstance(answer, dict) else None
            if isinstance(next_from, str) and next_from and items:
                state["next"][keyword] = next_from
            else:
                del state["next"][keyword]
        await self._map(posts, batch)
        if not state["next"]:
            state = {"since": state["until"] - OVERLAP, "next": {}}
        batch.cursor = json.dumps(state, sort_keys=True)
        return batch

    async def _map(self, posts: list[tuple[str, Any]], batch: Batch) -> None:
        own = -self._account.group_id
        wanted = {p["from_id"] for _, p in posts if isinstance(p, dict) and isinstance(p.get("from_id"), int)}
        if wanted:
            await people.resolve(self._transport, self._account, wanted)
        seen: set[str] = set()
        for keyword, post in posts:
            try:
                if not isinstance(post, dict):
                    raise Rejected("a search result is not an object")
                if own in (post.get("owner_id"), post.get("from_id")):
                    continue  # the community's own posts are not mentions of it
                event = mention_found(self._account, post, keyword)
            except (Rejected, ValueError, TypeError) as problem:
                batch.rejected.append({"reason": str(problem), "payload": post})
                continue
            if event.mention_id not in seen:
                seen.add(event.mention_id)
                batch.events.append(event)
