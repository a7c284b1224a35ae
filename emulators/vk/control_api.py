"""The VK emulator's control API (mounted at ``/_control/vk/``): set up communities, inject inbound traffic,
list what clients sent, arm faults. Every endpoint takes and returns JSON; see ``docs/emulators.md``.
"""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute

from chorus.emulators.control import ControlError, control_route, fault_routes, need, read_json
from chorus.emulators.vk.callback import CallbackServer
from chorus.emulators.vk.world import GROUP, USER, Comment, Community, Post, World


class VkControl:
    def __init__(self, emulator: Any) -> None:
        self._emulator = emulator

    @property
    def world(self) -> World:
        return self._emulator.world

    def routes(self) -> list[BaseRoute]:
        c = "/communities/{community_id:int}"
        return [
            control_route("/", self.overview, ["GET"]),
            control_route("/reset", self.reset, ["POST"]),
            control_route("/communities", self.create_community, ["POST"]),
            control_route(c, self.community_state, ["GET"]),
            control_route(c + "/posts", self.inject_post, ["POST"]),
            control_route(c + "/comments", self.inject_comment, ["POST"]),
            control_route(c + "/comments/{comment_id:int}/edit", self.edit_comment, ["POST"]),
            control_route(c + "/comments/{comment_id:int}/delete", self.delete_comment, ["POST"]),
            control_route(c + "/comments/{comment_id:int}/restore", self.restore_comment, ["POST"]),
            control_route(c + "/messages", self.inject_message, ["POST"]),
            control_route(c + "/events", self.events, ["GET"]),
            control_route(c + "/events/raw", self.inject_raw_event, ["POST"]),
            control_route(c + "/longpoll/fail", self.fail_long_poll, ["POST"]),
            control_route(c + "/longpoll/redeliver", self.redeliver, ["POST"]),
            control_route(c + "/callback", self.set_callback, ["POST"]),
            control_route(c + "/callback", self.callback_state, ["GET"]),
            control_route(c + "/callback", self.remove_callback, ["DELETE"]),
            control_route("/tokens/revoke", self.revoke, ["POST"]),
            control_route("/mentions", self.inject_mention, ["POST"]),
            control_route("/sent", self.sent, ["GET"]),
            *fault_routes(self._emulator.faults, self._emulator.rate_limit, extra_keys=("captcha_sid", "detail"),
                          check_error=_vk_error_code),
            control_route("/clock", self.move_clock, ["POST"]),
        ]

    # --- accounts ---------------------------------------------------------------------------------
    async def overview(self, _: Request) -> dict[str, Any]:
        return {"communities": [self._describe(c) for c in self.world.communities.values()],
                "mentions": len(self.world.mentions), "sent": len(self.world.sent),
                "faults": self._emulator.faults.describe()}

    async def reset(self, _: Request) -> dict[str, Any]:
        self._emulator.reset()
        return {"reset": True}

    async def create_community(self, request: Request) -> dict[str, Any]:
        data = await read_json(request)
        try:
            return self.world.setup_community(
                need(data, "id", int, 0) or self.world.next_id(), need(data, "name", str, "Community"),
                screen_name=need(data, "screen_name", str, None), members_count=need(data, "members_count", int, 0),
                admin_user_id=need(data, "admin_user_id", int, None), admin_name=need(data, "admin_name", str, "Admin"),
                community_token=need(data, "community_token", str, None), user_token=need(data, "user_token", str, None),
                post_text=need(data, "post_text", str, "Welcome!") if need(data, "with_post", bool, True) else None)
        except ValueError as exc:
            raise ControlError(str(exc)) from None

    async def community_state(self, request: Request) -> dict[str, Any]:
        community = self._community(request)
        self.world.publish_due(community)
        return {**self._describe(community),
                "posts": [p.__dict__ for p in community.posts.values()],
                "comments": [c.__dict__ for c in community.comments.values()],
                "messages": [m.__dict__ for m in community.messages]}

    async def revoke(self, request: Request) -> dict[str, Any]:
        data = await read_json(request)
        if "token" in data:
            token = self.world.tokens.get(need(data, "token", str))
            if token is None:
                raise ControlError("no such token")
            found = [token]
        else:
            community = self._community_by_id(need(data, "community_id", int))
            kind = {"community": GROUP, "user": USER}.get(need(data, "kind", str), None)
            if kind is None:
                raise ControlError("'kind' must be community or user")
            found = [t for t in self.world.tokens.values() if t.kind == kind and
                     (t.owner_id == community.id if kind == GROUP else t.owner_id in community.admins)]
        for token in found:
            token.revoked = True
        return {"revoked": len(found)}

    # --- inbound traffic --------------------------------------------------------------------------
    async def inject_post(self, request: Request) -> dict[str, Any]:
        community = self._community(request)
        data = await read_json(request)
        post = self.world.add_post(community, need(data, "from_id", int, -community.id), need(data, "text", str))
        return {"post_id": post.id, "owner_id": post.owner_id}

    async def inject_comment(self, request: Request) -> dict[str, Any]:
        community = self._community(request)
        data = await read_json(request)
        text = need(data, "text", str)
        from_id = need(data, "from_id", int, 0) or self.world.next_id()
        self.world.person(from_id, need(data, "first_name", str, None), need(data, "last_name", str, ""))
        reply_to: Comment | None = None
        if "reply_to" in data:
            reply_to = self._comment(community, need(data, "reply_to", int))
            post = community.posts[reply_to.post_id]
        else:
            post = self._post(community, need(data, "post_id", int, 0))
        comment = self.world.add_comment(community, post, from_id, text, reply_to=reply_to)
        return {"comment_id": comment.id, "post_id": post.id, "owner_id": post.owner_id, "from_id": from_id}

    async def edit_comment(self, request: Request) -> dict[str, Any]:
        community = self._community(request)
        comment = self._comment(community, request.path_params["comment_id"])
        self.world.edit_comment(community, comment, need(await read_json(request), "text", str))
        return {"comment_id": comment.id}

    async def delete_comment(self, request: Request) -> dict[str, Any]:
        community = self._community(request)
        comment = self._comment(community, request.path_params["comment_id"])
        deleter = need(await read_json(request), "deleter_id", int, comment.from_id)
        self.world.delete_comment(community, comment, deleter)
        return {"comment_id": comment.id}

    async def restore_comment(self, request: Request) -> dict[str, Any]:
        community = self._community(request)
        comment = self._comment(community, request.path_params["comment_id"], deleted=True)
        self.world.restore_comment(community, comment)
        return {"comment_id": comment.id}

    async def inject_message(self, request: Request) -> dict[str, Any]:
        community = self._community(request)
        data = await read_json(request)
        from_id = need(data, "from_id", int, 0) or self.world.next_id()
        if from_id <= 0:
            raise ControlError("'from_id' must be a user id (positive)")
        self.world.person(from_id, need(data, "first_name", str, None), need(data, "last_name", str, ""))
        message = self.world.add_message(community, from_id, need(data, "text", str), out=False)
        return {"message_id": message.id, "peer_id": from_id}

    async def inject_mention(self, request: Request) -> dict[str, Any]:
        data = await read_json(request)
        from_id = need(data, "from_id", int, 0) or self.world.next_id()
        self.world.person(from_id, need(data, "first_name", str, None), need(data, "last_name", str, ""))
        post = Post(self.world.next_id(), need(data, "owner_id", int, from_id), from_id,
                    need(data, "date", int, 0) or self.world.now(), need(data, "text", str))
        self.world.mentions.append(post)
        return {"owner_id": post.owner_id, "post_id": post.id}

    async def inject_raw_event(self, request: Request) -> dict[str, Any]:
        """An event exactly as given (malformed ones too), to test how clients cope with what VK may send."""
        community = self._community(request)
        data = await read_json(request)
        event = community.events.emit(need(data, "type", str), need(data, "object", (dict, list, str, int)))
        return {"event_id": event["event_id"]}

    # --- observation ------------------------------------------------------------------------------
    async def sent(self, request: Request) -> dict[str, Any]:
        kind = request.query_params.get("kind")
        return {"sent": [s.describe() for s in self.world.sent if kind in (None, s.kind)]}

    async def events(self, request: Request) -> dict[str, Any]:
        return {"events": self._community(request).events.all()}

    # --- long poll and callback -------------------------------------------------------------------
    async def fail_long_poll(self, request: Request) -> dict[str, Any]:
        community = self._community(request)
        failed = need(await read_json(request), "failed", int)
        if failed not in (1, 2, 3):
            raise ControlError("'failed' must be 1 (history lost), 2 (key expired) or 3 (key and history lost)")
        community.events.forced_failure = failed
        return {"next_poll_fails_with": failed}

    async def redeliver(self, request: Request) -> dict[str, Any]:
        community = self._community(request)
        event = community.events.redeliver(need(await read_json(request), "event_id", str))
        if event is None:
            raise ControlError("no such event in the retained history")
        return {"redelivered": event["event_id"]}

    async def set_callback(self, request: Request) -> dict[str, Any]:
        community = self._community(request)
        data = await read_json(request)
        if community.id in self.world.callbacks:
            self.world.callbacks.pop(community.id).stop()
        server = CallbackServer(community.id, need(data, "url", str), need(data, "secret", str, ""),
                                need(data, "confirmation_code", str))
        self.world.callbacks[community.id] = server
        return await server.confirm()

    async def callback_state(self, request: Request) -> dict[str, Any]:
        server = self.world.callbacks.get(self._community(request).id)
        if server is None:
            raise ControlError("no callback server is set for this community")
        return server.describe()

    async def remove_callback(self, request: Request) -> dict[str, Any]:
        server = self.world.callbacks.pop(self._community(request).id, None)
        if server is not None:
            server.stop()
        return {"removed": server is not None}

    async def move_clock(self, request: Request) -> dict[str, Any]:
        seconds = need(await read_json(request), "advance", int)
        if seconds < 0:
            raise ControlError("time only moves forward")
        self.world.clock_offset += seconds
        return {"now": self.world.now()}

    # --- helpers ----------------------------------------------------------------------------------
    def _community(self, request: Request) -> Community:
        return self._community_by_id(request.path_params["community_id"])

    def _community_by_id(self, community_id: int) -> Community:
        community = self.world.communities.get(community_id)
        if community is None:
            raise ControlError(f"no community {community_id}")
        return community

    def _post(self, community: Community, post_id: int) -> Post:
        if not post_id:
            live = [p for p in community.posts.values() if not p.deleted and not p.postponed]
            if live:
                return max(live, key=lambda p: p.id)
            return self.world.add_post(community, -community.id, f"{community.name}: news")
        post = community.posts.get(post_id)
        if post is None or post.deleted or post.postponed:
            raise ControlError(f"no published post {post_id}")
        return post

    def _comment(self, community: Community, comment_id: int, *, deleted: bool = False) -> Comment:
        comment = community.comments.get(comment_id)
        if comment is None or comment.deleted != deleted:
            raise ControlError(f"no {'deleted' if deleted else 'live'} comment {comment_id}")
        return comment

    @staticmethod
    def _describe(community: Community) -> dict[str, Any]:
        return {"id": community.id, "name": community.name, "screen_name": community.screen_name,
                "members_count": community.members_count, "admins": sorted(community.admins)}


def _vk_error_code(error: Any) -> str | None:
    if isinstance(error, bool) or not isinstance(error, int):
        return "'error' must be a VK error code (an integer)"
    return None
