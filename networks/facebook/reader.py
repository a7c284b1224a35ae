"""Polling a Page's comments: the recent feed, then each post's comments, resumed from a per-post cursor.

Each poll:

1. reads the Page feed (``GET /{page-id}/feed``, posts created in the last ``window_days``, at most
   ``max_posts``);
2. *sweeps* one known post (round robin): re-reads its newest comments (``order=reverse_chronological``)
   and compares them with the hashes in the cursor: a changed message is ``CommentEdited``; a comment that
   is gone although newer ones are still there (or the list is complete) is ``CommentDeleted``;
3. for every post whose ``updated_time`` moved since it was last read (Facebook moves it when a comment
   arrives), or that the sweep found newer comments on, reads the new comments
   (``filter=stream&order=chronological``, all levels, oldest first) from the saved ``after`` cursor,
   skipping anything at or below the post's watermark (creation time, id): a restart neither repeats
   nor misses a comment, and a busy post is not re-read from the start.

Trade-offs, chosen on purpose: comments on posts older than the window are not seen (widen
``window_days`` for pages whose old posts stay busy); an edit or deletion is noticed when the sweep
reaches that post, so after about as many polls as there are posts in the window, and only among each
post's newest ``SEEN_CAP`` comments; a post deleted as a whole reports no ``CommentDeleted`` for its
comments. An ``after`` cursor Facebook no longer accepts falls back to reading the post from the
start, the watermark still filtering what was already read. At most ``max_comments`` comments are
read per poll; the rest follow on the next polls. Comments written by the Page itself are outbound
traffic (Chorus's own replies among them): they move the watermark but produce no event.
"""
from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from chorus.networks.base import Batch
from chorus.networks.errors import ContentRejected, NotFound
from chorus.networks.facebook import mapping
from chorus.networks.facebook.cursor import SEEN_CAP, FeedCursor, PostState
from chorus.networks.facebook.graph import GraphApi
from chorus.networks.facebook.mapping import COMMENT_FIELDS, Context, Malformed

log = logging.getLogger(__name__)

POST_FIELDS = "id,message,created_time,updated_time,permalink_url,from"
SETTLE_S = 300
_BAD_ITEM = (Malformed, ValidationError, TypeError, KeyError, AttributeError)


