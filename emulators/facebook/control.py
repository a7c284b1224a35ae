"""The Facebook emulator's control API (JSON, under ``/_control/facebook/``): Pages, inbound comments, faults.

See ``docs/emulators.md`` (section Facebook) for every route with an example body.
"""
from __future__ import annotations

import secrets
import time
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute

from chorus.emulators.control import (
    ControlError,
    FaultBook,
    control_route,
    need,
    parse_fault,
    read_json,
)
from chorus.emulators.facebook import demo, wire
from chorus.emulators.facebook.api import GraphApi
from chorus.emulators.facebook.world import Comment, Page, Post, World

FAULT_KEYS = ("message", "error_subcode", "estimated_time_to_regain_access", "type")


class FacebookControl:
    def __init__(self, world: World, faults: FaultBook, api: GraphApi) -> None:
        self.world = world
        self.faults = faults
        self.api = api

    def routes(self) -> list[BaseRoute]:
        return [
            control_route("/", self.overview, ["GET"]),
            control_route("/pages", self.create_page, ["POST"]),
            control_route("/demo", self.demo, ["GET"]),
            control_route("/posts", self.inject_post, ["POST"]),
            control_route("/comments", self.inject_comment, ["POST"]),
            control_route("/comments/raw", self.inject_raw, ["POST"]),
            control_route("/comments/{id}/edit", self.edit_comment, ["POST"]),
            control_route("/comments/{id}", self.delete_comment, ["DELETE"]),
            control_route("/sent", self.sent, ["GET"]),
            control_route("/faults", self.arm_fault, ["POST"]),
            control_route("/faults", self.list_faults, ["GET"]),
            control_route("/faults", self.clear_faults, ["DELETE"]),
            control_route("/usage", self.usage, ["POST"]),
            control_route("/rate_limits", self.rate_limit, ["POST"]),
            control_route("/tokens/revoke", self.revoke, ["POST"]),
            control_route("/reset", self.reset, ["POST"]),
        ]

    async def overview(self, _: Request) -> dict[str, Any]:
        return {"pages": len(self.world.pages), "posts": len(self.world.posts), "comments": len(self.world.comments),
                "sent": len(self.world.sent), "faults": self.faults.describe()}

    async def create_page(self, request: Request) -> dict[str, Any]:
        """``{"name", "id"?, "username"?, "fan_count"?, "followers_count"?, "page_token"?}``."""
        data = await read_json(request)
        page_id = need(data, "id", str, None)
        if page_id is not None and (not page_id.isdigit() or page_id in self.world.pages):
            raise ControlError("'id' must be a numeric string not used yet")
        page = self.world.add_page(need(data, "name", str), page_id=page_id, username=need(data, "username", str, ""),
                                   fan_count=need(data, "fan_count", int, 0),
                                   followers_count=need(data, "followers_count", int, None))
        return self._page(page, need(data, "page_token", str, None))

    async def demo(self, _: Request) -> dict[str, Any]:
        """The demo Page with its known token, for ``chorus up --demo`` (see ``demo.py``)."""
        demo.seed(self.world)
        return demo.DEMO

    def _page(self, page: Page, token: str | None) -> dict[str, Any]:
        token = token or f"EAAemu{secrets.token_hex(16)}"
        self.world.tokens[token] = page.id
        self.world.revoked.discard(token)
        return {"id": page.id, "name": page.name, "username": page.username, "tokens": {"page": token}}

    async def inject_post(self, request: Request) -> dict[str, Any]:
        """A Page post to comment under: ``{"page_id", "message", "created_time"?, "author"?}`` (author: a
        visitor post by that person instead of the Page)."""
        data = await read_json(request)
        page = self.world.pages.get(need(data, "page_id", str))
        if page is None:
            raise ControlError("no such Page")
        author = need(data, "author", str, None)
        from_id = self.world.person(author).id if author else None
        post = self.world.add_post(page, need(data, "message", str), from_id=from_id,
                                   created=_unix(data.get("created_time")))
        return self._post(post)

    async def inject_comment(self, request: Request) -> dict[str, Any]:
        """An inbound comment: ``{"post_id"|"reply_to", "message", "author", "author_id"?, "created_time"?,
        "attachment"?}`` (``reply_to``: a comment id)."""
        data = await read_json(request)
        parent = None
        if "reply_to" in data:
            parent = self._comment(need(data, "reply_to", str))
            post = self.world.posts[parent.post_id]
        else:
            post = self._post_of(need(data, "post_id", str))
        person = self.world.person(need(data, "author", str), need(data, "author_id", str, None))
        comment = self.world.add_comment(post, person.id, need(data, "message", str), parent=parent,
                                         created=_unix(data.get("created_time")),
                                         attachment=need(data, "attachment", dict, None))
        return wire.comment_json(comment, wire.COMMENT_FIELDS, self.world)

    async def inject_raw(self, request: Request) -> dict[str, Any]:
        """``{"post_id", "payload": {...}}``: served verbatim among the post's comments."""
        data = await read_json(request)
        post = self._post_of(need(data, "post_id", str))
        comment = Comment(id=f"raw_{self.world.number()}", post_id=post.id, from_id="", message="",
                          created=int(time.time()), raw=need(data, "payload", dict))
        self.world.comments[comment.id] = comment
        post.updated = int(time.time())
        return {"stored_as": comment.id}

    async def edit_comment(self, request: Request) -> dict[str, Any]:
        data = await read_json(request)
        comment = self._comment(request.path_params["id"])
        comment.message = need(data, "message", str)
        return wire.comment_json(comment, wire.COMMENT_FIELDS, self.world)

    async def delete_comment(self, request: Request) -> dict[str, Any]:
        self.world.delete_comment(self._comment(request.path_params["id"]))
        return {"deleted": True}

    async def sent(self, request: Request) -> dict[str, Any]:
        """What Chorus created through the API, oldest first, each with its time (``?since=`` unix seconds)."""
        since = request.query_params.get("since")
        try:
            cutoff = float(since) if since else None
        except ValueError:
            raise ControlError("'since' must be unix seconds") from None
        return {"sent": [s for s in self.world.sent if cutoff is None or s["at_unix"] >= cutoff]}

    async def arm_fault(self, request: Request) -> dict[str, Any]:
        """``{"method": "POST /{object-id}/comments"|"*", "error": <Graph code>, "times"?, "http_status"?,
        "drop"?, "delay"?, "message"?, "error_subcode"?, "estimated_time_to_regain_access"?}``."""
        data = await read_json(request)
        fault = parse_fault(data, extra_keys=FAULT_KEYS)
        names = {e.name for e in self.api.endpoints()}
        if fault.method != "*" and fault.method not in names:
            raise ControlError(f"unknown Graph endpoint {fault.method!r}; one of {sorted(names)} or '*'")
        if fault.error is not None and (isinstance(fault.error, bool) or not isinstance(fault.error, int)):
            raise ControlError("'error' must be a Graph error code (an integer)")
        self.faults.arm(fault)
        return {"armed": fault.describe()}

    async def list_faults(self, _: Request) -> dict[str, Any]:
        return {"faults": self.faults.describe()}

    async def clear_faults(self, _: Request) -> dict[str, Any]:
        self.faults.clear()
        return {"faults": []}

    async def usage(self, request: Request) -> dict[str, Any]:
        """Report fixed usage from now on: ``{"call_count": 95, "estimated_time_to_regain_access": 2}`` ({} clears)."""
        data = await read_json(request)
        for key in data:
            if key not in ("call_count", "total_cputime", "total_time", "estimated_time_to_regain_access"):
                raise ControlError(f"unknown usage key {key!r}")
            need(data, key, int)
        self.api.usage_override = data or None
        return {"usage": data}

    async def rate_limit(self, request: Request) -> dict[str, Any]:
        """``{"calls": 5, "window": 2, "code": 32, "regain_minutes": 1}``: throttle each Page past ``calls``."""
        data = await read_json(request)
        code = need(data, "code", int, 32)
        if code not in (4, 17, 32, 613, 80001):
            raise ControlError("'code' must be a throttling code: 4, 17, 32, 613 or 80001")
        self.api.throttle.calls = need(data, "calls", int)
        self.api.throttle.window = float(need(data, "window", (int, float), 60))
        self.api.throttle.code = code
        self.api.throttle.regain_minutes = need(data, "regain_minutes", int, 1)
        self.api.throttle.seen.clear()
        return {"calls": self.api.throttle.calls, "window": self.api.throttle.window, "code": code}

    async def revoke(self, request: Request) -> dict[str, Any]:
        token = need(await read_json(request), "token", str)
        if token not in self.world.tokens:
            raise ControlError("no such token")
        self.world.revoked.add(token)
        return {"revoked": True}

    async def reset(self, _: Request) -> dict[str, Any]:
        self.world.clear()
        demo.seed(self.world)
        self.faults.clear()
        self.api.usage_override = None
        self.api.throttle.calls = None
        self.api.throttle.seen.clear()
        return {"reset": True}

    def _post_of(self, post_id: str) -> Post:
        post = self.world.posts.get(post_id)
        if post is None or post.deleted:
            raise ControlError(f"no Facebook post {post_id}")
        return post

    def _comment(self, comment_id: str) -> Comment:
        comment = self.world.comments.get(comment_id)
        if comment is None or comment.deleted:
            raise ControlError(f"no Facebook comment {comment_id}")
        return comment

    def _post(self, post: Post) -> dict[str, Any]:
        return wire.post_json(post, wire.POST_FIELDS, self.world)


def _unix(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return int(parsed.timestamp())
    raise ControlError("'created_time' must be unix seconds or ISO 8601 with a time zone")
