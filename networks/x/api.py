"""The X API v2 calls Chorus makes, through tweepy's ``AsyncClient``, with budgets and error mapping.

Every call goes through ``XApi._call``: the per-token limiter first, then tweepy (asked for the raw
``aiohttp.ClientResponse`` so the ``x-rate-limit-*`` headers of every answer reach the limiter), then the
JSON body. Nothing tweepy or aiohttp raises leaves this module: see ``outcomes.py``.

tweepy is built with ``wait_on_rate_limit=False``: it must never sleep or retry on its own, the limiter
and the caller decide. tweepy has no v2 media upload, so ``upload_media`` posts the multipart form to
``POST /2/media/upload`` on the same session with the same Bearer header.

Redirect: tweepy joins ``https://api.twitter.com`` to each route inside ``request()``; when an endpoint is
configured the session handed to tweepy rewrites scheme, host and port (and keeps path and query), so
the real client code runs unchanged against an emulator or proxy.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import tweepy.asynchronous
from yarl import URL

from chorus.networks.errors import PermissionMissing
from chorus.networks.x import ratelimit
from chorus.networks.x.outcomes import outcome

API_HOST = "https://api.twitter.com"

TWEET_FIELDS = ["id", "text", "author_id", "conversation_id", "created_at", "in_reply_to_user_id", "lang",
                "referenced_tweets", "edit_history_tweet_ids", "entities", "attachments", "note_tweet",
                "public_metrics"]
USER_FIELDS = ["id", "name", "username", "public_metrics", "profile_image_url"]
MEDIA_FIELDS = ["media_key", "type", "url", "preview_image_url", "alt_text"]
EXPANSIONS = ["author_id", "referenced_tweets.id", "attachments.media_keys"]


class _DropTweepyDebug(logging.Filter):
    """tweepy logs every request's headers at DEBUG, Authorization included: such records never leave."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


for _name in ("tweepy.client", "tweepy.asynchronous.client"):
    logging.getLogger(_name).addFilter(_DropTweepyDebug())


class _RedirectingSession:
    """Stands in for ``aiohttp.ClientSession`` in tweepy: same ``request()``, other scheme/host/port."""

    def __init__(self, session: aiohttp.ClientSession, target: str) -> None:
        self._session = session
        self._target = URL(target)

    def request(self, method: str, url: str | URL, **kwargs: Any):
        original = URL(url, encoded=True) if isinstance(url, str) else url
        moved = str(self._target.origin()) + self._target.raw_path.rstrip("/") + original.raw_path
        if original.raw_query_string:
            moved += "?" + original.raw_query_string
        return self._session.request(method, URL(moved, encoded=True), **kwargs)


