"""A connected VK community: verification, readers, backfill, audience figures and writes.

Backfill is bounded: the ``BACKFILL_POSTS`` most recent posts, ``BACKFILL_PAGES`` pages of 100 top-level
comments each, newest first, with whole threads read only where VK's preview (10 replies) is not enough.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from chorus.events import utcnow
from chorus.events.values import Network
from chorus.networks.base import (
    AccountProfile,
    Batch,
    Endpoints,
    Media,
    Reader,
    Sent,
    Stats,
    Target,
)
from chorus.networks.credentials import Credentials
from chorus.networks.errors import PermissionMissing
from chorus.networks.vk import people
from chorus.networks.vk.features import features_for
from chorus.networks.vk.longpoll import LongPollReader
from chorus.networks.vk.mapping import VK, Account, Rejected, comment_received, post_ref
from chorus.networks.vk.mentions import MentionsReader
from chorus.networks.vk.transport import DEFAULT_TIMEOUT, VkTransport
from chorus.networks.vk.writes import VkWriter

BACKFILL_POSTS = 20
BACKFILL_PAGES = 3


def parse_group_id(external_id: str) -> int:
    """The community id from ``"123"``, ``"-123"``, ``"club123"`` or ``"public123"``."""
    raw = external_id.strip().removeprefix("club").removeprefix("public").lstrip("-")
    if not raw.isdigit() or int(raw) == 0:
        raise ValueError(f"a VK account's external_id must be the community's numeric id, not {external_id!r}")
    return int(raw)


class VkClient:
    """The ``AccountClient`` of one VK community (see ``chorus.networks.base``)."""

    network = Network.VK

    def __init__(self, credentials: Credentials, endpoints: Endpoints, *, rates: Mapping[str, float] | None = None,
                 timeout: float | tuple[float, float] = DEFAULT_TIMEOUT, long_poll_wait: int = 25) -> None:
        self.account_id = credentials.account_id
        self._group_id = parse_group_id(credentials.external_id)
        tokens = {k: v for k, v in credentials.tokens.items() if k in ("community", "user") and v}
        if not tokens:
            raise ValueError("a VK account needs a community token or an administrator's user token")
        self._transport = VkTransport(tokens, endpoints.vk, rates=rates, timeout=timeout)
        self._account = Account(credentials.account_id, credentials.workspace_id, self._group_id)
        self._writer = VkWriter(self._transport, self._group_id)
        self._wait = long_poll_wait

    async def verify(self) -> AccountProfile:
        group: dict[str, Any] | None = None
        if self._transport.has("community"):
            # Without group_id VK answers with the token's own community: this proves whose token it is.
            group = _first_group(await self._transport.call("community", "groups.getById", {"fields": "members_count"}))
            if group.get("id") != self._group_id:
                raise PermissionMissing(f"VK: the community token belongs to community {group.get('id')}, "
                                        f"not {self._group_id}", code="wrong_community")
        if self._transport.has("user"):
            # Only administrators see postponed posts: this proves the user token may post for the community.
            await self._transport.call("user", "wall.get", {"owner_id": -self._group_id, "filter": "postponed",
                                                            "count": 1})
            if group is None:
                group = _first_group(await self._transport.call("user", "groups.getById", {
                    "group_id": self._group_id, "fields": "members_count"}))
        assert group is not None  # the constructor guarantees a token
        handle = str(group.get("screen_name") or f"club{self._group_id}")
        members = group.get("members_count")
        return AccountProfile(network=Network.VK, external_id=str(self._group_id), name=str(group.get("name", "")),
                              handle=handle, url=f"{VK}/{handle}", token_kinds=self._transport.kinds,
                              features=features_for(self._transport.kinds),
                              followers=members if isinstance(members, int) else None)

    def readers(self, keywords: list[str]) -> list[Reader]:
        found: list[Reader] = []
        if self._transport.has("community"):
            found.append(LongPollReader(self._transport, self._account, wait=self._wait))
        if self._transport.has("user") and any(k.strip() for k in keywords):
            found.append(MentionsReader(self._transport, self._account, keywords))
        return found

    async def backfill(self, since: datetime) -> Batch:
        self._transport.pick("user", purpose="backfilling comments (wall.getComments)")
        owner = -self._group_id
        earliest = int(since.timestamp())
        wall = await self._transport.call("user", "wall.get", {"owner_id": owner, "count": BACKFILL_POSTS})
        comments: list[dict[str, Any]] = []
        for post in wall.get("items", []) if isinstance(wall, dict) else []:
            if not isinstance(post, dict) or not isinstance(post.get("id"), int):
                continue
            if isinstance(post.get("text"), str):
                self._account.post_texts[post_ref(owner, post["id"])] = post["text"]
            if (post.get("comments") or {}).get("count", 1) == 0:
                continue
            comments += await self._post_comments(post["id"], earliest)
        batch = Batch()
        await people.resolve(self._transport, self._account,
                             {c["from_id"] for c in comments if isinstance(c.get("from_id"), int)})
        for item in comments:
            try:
                batch.events.append(comment_received(self._account, item))
            except (Rejected, ValueError, TypeError) as problem:
                batch.rejected.append({"reason": str(problem), "payload": item})
        return batch

    async def _post_comments(self, post_id: int, earliest: int) -> list[dict[str, Any]]:
        owner = -self._group_id
        base = {"owner_id": owner, "post_id": post_id, "count": 100, "sort": "desc"}
        found: list[dict[str, Any]] = []
        for page in range(BACKFILL_PAGES):
            answer = await self._transport.call("user", "wall.getComments", {
                **base, "offset": page * 100, "thread_items_count": 10})
            items = [i for i in answer.get("items", []) if isinstance(i, dict)] if isinstance(answer, dict) else []
            for item in items:
                found.append(item)
                thread = item.get("thread") if isinstance(item.get("thread"), dict) else {}
                replies = [r for r in thread.get("items", []) if isinstance(r, dict)]
                if thread.get("count", 0) > len(replies):
                    whole = await self._transport.call("user", "wall.getComments", {**base, "comment_id": item["id"]})
                    replies = [r for r in whole.get("items", []) if isinstance(r, dict)] if isinstance(whole, dict) else []
                found += replies
            if len(items) < 100 or all(i.get("date", 0) < earliest for i in items):
                break
        fresh = [{**c, "owner_id": c.get("owner_id", owner), "post_id": c.get("post_id", post_id)}
                 for c in found if isinstance(c.get("date"), int) and c["date"] >= earliest]
        return fresh

    async def stats(self) -> Stats:
        kind = self._transport.pick("community", "user", purpose="reading the members count")
        group = _first_group(await self._transport.call(kind, "groups.getById", {
            "group_id": self._group_id, "fields": "members_count"}))
        followers = group.get("members_count") if isinstance(group.get("members_count"), int) else 0
        if not self._transport.has("user"):
            return Stats(followers=followers)
        periods = await self._transport.call("user", "stats.get", {"group_id": self._group_id, "interval": "day",
                                                                   "intervals_count": 1})
        wall = await self._transport.call("user", "wall.get", {"owner_id": -self._group_id, "count": 1})
        period = periods[0] if isinstance(periods, list) and periods and isinstance(periods[0], dict) else {}
        reach, visitors, activity = (period.get(k) or {} for k in ("reach", "visitors", "activity"))
        engagements = sum(v for k, v in activity.items() if k in ("likes", "comments", "copies") and isinstance(v, int))
        return Stats(followers=followers, posts=wall.get("count") if isinstance(wall, dict) else None,
                     reach=reach.get("reach"), impressions=visitors.get("views"),
                     engagements=engagements if activity else None,
                     period_from=_when(period.get("period_from")), period_to=_when(period.get("period_to")))

    async def reply_to_comment(self, post_id: str, comment_id: str | None, text: str, key: str) -> Sent:
        return await self._writer.reply_to_comment(post_id, comment_id, text, key)

    async def send_message(self, dialogue_id: str, text: str, key: str) -> Sent:
        return await self._writer.send_message(dialogue_id, text, key)

    async def publish_post(self, text: str, media: list[Media], publish_at: datetime | None, key: str) -> Sent:
        return await self._writer.publish_post(text, media, publish_at, key)

    async def find_sent(self, key: str, text: str, since: datetime, target: Target | None = None) -> Sent | None:
        # VK de-duplicates a re-send with the same key (guid, random_id) for an hour, so a process without its
        # own record of the attempt re-sends rather than reading a thread back; ``target`` is not needed.
        return await self._writer.find_sent(key, text, since)

    async def close(self) -> None:
        self._transport.close()


def _first_group(answer: Any) -> dict[str, Any]:
    groups = answer.get("groups") if isinstance(answer, dict) else answer
    if not isinstance(groups, list) or not groups or not isinstance(groups[0], dict):
        raise PermissionMissing("VK groups.getById returned no community", code="bad_answer")
    return groups[0]


def _when(unix: Any) -> datetime | None:
    if isinstance(unix, int) and not isinstance(unix, bool):
        return datetime.fromtimestamp(unix, utcnow().tzinfo)
    return None
