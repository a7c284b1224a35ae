"""The Graph emulator's write endpoints: comments and replies, Page posts (scheduled too), photos.

Checked as Graph checks them: the token must be the Page's own, a post needs a message or an attachment,
``scheduled_publish_time`` needs ``published=false`` and must lie 10 minutes to 30 days ahead, the same
status twice in a row is error 506, a photo needs a ``source`` file or a ``url``. What was created is
listed by ``/_control/facebook/sent``.
"""
from __future__ import annotations

import json
import re
import time
from typing import Any

from chorus.emulators.facebook import wire
from chorus.emulators.facebook.call import Call, own_page, unix_time
from chorus.emulators.facebook.wire import GraphError
from chorus.emulators.facebook.world import Comment, Photo, Post, World

SCHEDULE_MIN_S, SCHEDULE_MAX_S = 10 * 60, 30 * 86400
_ATTACHED = re.compile(r"^attached_media\[(\d+)\]$")


class Writes:
    def __init__(self, world: World) -> None:
        self.world = world

    async def comment(self, call: Call) -> dict[str, Any]:
        world = self.world
        parent: Comment | None = world.comments.get(call.node)
        post: Post | None = world.posts.get(parent.post_id) if parent else world.posts.get(call.node)
        if post is None or post.deleted or (parent is not None and parent.deleted):
            raise wire.unsupported(call.node, "post")
        if post.page_id != call.page.id:
            raise GraphError(200, "(#200) Permissions error")
        message = call.params.get("message", "")
        attachment_url = call.params.get("attachment_url")
        if not message.strip() and not attachment_url:
            raise GraphError(100, "(#100) Missing message or attachment")
        attachment = {"type": "photo", "media": {"image": {"src": attachment_url}}} if attachment_url else None
        comment = world.add_comment(post, call.page.id, message, parent=parent, attachment=attachment, via_api=True)
        world.sent.append({"kind": "comment", "id": comment.id, "target": call.node, "post_id": post.id,
                           "message": message, "at": wire.graph_time(comment.created), "at_unix": time.time()})
        return {"id": comment.id}

    async def publish(self, call: Call) -> dict[str, Any]:
        page = own_page(self.world, call)
        message = call.params.get("message", "")
        photo_ids = self._attached(call)
        if not message.strip() and not call.params.get("link") and not photo_ids:
            raise GraphError(100, "(#100) Missing message or attachment")
        published, scheduled = timing(call.params)
        if published and scheduled is None and message:
            latest = next((p for p in self.world.feed(page) if p.via_api), None)
            if latest is not None and latest.message == message and time.time() - latest.created < 86400:
                raise GraphError(506, "(#506) Duplicate status message")
        post = self.world.add_post(page, message, published=published, scheduled_at=scheduled, photo_ids=photo_ids,
                                   via_api=True)
        for photo_id in photo_ids:
            self.world.photos[photo_id].post_id = post.id
        self._record(post)
        return {"id": post.id}

    async def photo(self, call: Call) -> dict[str, Any]:
        page = own_page(self.world, call)
        upload = call.files.get("source")
        if upload is None and not call.params.get("url"):
            raise GraphError(324, "(#324) Requires upload file")
        if upload is not None and not upload[2].startswith("image/"):
            raise GraphError(324, "(#324) Missing or invalid image file")
        published, scheduled = timing(call.params)
        photo_id = self.world.number()
        photo = Photo(id=photo_id, page_id=page.id, created=int(time.time()), published=published,
                      temporary=call.params.get("temporary") == "true")
        self.world.photos[photo_id] = photo
        if not published and scheduled is None:
            return {"id": photo_id}
        caption = call.params.get("message") or call.params.get("caption") or ""
        post = self.world.add_post(page, caption, published=published, scheduled_at=scheduled, photo_ids=[photo_id],
                                   via_api=True)
        photo.post_id = post.id
        self._record(post)
        return {"id": photo_id, "post_id": post.id}

    def _attached(self, call: Call) -> list[str]:
        found = sorted(((int(m.group(1)), v) for k, v in call.params.items() if (m := _ATTACHED.match(k))))
        ids = []
        for _, value in found:
            try:
                media_id = json.loads(value)["media_fbid"]
            except (ValueError, KeyError, TypeError):
                raise GraphError(100, "(#100) param attached_media must be an array of {\"media_fbid\": id}") from None
            photo = self.world.photos.get(str(media_id))
            if photo is None or photo.page_id != call.page.id or photo.published:
                raise GraphError(100, f"(#100) Invalid media_fbid {media_id}")
            ids.append(photo.id)
        return ids

    def _record(self, post: Post) -> None:
        self.world.sent.append({"kind": "post", "id": post.id, "message": post.message, "published": post.published,
                                "scheduled_publish_time": post.scheduled_at, "photo_ids": list(post.photo_ids),
                                "at": wire.graph_time(int(time.time())), "at_unix": time.time()})


def timing(params: dict[str, str]) -> tuple[bool, int | None]:
    """(published, scheduled unix) from ``published`` and ``scheduled_publish_time``, checked as Graph does."""
    published = params.get("published", "true").lower() not in ("false", "0")
    scheduled = unix_time(params, "scheduled_publish_time")
    if scheduled is None:
        return published, None
    if published:
        raise GraphError(100, "(#100) You cannot specify a scheduled publish time on a published post")
    ahead = scheduled - time.time()
    if not SCHEDULE_MIN_S - 5 <= ahead <= SCHEDULE_MAX_S:
        raise GraphError(100, "(#100) The specified scheduled publish time is invalid.", subcode=1363168)
    return False, scheduled
