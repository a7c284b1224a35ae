"""The X API v2 endpoints Chorus uses, on the real paths, with X's envelopes, statuses and headers.

This module is the part every call shares: authentication, injected faults, rate-limit windows and their
headers; ``reads.py`` and ``writes.py`` answer the calls. Every answer, errors included, carries
``x-rate-limit-limit``, ``-remaining`` and ``-reset`` (a tweepy client without a reset on a 429 would retry
forever). ``Authorization: Bearer <token>`` and ``Authorization: OAuth ... oauth_token="<access token>"``
are both accepted; OAuth 1.0a signatures are not checked (the client signs for api.twitter.com, not for
the emulator's host). An app-only token on a user-context endpoint gets X's 403 "Unsupported
Authentication".

Each endpoint has a name (``GET /2/users/:id/mentions``): faults, rate limits and the contract tests use it.
"""
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from chorus.emulators.control import DroppedConnection, Fault, FaultBook, apply_delay
from chorus.emulators.x import wire
from chorus.emulators.x.limits import Windows
from chorus.emulators.x.query import QueryError
from chorus.emulators.x.reads import Reads
from chorus.emulators.x.wire import Invalid
from chorus.emulators.x.world import Token, World
from chorus.emulators.x.writes import Writes

_OAUTH_TOKEN = re.compile(r'oauth_token="([^"]*)"')


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
        self.reads = Reads(world)
        self.writes = Writes(world)

    def endpoints(self) -> list[Endpoint]:
        return [
            Endpoint("GET /2/users/me", "GET", "/2/users/me", True, self.reads.me),
            Endpoint("GET /2/users/:id/mentions", "GET", "/2/users/{id}/mentions", False, self.reads.mentions),
            Endpoint("GET /2/users/:id/tweets", "GET", "/2/users/{id}/tweets", False, self.reads.user_tweets),
            Endpoint("GET /2/users/:id", "GET", "/2/users/{id}", False, self.reads.user),
            Endpoint("GET /2/tweets/search/recent", "GET", "/2/tweets/search/recent", False, self.reads.search),
            Endpoint("GET /2/tweets", "GET", "/2/tweets", False, self.reads.lookup),
            Endpoint("POST /2/tweets", "POST", "/2/tweets", True, self.writes.create),
            Endpoint("POST /2/media/upload", "POST", "/2/media/upload", True, self.writes.upload),
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