class FeedReader:
    """Comments under a Page's recent posts (``source = "feed"``)."""

    source = "feed"

    def __init__(self, api: GraphApi, context: Context, *, window_days: float = 14, max_posts: int = 20,
                 max_comments: int = 500, page_size: int = 100) -> None:
        self._api = api
        self._page_size = page_size
        self._context = context
        self._window_s = window_days * 86400
        self._max_posts = max_posts
        self._max_comments = max_comments

    async def poll(self, cursor: str | None) -> Batch:
        state = FeedCursor.parse(cursor)
        batch = Batch()
        posts = await self.recent_posts(since=int(time.time() - self._window_s), limit=self._max_posts)
        forced: set[str] = set()
        known = [p for p in posts if p["id"] in state.posts]
        if known:
            target = known[state.sweep % len(known)]
            if await self._sweep(target, state.posts[target["id"]], batch):
                forced.add(target["id"])
        fresh = FeedCursor(sweep=state.sweep + 1)
        budget = self._max_comments
        for post in reversed(posts):  # oldest post first, so events come out roughly in order
            entry = state.posts.get(post["id"]) or PostState()
            fresh.posts[post["id"]] = entry
            unchanged = entry.updated is not None and entry.updated == post.get("updated_time")
            if (unchanged and post["id"] not in forced) or budget <= 0:
                continue
            try:
                budget -= await self._read_new(post, entry, batch, budget)
            except NotFound:  # deleted between the feed and its comments
                del fresh.posts[post["id"]]
        batch.cursor = fresh.dump()
        return batch

    async def recent_posts(self, *, since: int, limit: int) -> list[dict[str, Any]]:
        """The Page's posts created since ``since`` (unix), newest first, at most ``limit``."""
        posts: list[dict[str, Any]] = []
        after = None
        while len(posts) < limit:
            body = await self._api.get(self._context.page_id, "feed", fields=POST_FIELDS,
                                       limit=min(100, limit - len(posts)), since=since, after=after)
            for post in body.get("data") or []:
                if isinstance(post, dict) and isinstance(post.get("id"), str) and _usable_id(post["id"]):
                    posts.append(post)
                else:
                    log.warning("skipping a Facebook feed item without a usable id")
            after = _next_after(body)
            if after is None:
                break
        return posts[:limit]

    async def read_post(self, post: dict[str, Any], batch: Batch, *, since: datetime, budget: int) -> int:
        """Every comment of ``post`` created at or after ``since`` (backfill); returns how many were read."""
        entry = PostState(last_time=int(since.timestamp()) - 1, last_id="")
        return await self._read_new(post, entry, batch, budget)

    async def _read_new(self, post: dict[str, Any], entry: PostState, batch: Batch, budget: int) -> int:
        emitted, after, restarted = 0, entry.after, False
        while True:
            try:
                body = await self._api.get(post["id"], "comments", filter="stream", order="chronological",
                                           limit=self._page_size, fields=COMMENT_FIELDS, after=after)
            except ContentRejected:
                if after is None or restarted:
                    raise
                log.info("Facebook refused a saved comments cursor; re-reading post %s from its start", post["id"])
                after, restarted = None, True
                continue
            items = [i for i in body.get("data") or []]
            for item in items:
                try:
                    key = mapping.comment_key(item)
                    mark = entry.watermark()
                    if mark is not None and key <= mark:
                        continue
                    event = mapping.received(item, post, self._context)
                except _BAD_ITEM as exc:
                    batch.rejected.append({"source": self.source, "reason": str(exc)[:300], "post_id": post["id"],
                                           "payload": item if isinstance(item, dict) else {"value": repr(item)}})
                    continue
                entry.last_time, entry.last_id = key[0], key[2]
                if event.author.id == self._context.page_id:
                    continue  # the Page's own replies are outbound traffic, as on every network
                batch.events.append(event)
                entry.saw(key[2], mapping.fingerprint(item.get("message")), key[0])
                emitted += 1
                if emitted >= budget:
                    entry.after = after  # resume on this page; the watermark skips what was read
                    return emitted
            next_after = _next_after(body)
            if next_after is None or not items:
                entry.after = _cursor_after(body) or after
                entry.updated = _settled(post.get("updated_time"))
                return emitted
            after = next_after

    async def _sweep(self, post: dict[str, Any], entry: PostState, batch: Batch) -> bool:
        """Edits and deletions among the post's newest comments; True when it has comments not read yet."""
        try:
            body = await self._api.get(post["id"], "comments", filter="stream", order="reverse_chronological",
                                       limit=SEEN_CAP, fields=COMMENT_FIELDS)
        except NotFound:
            return False
        items: dict[str, dict[str, Any]] = {}
        keys = []
        for item in body.get("data") or []:
            try:
                keys.append(mapping.comment_key(item))
            except _BAD_ITEM:
                continue
            items[item["id"]] = item
        complete = len(body.get("data") or []) < SEEN_CAP and _next_after(body) is None
        oldest = min(keys) if keys else None
        now = datetime.now(UTC)
        for comment_id, (old_hash, created) in list(entry.seen.items()):
            item = items.get(comment_id)
            if item is not None:
                new_hash = mapping.fingerprint(item.get("message"))
                if new_hash != old_hash:
                    batch.events.append(mapping.edited(item, post["id"], self._context, now))
                    entry.seen[comment_id] = [new_hash, created]
            elif complete or (oldest is not None and (created, len(comment_id), comment_id) > oldest):
                batch.events.append(mapping.deleted(comment_id, post["id"], self._context, now))
                del entry.seen[comment_id]
        mark = entry.watermark()
        return any(mark is None or key > mark for key in keys)


def _settled(updated_time: Any) -> str | None:
    """``updated_time`` when it is safe to skip the post while it stays the same, else ``None``.

    The time has one-second resolution, so a comment written in the second of the read would leave it
    unchanged; a post updated in the last ``SETTLE_S`` seconds (which also absorbs clock skew) is read
    again on the next poll, at the cost of one call that usually returns nothing new.
    """
    try:
        moment = mapping.parse_time(updated_time)
    except Malformed:
        return None
    return updated_time if time.time() - moment.timestamp() > SETTLE_S else None


def _next_after(body: dict[str, Any]) -> str | None:
    """The cursor of the next page, only when Facebook says there is one (``paging.next``)."""
    paging = body.get("paging") if isinstance(body.get("paging"), dict) else {}
    return _cursor_after(body) if paging.get("next") else None


def _cursor_after(body: dict[str, Any]) -> str | None:
    paging = body.get("paging") if isinstance(body.get("paging"), dict) else {}
    cursors = paging.get("cursors") if isinstance(paging.get("cursors"), dict) else {}
    after = cursors.get("after")
    return after if isinstance(after, str) and after else None


def _usable_id(value: str) -> bool:
    return value.replace("_", "").isalnum() and len(value) <= 80
