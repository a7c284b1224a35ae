"""The X emulator's control API (JSON, under ``/_control/x/``): accounts, inbound posts, faults, what was sent.

See ``docs/emulators.md`` (section X) for every route with an example body.
"""
from __future__ import annotations

import secrets
from datetime import UTC, datetime
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
from chorus.emulators.x import demo, wire
from chorus.emulators.x.limits import DOCUMENTED, Windows
from chorus.emulators.x.world import Tweet, User, World


class XControl:
    def __init__(self, world: World, faults: FaultBook, windows: Windows) -> None:
        self.world = world
        self.faults = faults
        self.windows = windows

    def routes(self) -> list[BaseRoute]:
        return [
            control_route("/", self.overview, ["GET"]),
            control_route("/accounts", self.create_account, ["POST"]),
            control_route("/demo", self.demo, ["GET"]),
            control_route("/users", self.create_user, ["POST"]),
            control_route("/tweets", self.inject, ["POST"]),
            control_route("/tweets/raw", self.inject_raw, ["POST"]),
            control_route("/tweets/{id}/edit", self.edit, ["POST"]),
            control_route("/tweets/{id}", self.delete, ["DELETE"]),
            control_route("/sent", self.sent, ["GET"]),
            control_route("/faults", self.arm_fault, ["POST"]),
            control_route("/faults", self.list_faults, ["GET"]),
            control_route("/faults", self.clear_faults, ["DELETE"]),
            control_route("/rate_limits", self.rate_limit, ["POST"]),
            control_route("/tokens/revoke", self.revoke, ["POST"]),
            control_route("/reset", self.reset, ["POST"]),
        ]

    async def overview(self, _: Request) -> dict[str, Any]:
        return {"users": len(self.world.users), "tweets": len(self.world.tweets), "sent": len(self.world.sent),
                "faults": self.faults.describe()}

    async def create_account(self, request: Request) -> dict[str, Any]:
        """``{"username", "name"?, "id"?, "followers"?, "user_token"?, "bearer_token"?}``: an account with tokens."""
        data = await read_json(request)
        username = need(data, "username", str)
        user_id = need(data, "id", str, None)
        if user_id is not None and not user_id.isdigit():
            raise ControlError("'id' must be a numeric string")
        if self.world.by_username(username) or (user_id and user_id in self.world.users):
            raise ControlError(f"an X user {username!r} (or id {user_id}) already exists")
        user = self.world.add_user(username, need(data, "name", str, None), user_id=user_id,
                                   followers=need(data, "followers", int, 0))
        return self._account(user, need(data, "user_token", str, None), need(data, "bearer_token", str, None))

    async def demo(self, _: Request) -> dict[str, Any]:
        """The demo account with its known tokens, for ``chorus up --demo`` (see ``demo.py``)."""
        demo.seed(self.world)
        return demo.DEMO

    def _account(self, user: User, user_token: str | None, bearer: str | None) -> dict[str, Any]:
        user_token = user_token or f"x-user-{secrets.token_urlsafe(12)}"
        bearer = bearer or f"x-app-{secrets.token_urlsafe(12)}"
        self.world.add_token(user_token, "user", user.id)
        self.world.add_token(bearer, "app", None)
        return {"id": user.id, "username": user.username, "name": user.name,
                "tokens": {"user": user_token, "bearer": bearer}}

    async def create_user(self, request: Request) -> dict[str, Any]:
        data = await read_json(request)
        user = self.world.add_user(need(data, "username", str), need(data, "name", str, None),
                                   followers=need(data, "followers", int, 0))
        return {"id": user.id, "username": user.username, "name": user.name}

    async def inject(self, request: Request) -> dict[str, Any]:
        """An inbound post: ``{"author", "text", "in_reply_to"?, "lang"?, "created_at"?, "followers"?}``.

        ``author`` is a username (created when new). Mention the account with ``@username`` in the text,
        reply in its conversations with ``in_reply_to``, or just use a brand keyword for a search hit.
        """
        data = await read_json(request)
        author = self.world.add_user(need(data, "author", str).lstrip("@"), need(data, "name", str, None),
                                     followers=need(data, "followers", int, 0))
        parent = None
        if "in_reply_to" in data:
            parent = self._tweet(need(data, "in_reply_to", str))
        created_at = None
        if "created_at" in data:
            try:
                created_at = datetime.fromisoformat(need(data, "created_at", str))
            except ValueError:
                raise ControlError("'created_at' must be ISO 8601 with a time zone") from None
            if created_at.tzinfo is None:
                raise ControlError("'created_at' must carry a time zone")
        tweet = self.world.post(author, need(data, "text", str), in_reply_to=parent,
                                lang=need(data, "lang", str, "und"), created_at=created_at)
        return self._render(tweet)

    async def inject_raw(self, request: Request) -> dict[str, Any]:
        """``{"mention_of": "<user id>", "payload": {...}}``: served verbatim in that user's mentions timeline."""
        data = await read_json(request)
        user_id = need(data, "mention_of", str)
        if user_id not in self.world.users:
            raise ControlError(f"no X user {user_id}")
        payload = need(data, "payload", dict)
        tweet_id = payload.get("id") if isinstance(payload.get("id"), str) and payload["id"].isdigit() else None
        tweet_id = tweet_id if tweet_id and tweet_id not in self.world.tweets else self.world.new_id()
        tweet = Tweet(id=tweet_id, text="", author_id="0", created_at=datetime.now(UTC),
                      conversation_id=tweet_id, edit_history=[tweet_id], raw=payload, raw_mention_of=user_id)
        self.world.tweets[tweet.id] = tweet
        return {"sort_id": tweet.id}

    async def edit(self, request: Request) -> dict[str, Any]:
        data = await read_json(request)
        tweet = self._tweet(request.path_params["id"])
        if tweet.replaced:
            raise ControlError("only the newest version of a post can be edited")
        return self._render(self.world.edit(tweet, need(data, "text", str)))

    async def delete(self, request: Request) -> dict[str, Any]:
        tweet = self._tweet(request.path_params["id"])
        for version in tweet.edit_history or [tweet.id]:
            if version in self.world.tweets:
                self.world.tweets[version].deleted = True
        return {"deleted": True}

    async def sent(self, request: Request) -> dict[str, Any]:
        """What Chorus posted through the API, oldest first, each with its time (``?since=`` ISO 8601)."""
        since = request.query_params.get("since")
        items = [s for s in self.world.sent if since is None or s["at"] >= since]
        return {"sent": items}

    async def arm_fault(self, request: Request) -> dict[str, Any]:
        """``{"method": "POST /2/tweets", "times": 1, "error": "duplicate"|..., "http_status"?, "drop"?,
        "delay"?, "detail"?, "reset_in"?}`` (see ``chorus.emulators.control``)."""
        data = await read_json(request)
        fault = parse_fault(data, extra_keys=("detail", "reset_in"))
        if fault.method != "*" and fault.method not in DOCUMENTED:
            raise ControlError(f"unknown X endpoint {fault.method!r}; one of {sorted(DOCUMENTED)} or '*'")
        known = {"duplicate", "rate_limit", "unauthorized", "forbidden", "not_found", "invalid", "server"}
        if fault.error is not None and fault.error not in known:
            raise ControlError(f"'error' must be one of {sorted(known)}")
        self.faults.arm(fault)
        return {"armed": fault.describe()}

    async def list_faults(self, _: Request) -> dict[str, Any]:
        return {"faults": self.faults.describe()}

    async def clear_faults(self, _: Request) -> dict[str, Any]:
        self.faults.clear()
        return {"faults": []}

    async def rate_limit(self, request: Request) -> dict[str, Any]:
        """``{"endpoint": "GET /2/users/:id/mentions"|"*", "limit": 3, "window": 2}`` (window in seconds)."""
        data = await read_json(request)
        endpoint = need(data, "endpoint", str)
        if endpoint != "*" and endpoint not in DOCUMENTED:
            raise ControlError(f"unknown X endpoint {endpoint!r}")
        limit, window = need(data, "limit", int), float(need(data, "window", (int, float)))
        if limit < 0 or not 0 < window <= 3600:
            raise ControlError("'limit' must be >= 0 and 'window' between 0 and 3600 seconds")
        self.windows.configure(endpoint, limit, window)
        return {"endpoint": endpoint, "limit": limit, "window": window}

    async def revoke(self, request: Request) -> dict[str, Any]:
        data = await read_json(request)
        token = need(data, "token", str)
        if token not in self.world.tokens:
            raise ControlError("no such token")
        self.world.revoked.add(token)
        return {"revoked": True}

    async def reset(self, _: Request) -> dict[str, Any]:
        self.world.clear()
        demo.seed(self.world)
        self.faults.clear()
        self.windows.reset()
        return {"reset": True}

    def _tweet(self, tweet_id: str) -> Tweet:
        tweet = self.world.tweets.get(tweet_id)
        if tweet is None or tweet.deleted:
            raise ControlError(f"no X post {tweet_id}")
        return tweet

    def _render(self, tweet: Tweet) -> dict[str, Any]:
        return wire.tweet_json(tweet, wire.TWEET_FIELDS, self.world) | {"text": tweet.text}
