"""The X API v2 endpoints Chorus uses, on the real paths, with X's envelopes, statuses and headers.

Every answer, errors included, carries ``x-rate-limit-limit``, ``-remaining`` and ``-reset`` (a tweepy
client without a reset on a 429 would retry forever). ``Authorization: Bearer <token>`` and
``Authorization: OAuth ... oauth_token="<access token>"`` are both accepted; OAuth 1.0a signatures are
not checked (the client signs for api.twitter.com, not for the emulator's host). An app-only token on a
user-context endpoint gets X's 403 "Unsupported Authentication".

Each endpoint has a name (``GET /2/users/:id/mentions``): faults, rate limits and the contract tests use it.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

from chorus.emulators.control import DroppedConnection, Fault, FaultBook, apply_delay
from chorus.emulators.x import wire
from chorus.emulators.x.limits import Windows
from chorus.emulators.x.query import QueryError, compile_query
from chorus.emulators.x.wire import Invalid
from chorus.emulators.x.world import Token, Tweet, User, World
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

TEXT_LIMIT = 280
MEDIA_LIMIT = 5 * 1024 * 1024
_FIELDS = ("expansions", "tweet.fields", "user.fields", "media.fields", "place.fields", "poll.fields")
_TIMELINE = ("since_id", "until_id", "start_time", "end_time", "max_results", "pagination_token", *_FIELDS)
_OAUTH_TOKEN = re.compile(r'oauth_token="([^"]*)"')
_ID = re.compile(r"^[0-9]{1,19}$")


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    user_context: bool
    handler: Callable[[Request, Token], Awaitable[Response]]


class XApi:
    def __init__(self, world: World, faults: FaultBook, windows: Windows) -> None:
        self.world = world
        self.faults = faults
        self.windows = windows

    def endpoints(self) -> list[Endpoint]:
        return [
            Endpoint("GET /2/users/me", "GET", "/2/users/me", True, self.me),
            Endpoint("GET /2/users/:id/mentions", "GET", "/2/users/{id}/mentions", False, self.mentions),
            Endpoint("GET /2/users/:id/tweets", "GET", "/2/users/{id}/tweets", False, self.user_tweets),
            Endpoint("GET /2/users/:id", "GET", "/2/users/{id}", False, self.user),
            Endpoint("GET /2/tweets/search/recent", "GET", "/2/tweets/search/recent", False, self.search),
            Endpoint("GET /2/tweets", "GET", "/2/tweets", False, self.lookup),
            Endpoint("POST /2/tweets", "POST", "/2/tweets", True, self.create),
            Endpoint("POST /2/media/upload", "POST", "/2/media/upload", True, self.upload),
        ]

    def routes(self) -> list[Route]:
        return [Route(e.path, self._wrap(e), methods=[e.method], name=e.name) for e in self.endpoints()]

    # the common part of every call ---------------------------------------------------------------------

    def _wrap(self, endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
        async def handle(request: Request) -> Response:
            fault = self.faults.take(endpoint.name)
            await apply_delay(fault)
            principal = self._principal(request)
            key = principal.value if principal else "anonymous"
            if fault is not None and not fault.drop and (fault.error or fault.http_status):
                return self._fault(fault, endpoint.name, key)
            allowed, headers = self.windows.take(key, endpoint.name)
            if principal is None:
                response: Response = wire.unauthorized()
            elif endpoint.user_context and principal.kind == "app":
                response = wire.unsupported_auth()
            elif not allowed:
                response = wire.too_many_requests()
            else:
                try:
                    response = await endpoint.handler(request, principal)
                except Invalid as exc:
                    response = wire.invalid(exc)
                except QueryError as exc:
                    response = wire.invalid(Invalid(str(exc), "query", request.query_params.get("query", "")))
            response.headers.update(headers)
            if fault is not None and fault.drop:
                return DroppedConnection()  # applied above; the client never learns the outcome
            return response

        return handle

    def _principal(self, request: Request) -> Token | None:
        header = request.headers.get("authorization", "")
        value = None
        if header.startswith("Bearer "):
            value = header[7:].strip()
        elif header.startswith("OAuth "):
            found = _OAUTH_TOKEN.search(header)
            value = unquote(found.group(1)) if found else None
        if not value or value in self.world.revoked:
            return None
        return self.world.tokens.get(value)

    def _fault(self, fault: Fault, name: str, key: str) -> Response:
        preset = fault.error if isinstance(fault.error, str) else None
        status = fault.http_status or {"duplicate": 403, "rate_limit": 429, "unauthorized": 401, "forbidden": 403,
                                       "not_found": 404, "invalid": 400, "server": 503}.get(preset or "", 500)
        detail = fault.extra.get("detail")
        if status == 429:
            headers = self.windows.exhaust(key, name, float(fault.extra.get("reset_in", 1)))
            response: Response = wire.too_many_requests()
        else:
            _, headers = self.windows.take(key, name)
            if preset == "duplicate":
                response = wire.problem(403, "Forbidden", detail or "You are not allowed to create a Tweet with "
                                                                    "duplicate content.")
            elif status == 400:
                response = wire.invalid(Invalid(detail or "One or more parameters to your request was invalid."))
            else:
                title = {401: "Unauthorized", 403: "Forbidden", 404: "Not Found Error", 500: "Internal Server Error",
                         502: "Bad Gateway", 503: "Service Unavailable"}.get(status, "Error")
                response = wire.problem(status, title, detail or title)
        response.headers.update(headers)
        return response

    # users --------------------------------------------------------------------------------------------

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
        if not ids or len(ids) > 100 or not all(_ID.match(i) for i in ids):
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

    # writes -------------------------------------------------------------------------------------------

    async def create(self, request: Request, principal: Token) -> Response:
        try:
            body = json.loads(await request.body())
        except ValueError:
            raise Invalid("Request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise Invalid("Request body must be a JSON object")
        allowed = {"text", "reply", "media", "quote_tweet_id", "reply_settings", "poll", "geo",
                   "for_super_followers_only", "direct_message_deep_link", "nullcast"}
        for key in body:
            if key not in allowed:
                raise Invalid(f"$.{key}: is not defined in the schema and the schema does not allow additional "
                              "properties", key)
        author = self.world.users[principal.user_id or ""]
        text = body.get("text")
        media = body.get("media") if isinstance(body.get("media"), dict) else {}
        media_ids = media.get("media_ids") or []
        if text is None and not media_ids:
            raise Invalid("$.text: is missing but it is required", "text")
        if text is not None and not isinstance(text, str):
            raise Invalid("$.text: string found, but expected", "text")
        text = text or ""
        if weighted_length(text) > TEXT_LIMIT:
            raise Invalid(f"Post text is too long ({weighted_length(text)} > {TEXT_LIMIT} weighted characters)",
                          "text")
        keys = []
        for media_id in media_ids:
            item = self.world.media.get(str(media_id))
            if item is None or item.owner_id != author.id:
                raise Invalid("Your media IDs are invalid.", "media.media_ids", str(media_id))
            keys.append(item.media_key)
        target = None
        reply = body.get("reply")
        if reply is not None:
            target_id = reply.get("in_reply_to_tweet_id") if isinstance(reply, dict) else None
            if not isinstance(target_id, str) or not _ID.match(target_id):
                raise Invalid("$.reply.in_reply_to_tweet_id: string expected", "reply.in_reply_to_tweet_id")
            target = self.world.tweets.get(target_id)
            if target is None or target.deleted or target.raw is not None:
                return wire.problem(403, "Forbidden",
                                    "You attempted to reply to a Tweet that is deleted or not visible to you.")
        final = text if target is None else self.world.reply_text(target, author, text)
        if text and self.world.duplicate_of(author, final):
            return wire.problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")
        tweet = self.world.post(author, text, in_reply_to=target, media_keys=keys, via_api=True)
        self.world.sent.append({"id": tweet.id, "text": tweet.text, "requested_text": text,
                                "in_reply_to_tweet_id": target.id if target else None,
                                "media_ids": [str(m) for m in media_ids], "author_id": author.id,
                                "at": wire.iso(tweet.created_at)})
        return JSONResponse({"data": {"id": tweet.id, "text": tweet.text, "edit_history_tweet_ids": [tweet.id]}},
                            status_code=201)

    async def upload(self, request: Request, principal: Token) -> Response:
        owner = self.world.users[principal.user_id or ""]
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/json"):
            try:
                body = json.loads(await request.body())
                data = base64.b64decode(body["media"], validate=True)
                media_type = body.get("media_type") or "application/octet-stream"
            except (ValueError, KeyError, TypeError, binascii.Error):
                raise Invalid("$.media: base64-encoded media is required", "media") from None
        else:
            async with request.form() as form:
                upload = form.get("media")
                if upload is None or isinstance(upload, str):
                    raise Invalid("media: a file part named 'media' is required", "media")
                data = await upload.read()
                media_type = str(form.get("media_type") or upload.content_type or "application/octet-stream")
        if not media_type.startswith("image/"):
            raise Invalid(f"media_type {media_type} is not supported by the one-shot upload", "media_type")
        if not data or len(data) > MEDIA_LIMIT:
            raise Invalid("media must be between 1 byte and 5 MB", "media")
        media = self.world.add_media(owner, media_type, len(data))
        return JSONResponse({"data": {"id": media.id, "media_key": media.media_key, "size": media.size,
                                      "expires_after_secs": 86400,
                                      "image": {"image_type": media_type, "w": 1200, "h": 675}}})


_URL = re.compile(r"https?://\S+")
_LIGHT = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))


def weighted_length(text: str) -> int:
    """X's count: most Latin and Cyrillic characters weigh 1, CJK and emoji 2, any link 23 (twitter-text v3)."""
    links = _URL.findall(text)
    rest = _URL.sub("", text)
    return 23 * len(links) + sum(1 if any(lo <= ord(c) <= hi for lo, hi in _LIGHT) else 2 for c in rest)


def _only(request: Request, allowed: tuple[str, ...]) -> None:
    for name in request.query_params:
        if name not in allowed:
            raise Invalid(f"The query parameter [{name}] is not one of [{','.join(sorted(allowed))}]", name)


def _user_fields(request: Request) -> set[str]:
    return wire.field_list(request.query_params, "user.fields", wire.USER_FIELDS)


def _path_id(request: Request) -> str:
    value = request.path_params["id"]
    if not _ID.match(value):
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
    if not _ID.match(raw):
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