class XApi:
    """One account's way to X: a read token (``bearer``, else ``user``) and an optional write token (``user``)."""

    def __init__(self, *, read_token: str | None, write_token: str | None, endpoint: str | None,
                 timeout_s: float = 20.0, limiter: ratelimit.RateLimiter = ratelimit.shared,
                 max_wait: float | None = None) -> None:
        self._tokens = {"read": read_token, "write": write_token}
        self._endpoint = endpoint
        self._timeout = aiohttp.ClientTimeout(total=timeout_s, connect=min(timeout_s, 10.0))
        self._limiter = limiter
        self._max_wait = max_wait
        self._session: aiohttp.ClientSession | None = None
        self._clients: dict[str, tweepy.asynchronous.AsyncClient] = {}

    # reads --------------------------------------------------------------------------------------------

    async def me(self) -> dict[str, Any]:
        return await self._call("write", "GET /2/users/me", False,
                                lambda c: c.get_me(user_auth=False, user_fields=USER_FIELDS))

    async def user(self, user_id: str) -> dict[str, Any]:
        return await self._call("read", "GET /2/users/:id", False,
                                lambda c: c.get_user(id=user_id, user_auth=False, user_fields=USER_FIELDS))

    async def mentions(self, user_id: str, **params: Any) -> dict[str, Any]:
        return await self._call("read", "GET /2/users/:id/mentions", False,
                                lambda c: c.get_users_mentions(user_id, user_auth=False, **_timeline(params)))

    async def search(self, query: str, **params: Any) -> dict[str, Any]:
        return await self._call("read", "GET /2/tweets/search/recent", False,
                                lambda c: c.search_recent_tweets(query, user_auth=False, **_timeline(params)))

    async def user_tweets(self, user_id: str, **params: Any) -> dict[str, Any]:
        return await self._call("read", "GET /2/users/:id/tweets", False,
                                lambda c: c.get_users_tweets(user_id, user_auth=False, **_timeline(params)))

    async def tweets(self, ids: list[str]) -> dict[str, Any]:
        return await self._call("read", "GET /2/tweets", False,
                                lambda c: c.get_tweets(ids, user_auth=False, tweet_fields=["author_id",
                                                                                           "conversation_id"]))

    # writes -------------------------------------------------------------------------------------------

    async def create_tweet(self, text: str, *, in_reply_to: str | None = None,
                           media_ids: list[str] | None = None) -> dict[str, Any]:
        return await self._call("write", "POST /2/tweets", True,
                                lambda c: c.create_tweet(text=text, in_reply_to_tweet_id=in_reply_to,
                                                         media_ids=media_ids or None, user_auth=False))

    async def upload_media(self, name: str, content_type: str, data: bytes) -> dict[str, Any]:
        async def send(_: tweepy.asynchronous.AsyncClient) -> aiohttp.ClientResponse:
            form = aiohttp.FormData()
            form.add_field("media", data, filename=name or "upload", content_type=content_type)
            form.add_field("media_category", "tweet_gif" if content_type == "image/gif" else "tweet_image")
            form.add_field("media_type", content_type)
            session = self._transport()
            headers = {"Authorization": f"Bearer {self._tokens['write']}"}
            async with session.request("POST", API_HOST + "/2/media/upload", data=form, headers=headers) as resp:
                body = await resp.read()
            if not 200 <= resp.status < 300:
                raise _tweepy_error(resp, body)
            return resp

        return await self._call("write", "POST /2/media/upload", True, send)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # plumbing -----------------------------------------------------------------------------------------

    async def _call(self, role: str, endpoint: str, write: bool,
                    send: Callable[[tweepy.asynchronous.AsyncClient], Awaitable[aiohttp.ClientResponse]]
                    ) -> dict[str, Any]:
        token = self._tokens[role] or (self._tokens["write"] if role == "read" else None)
        if not token:
            kinds = "'bearer' or 'user'" if role == "read" else "'user'"
            raise PermissionMissing(f"{endpoint} needs a {kinds} credential, and this X account has none")
        key = ratelimit.fingerprint(token)
        await self._limiter.acquire(key, endpoint, self._max_wait)
        try:
            response = await send(self._client(token))
        except tweepy.HTTPException as exc:
            self._limiter.observe(key, endpoint, getattr(exc.response, "headers", {}) or {})
            raise outcome(exc, write=write) from None
        except Exception as exc:  # noqa: BLE001 - every transport failure is mapped; bugs are re-raised by outcome
            raise outcome(exc, write=write) from None
        self._limiter.observe(key, endpoint, response.headers)
        try:
            # tweepy read the body inside its request context; json() decodes what was read
            body = await response.json(content_type=None)
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
            raise outcome(exc, write=write) from None
        if not isinstance(body, dict):
            raise outcome(json.JSONDecodeError("not a JSON object", "", 0), write=write)
        return body

    def _transport(self) -> Any:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return _RedirectingSession(self._session, self._endpoint) if self._endpoint else self._session

    def _client(self, token: str) -> tweepy.asynchronous.AsyncClient:
        client = self._clients.get(token)
        if client is None:
            client = tweepy.asynchronous.AsyncClient(bearer_token=token, return_type=aiohttp.ClientResponse,
                                                     wait_on_rate_limit=False)
            self._clients[token] = client
        client.session = self._transport()
        return client


def _timeline(params: dict[str, Any]) -> dict[str, Any]:
    """The fields every timeline and search read asks for, plus the call's own parameters."""
    return {"tweet_fields": TWEET_FIELDS, "user_fields": USER_FIELDS, "media_fields": MEDIA_FIELDS,
            "expansions": EXPANSIONS, **{k: v for k, v in params.items() if v is not None}}


def _tweepy_error(response: aiohttp.ClientResponse, body: bytes) -> tweepy.HTTPException:
    """The exception tweepy itself raises for this status, for a call tweepy cannot make (media upload)."""
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = {}
    parsed = parsed if isinstance(parsed, dict) else {}
    if response.status == 429:
        reset = response.headers.get("x-rate-limit-reset")
        return tweepy.TooManyRequests(response, response_json=parsed,
                                      reset_time=int(reset) if reset and reset.isdigit() else None)
    kinds = {400: tweepy.BadRequest, 401: tweepy.Unauthorized, 403: tweepy.Forbidden, 404: tweepy.NotFound}
    kind = kinds.get(response.status, tweepy.TwitterServerError if response.status >= 500 else tweepy.HTTPException)
    return kind(response, response_json=parsed)
