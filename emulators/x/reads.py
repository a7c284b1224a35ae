"""The X emulator's read endpoints: users, the mentions and user timelines, recent search, post lookup.

Timelines page newest first with X's parameters (``since_id``, ``until_id``, ``start_time``,
``end_time``, ``max_results`` in X's bounds, ``pagination_token`` / ``next_token``) and answer
``{"meta": {"result_count": 0}}`` without ``data`` when nothing matches. Unknown query parameters are a
400, as on X. Page tokens are opaque (the id the page stopped at, encoded).
"""
from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from chorus.emulators.x import wire
from chorus.emulators.x.query import compile_query
from chorus.emulators.x.wire import ID, Invalid
from chorus.emulators.x.world import Token, Tweet, User, World

_FIELDS = ("expansions", "tweet.fields", "user.fields", "media.fields", "place.fields", "poll.fields")
_TIMELINE = ("since_id", "until_id", "start_time", "end_time", "max_results", "pagination_token", *_FIELDS)


class Reads:
    def __init__(self, world: World) -> None:
        self.world = world
    async def me(self, request: Request, principal: Token) -> Response:
        _only(request, ("expansions", "tweet.fields", "user.fields"))
        user = self.world.users[principal.user_id or ""]
        return JSONResponse({"data": wire.user_json(user, _user_fields(request), self.world)})

    async def user(self, request: Request, principal: Token) -> Response:
        _only(request, ("expansions", "tweet.fields", "user.fields"))
        user_id = _path_id(request)
        user = self.world.users.get(user_id)
        if user is None:
            return JSONResponse({"errors": [wire.not_found_error(user_id, "user", "id")]})
        return JSONResponse({"data": wire.user_json(user, _user_fields(request), self.world)})

    # timelines ----------------------------------------------------------------------------------------

    async def mentions(self, request: Request, principal: Token) -> Response:
        _only(request, _TIMELINE)
        user = self._user_or_none(request)
        tweets = self.world.mentions_of(user) if user else []
        return self._page(request, tweets, "pagination_token", minimum=5)

    async def user_tweets(self, request: Request, principal: Token) -> Response:
        _only(request, (*_TIMELINE, "exclude"))
        user = self._user_or_none(request)
        tweets = self.world.tweets_of(user) if user else []
        excluded = set((request.query_params.get("exclude") or "").split(",")) - {""}
        if excluded - {"replies", "retweets"}:
            raise Invalid("The `exclude` query parameter value is not one of [replies,retweets]", "exclude")
        if "replies" in excluded:
            tweets = [t for t in tweets if t.replied_to is None]
        return self._page(request, tweets, "pagination_token", minimum=5)

    async def search(self, request: Request, principal: Token) -> Response:
        _only(request, ("query", "next_token", "sort_order", *_TIMELINE))
        query = request.query_params.get("query")
        if query is None:
            raise Invalid("The `query` query parameter can not be empty", "query")
        start = _time(request, "start_time")
        week_ago = datetime.now(UTC) - timedelta(days=7)
        if start is not None and start < week_ago:
            raise Invalid(f"Invalid 'start_time':'{request.query_params['start_time']}'. 'start_time' must be on "
                          f"or after {wire.iso(week_ago)}", "start_time")
        matches = compile_query(query, self.world)
        tweets = [t for t in self.world.visible() if t.created_at >= week_ago and matches(t)]
        token = "next_token" if "next_token" in request.query_params else "pagination_token"
        return self._page(request, tweets, token, minimum=10)

    async def lookup(self, request: Request, principal: Token) -> Response:
        _only(request, ("ids", *_FIELDS))
        ids = [i for i in (request.query_params.get("ids") or "").split(",") if i]
        if not ids or len(ids) > 100 or not all(ID.match(i) for i in ids):
            raise Invalid("The `ids` query parameter must hold 1 to 100 comma-separated post ids", "ids")
        found = [self.world.tweets[i] for i in ids if i in self.world.tweets and not self.world.tweets[i].deleted]
        data, includes = wire.expand(found, request.query_params, self.world)
        body: dict[str, Any] = {}
        if data:
            body["data"] = data
        if includes:
            body["includes"] = includes
        missing = [i for i in ids if i not in {t.id for t in found}]
        if missing:
            body["errors"] = [wire.not_found_error(i, "tweet", "ids") for i in missing]
        return JSONResponse(body)

    def _page(self, request: Request, tweets: list[Tweet], token_name: str, *, minimum: int) -> Response:
        params = request.query_params
        max_results = _int(params, "max_results", 10)
        if not minimum <= max_results <= 100:
            raise Invalid(f"The `max_results` query parameter value [{max_results}] is not between {minimum} "
                          "and 100", "max_results", str(max_results))
        since, until = _id_param(params, "since_id"), _id_param(params, "until_id")
        start, end = _time(request, "start_time"), _time(request, "end_time")
        selected = [t for t in tweets
                    if (since is None or int(t.id) > since) and (until is None or int(t.id) < until)
                    and (start is None or t.created_at >= start) and (end is None or t.created_at <= end)]
        token = params.get(token_name)
        if token:
            before = _decode_token(token, token_name)
            selected = [t for t in selected if int(t.id) < before]
        page = selected[:max_results]
        data, includes = wire.expand(page, params, self.world)
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta["newest_id"], meta["oldest_id"] = page[0].id, page[-1].id
        if len(selected) > max_results:
            meta["next_token"] = _encode_token(int(page[-1].id))
        body: dict[str, Any] = {}
        if data:
            body["data"] = data
        if includes:
            body["includes"] = includes
        body["meta"] = meta
        return JSONResponse(body)

    def _user_or_none(self, request: Request) -> User | None:
        return self.world.users.get(_path_id(request))


def _only(request: Request, allowed: tuple[str, ...]) -> None:
    for name in request.query_params:
        if name not in allowed:
            raise Invalid(f"The query parameter [{name}] is not one of [{','.join(sorted(allowed))}]", name)


def _user_fields(request: Request) -> set[str]:
    return wire.field_list(request.query_params, "user.fields", wire.USER_FIELDS)


def _path_id(request: Request) -> str:
    value = request.path_params["id"]
    if not ID.match(value):
        raise Invalid(f"The `id` query parameter value [{value}] does not match ^[0-9]{{1,19}}$", "id", value)
    return value


def _int(params: Any, name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise Invalid(f"The `{name}` query parameter value [{raw}] is not a number", name, raw) from None


def _id_param(params: Any, name: str) -> int | None:
    raw = params.get(name)
    if raw is None:
        return None
    if not ID.match(raw):
        raise Invalid(f"The `{name}` query parameter value [{raw}] does not match ^[0-9]{{1,19}}$", name, raw)
    return int(raw)


def _time(request: Request, name: str) -> datetime | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise Invalid(f"Invalid '{name}':'{raw}'. Use the format YYYY-MM-DDTHH:mm:ssZ", name, raw)
    return parsed


def _encode_token(before_id: int) -> str:
    return base64.b32encode(f"emu1:{before_id}".encode()).decode().rstrip("=").lower()


def _decode_token(token: str, name: str) -> int:
    try:
        padded = token.upper() + "=" * (-len(token) % 8)
        prefix, value = base64.b32decode(padded).decode().split(":", 1)
        if prefix != "emu1":
            raise ValueError(prefix)
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Invalid(f"The `{name}` query parameter value [{token}] is not valid", name, token) from None

