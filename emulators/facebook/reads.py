"""The Graph emulator's read endpoints: any node (``/me`` too), a Page's feed and scheduled posts, comments."""
from __future__ import annotations

from typing import Any

from chorus.emulators.facebook import wire
from chorus.emulators.facebook.call import Call, own_page, page_of, paged, unix_time
from chorus.emulators.facebook.wire import GraphError
from chorus.emulators.facebook.world import World, comment_order


class Reads:
    def __init__(self, world: World) -> None:
        self.world = world

    async def node(self, call: Call) -> dict[str, Any]:
        fields = call.params.get("fields")
        if call.node == "me":
            return wire.page_json(call.page, wire.requested_fields(fields, "page", wire.PAGE_FIELDS))
        world = self.world
        world.publish_due()
        if call.node in world.pages:
            return wire.page_json(world.pages[call.node], wire.requested_fields(fields, "page", wire.PAGE_FIELDS))
        post = world.posts.get(call.node)
        if post is not None and not post.deleted:
            return wire.post_json(post, wire.requested_fields(fields, "post", wire.POST_FIELDS), world)
        comment = world.comments.get(call.node)
        if comment is not None and not comment.deleted:
            return wire.comment_json(comment, wire.requested_fields(fields, "comment", wire.COMMENT_FIELDS), world)
        photo = world.photos.get(call.node)
        if photo is not None:
            return wire.photo_json(photo, wire.requested_fields(fields, "photo", wire.PHOTO_FIELDS))
        raise wire.unsupported(call.node)

    async def feed(self, call: Call) -> dict[str, Any]:
        page = page_of(self.world, call.node)
        fields = wire.requested_fields(call.params.get("fields"), "post", wire.POST_FIELDS)
        since, until = unix_time(call.params, "since"), unix_time(call.params, "until")
        posts = [p for p in self.world.feed(page)
                 if (since is None or p.created >= since) and (until is None or p.created <= until)]
        return paged(call, posts, lambda p: (p.created, p.id), lambda p: wire.post_json(p, fields, self.world),
                      descending=True)

    async def scheduled_posts(self, call: Call) -> dict[str, Any]:
        page = own_page(self.world, call)
        fields = wire.requested_fields(call.params.get("fields"), "post", wire.POST_FIELDS)
        return paged(call, self.world.scheduled(page), lambda p: (p.scheduled_at, p.id),
                      lambda p: wire.post_json(p, fields, self.world), descending=False)

    async def comments(self, call: Call) -> dict[str, Any]:
        node = call.node
        if node not in self.world.posts and node not in self.world.comments:
            raise wire.unsupported(node)
        if (node in self.world.posts and self.world.posts[node].deleted) or \
                (node in self.world.comments and self.world.comments[node].deleted):
            raise wire.unsupported(node)
        filter_ = call.params.get("filter", "toplevel")
        order = call.params.get("order", "chronological")
        if filter_ not in ("toplevel", "stream"):
            raise GraphError(100, "(#100) filter must be one of the following values: toplevel, stream")
        if order not in ("chronological", "reverse_chronological", "ranked"):
            raise GraphError(100, "(#100) order must be one of the following values: chronological, "
                                  "reverse_chronological, ranked")
        fields = wire.requested_fields(call.params.get("fields"), "comment", wire.COMMENT_FIELDS)
        found = self.world.comments_of(node, stream=filter_ == "stream")
        descending = order == "reverse_chronological"
        if descending:
            found.reverse()
        body = paged(call, found, comment_order, lambda c: wire.comment_json(c, fields, self.world),
                      descending=descending)
        if call.params.get("summary") in ("true", "1", "total_count"):
            body["summary"] = {"order": order, "total_count": len(found), "can_comment": True}
        return body
