"""Writing to VK: comment replies, private messages, posts (with photos and VK-side scheduling), read-back.

Idempotency: VK de-duplicates a ``wall.createComment`` / ``wall.post`` with a ``guid`` it has seen, and a
``messages.send`` with a ``random_id`` it has seen, returning what the first call created. Both are derived
from Chorus's idempotency key (``guid_for``, ``random_id_for``), so re-sending after a dropped connection
lands once. ``find_sent`` reads back what an attempt of this process created: the thread through
``wall.getComments`` (user token), the dialogue through ``messages.getHistory`` (matching ``random_id``), the
wall and the postponed list through ``wall.get`` (user token). An attempt this process has no record of can
only be found when it was a post; otherwise ``OutcomeUnknown`` says so, and re-sending with the same key
is the safe way to settle it on VK.
"""
from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chorus.events import utcnow
from chorus.networks.base import Media, Sent
from chorus.networks.errors import ContentRejected, OutcomeUnknown, PermissionMissing
from chorus.networks.vk.mapping import (
    VK,
    comment_ref,
    comment_url,
    parse_comment_ref,
    parse_post_ref,
    post_ref,
)
from chorus.networks.vk.transport import VkTransport

MAX_ATTACHMENTS = 10
#: A publish_date closer than this is published right away (VK wants scheduled posts in the future).
SCHEDULE_MARGIN = timedelta(minutes=1)
JOURNAL_LIMIT = 10_000


def guid_for(key: str) -> str:
    return hashlib.sha256(f"chorus:{key}".encode()).hexdigest()[:32]


def random_id_for(key: str) -> int:
    """A positive int32 from the key (VK's random_id is int32; 0 would switch de-duplication off)."""
    value = int.from_bytes(hashlib.sha256(f"chorus:{key}".encode()).digest()[:4], "big") & 0x7FFFFFFF
    return value or 1


@dataclass(frozen=True)
class Attempt:
    kind: str  # comment | message | post
    owner_id: int = 0
    post_id: int = 0
    reply_to: int | None = None
    peer_id: int = 0


class VkWriter:
    def __init__(self, transport: VkTransport, group_id: int) -> None:
        self._transport = transport
        self._group_id = group_id
        self._journal: OrderedDict[str, Attempt] = OrderedDict()

    def _record(self, key: str, attempt: Attempt) -> None:
        self._journal[key] = attempt
        self._journal.move_to_end(key)
        while len(self._journal) > JOURNAL_LIMIT:
            self._journal.popitem(last=False)

    async def reply_to_comment(self, post_id: str, comment_id: str | None, text: str, key: str) -> Sent:
        try:
            owner_id, number = parse_post_ref(post_id)
            reply_to = parse_comment_ref(comment_id) if comment_id else None
        except ValueError as problem:
            raise ContentRejected(f"VK: {problem}", code="bad_target") from None
        kind = self._transport.pick("community", "user", purpose="replying to comments")
        self._record(key, Attempt("comment", owner_id, number, reply_to))
        answer = await self._transport.call(kind, "wall.createComment", {
            "owner_id": owner_id, "post_id": number, "from_group": self._group_id, "message": text,
            "reply_to_comment": reply_to, "guid": guid_for(key)}, write=True)
        created = _field(answer, "comment_id", "wall.createComment")
        stack = answer.get("parents_stack") if isinstance(answer.get("parents_stack"), list) else []
        thread = stack[-1] if stack else None
        return Sent(remote_id=comment_ref(owner_id, number, created),
                    url=comment_url(owner_id, number, created, thread), published_at=utcnow())

    async def send_message(self, dialogue_id: str, text: str, key: str) -> Sent:
        try:
            peer_id = int(dialogue_id)
        except ValueError:
            raise ContentRejected(f"VK: not a peer id: {dialogue_id!r}", code="bad_target") from None
        kind = self._transport.pick("community", purpose="answering private messages")
        self._record(key, Attempt("message", peer_id=peer_id))
        answer = await self._transport.call(kind, "messages.send", {
            "peer_id": peer_id, "random_id": random_id_for(key), "message": text}, write=True)
        if isinstance(answer, bool) or not isinstance(answer, int):
            raise OutcomeUnknown("VK messages.send answered without a message id", code="bad_answer")
        return Sent(remote_id=str(answer), url=f"{VK}/gim{self._group_id}?sel={peer_id}", published_at=utcnow())

    async def publish_post(self, text: str, media: list[Media], publish_at: datetime | None, key: str) -> Sent:
        if len(media) > MAX_ATTACHMENTS:
            raise ContentRejected(f"VK: a post takes at most {MAX_ATTACHMENTS} attachments", code="too_many_media")
        self._transport.pick("user", purpose="publishing posts")
        attachments = [await self._upload(item) for item in media]
        now = utcnow()
        scheduled = publish_at if publish_at is not None and publish_at - now > SCHEDULE_MARGIN else None
        self._record(key, Attempt("post", owner_id=-self._group_id))
        answer = await self._transport.call("user", "wall.post", {
            "owner_id": -self._group_id, "from_group": 1, "message": text, "attachments": attachments or None,
            "publish_date": int(scheduled.timestamp()) if scheduled else None, "guid": guid_for(key)}, write=True)
        created = _field(answer, "post_id", "wall.post")
        return Sent(remote_id=post_ref(-self._group_id, created), url=f"{VK}/wall-{self._group_id}_{created}",
                    published_at=scheduled or now)

    async def _upload(self, media: Media) -> str:
        server = await self._transport.call("user", "photos.getWallUploadServer", {"group_id": self._group_id})
        url = server.get("upload_url") if isinstance(server, dict) else None
        if not isinstance(url, str):
            raise ContentRejected("VK photos.getWallUploadServer answered without upload_url", code="bad_answer")
        uploaded = await self._transport.upload(url, "photo", media.name, media.content_type, media.data)
        if not isinstance(uploaded, dict) or not uploaded.get("hash") or "error" in uploaded:
            raise ContentRejected(f"VK refused the upload of {media.name!r}", code="upload_refused")
        saved = await self._transport.call("user", "photos.saveWallPhoto", {
            "group_id": self._group_id, "photo": uploaded.get("photo"), "server": uploaded.get("server"),
            "hash": uploaded["hash"]})
        if not isinstance(saved, list) or not saved or not isinstance(saved[0], dict):
            raise ContentRejected("VK photos.saveWallPhoto answered without a photo", code="bad_answer")
        return f"photo{saved[0]['owner_id']}_{saved[0]['id']}"

    async def find_sent(self, key: str, text: str, since: datetime) -> Sent | None:
        attempt = self._journal.get(key)
        earliest = int((since - timedelta(minutes=1)).timestamp())
        if attempt is None or attempt.kind == "post":
            found = await self._find_post(text, earliest) if attempt or self._transport.has("user") else None
            if found is not None or attempt is not None:
                return found
            raise OutcomeUnknown("VK: this process has no record of that attempt and it is not a post on the "
                                 "wall; re-send with the same key (VK de-duplicates it for an hour)",
                                 code="no_record")
        if attempt.kind == "message":
            return await self._find_message(attempt, key, text, earliest)
        return await self._find_comment(attempt, text, earliest)

    async def _find_post(self, text: str, earliest: int) -> Sent | None:
        if not self._transport.has("user"):
            raise PermissionMissing("VK: reading the wall back needs the administrator's user token",
                                    code="token_kind")
        for wall_filter in ("postponed", "owner"):
            answer = await self._transport.call("user", "wall.get", {
                "owner_id": -self._group_id, "filter": wall_filter, "count": 50})
            for post in answer.get("items", []) if isinstance(answer, dict) else []:
                if post.get("text") == text and (wall_filter == "postponed" or post.get("date", 0) >= earliest):
                    return Sent(remote_id=post_ref(-self._group_id, post["id"]),
                                url=f"{VK}/wall-{self._group_id}_{post['id']}")
        return None

    async def _find_message(self, attempt: Attempt, key: str, text: str, earliest: int) -> Sent | None:
        answer = await self._transport.call("community", "messages.getHistory", {
            "peer_id": attempt.peer_id, "count": 50})
        wanted = random_id_for(key)
        for message in answer.get("items", []) if isinstance(answer, dict) else []:
            if message.get("random_id") == wanted or (message.get("out") == 1 and message.get("text") == text
                                                      and message.get("date", 0) >= earliest):
                return Sent(remote_id=str(message["id"]), url=f"{VK}/gim{self._group_id}?sel={attempt.peer_id}")
        return None

    async def _find_comment(self, attempt: Attempt, text: str, earliest: int) -> Sent | None:
        if not self._transport.has("user"):
            raise PermissionMissing("VK: reading a comment thread back needs the administrator's user token "
                                    "(re-sending with the same key is safe: VK de-duplicates it)",
                                    code="token_kind")
        base = {"owner_id": attempt.owner_id, "post_id": attempt.post_id, "count": 100, "sort": "desc"}
        top = await self._transport.call("user", "wall.getComments", {**base, "thread_items_count": 10})
        candidates = list(top.get("items", [])) if isinstance(top, dict) else []
        if attempt.reply_to is not None:
            roots = [c["id"] for c in candidates if c.get("id") == attempt.reply_to or any(
                r.get("id") == attempt.reply_to for r in (c.get("thread") or {}).get("items", []))]
            for root in roots or [attempt.reply_to]:
                thread = await self._transport.call("user", "wall.getComments", {**base, "comment_id": root})
                candidates += thread.get("items", []) if isinstance(thread, dict) else []
        for comment in candidates:
            if (comment.get("from_id") == -self._group_id and comment.get("text") == text
                    and comment.get("date", 0) >= earliest):
                stack = comment.get("parents_stack") or []
                return Sent(remote_id=comment_ref(attempt.owner_id, attempt.post_id, comment["id"]),
                            url=comment_url(attempt.owner_id, attempt.post_id, comment["id"],
                                            stack[-1] if stack else None))
        return None


def _field(answer: Any, name: str, method: str) -> int:
    value = answer.get(name) if isinstance(answer, dict) else None
    if isinstance(value, bool) or not isinstance(value, int):
        raise OutcomeUnknown(f"VK {method} answered without {name}", code="bad_answer")
    return value
