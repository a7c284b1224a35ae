"""The Graph API endpoints Chorus uses, under any ``/vNN.N/`` version prefix, in Graph's wire format.

The access token is taken from ``access_token`` (query or form) or an ``Authorization: Bearer|OAuth``
header. Every answer carries ``X-App-Usage`` and ``X-Business-Use-Case-Usage`` (percent of the window
used, computed from the calls of the last hour against a nominal 4800, or as set through the control
API). This module is what every call shares (authentication, faults, throttling, usage headers);
``reads.py`` and ``writes.py`` answer the calls. Each endpoint has a name (``GET /{page-id}/feed``) that faults and the contract tests use.
Simplification: feed paging is cursor-based even when ``since``/``until`` are given (Graph switches to
time-based ``paging.next`` links then; Chorus reads only the cursors).
"""
from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from chorus.emulators.control import DroppedConnection, Fault, FaultBook, apply_delay
from chorus.emulators.facebook import wire
from chorus.emulators.facebook.call import Call, parameters
from chorus.emulators.facebook.reads import Reads
from chorus.emulators.facebook.wire import GraphError
from chorus.emulators.facebook.world import World
from chorus.emulators.facebook.writes import Writes

NOMINAL_CALLS_PER_HOUR = 4800


class GraphVersion(Convertor[str]):
    regex = r"v[0-9]+\.[0-9]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


# Starlette keeps convertors in one process-wide table: the name says whose it is. Matching only
# ``vNN.N`` keeps Graph routes from swallowing another emulator's two- and three-segment paths.
register_url_convertor("graph_version", GraphVersion())

Handler = Callable[[Call], Awaitable[dict[str, Any]]]


@dataclass
class Endpoint:
    name: str
    method: str
    edge: str | None
    handler: Handler


@dataclass
class Throttle:
    """Graph throttling as configured through the control API (``calls`` per ``window`` s, then ``code``)."""

    calls: int | None = None
    window: float = 60.0
    code: int = 32
    regain_minutes: int = 1
    seen: dict[str, deque[float]] = field(default_factory=dict)


class GraphApi:
    def __init__(self, world: World, faults: FaultBook) -> None:
        self.world = world
        self.faults = faults
        self.throttle = Throttle()
        self.usage_override: dict[str, Any] | None = None
        self._calls: dict[str, deque[float]] = {}
        self.reads = Reads(world)
        self.writes = Writes(world)

    def endpoints(self) -> list[Endpoint]:
        return [
            Endpoint("GET /{page-id}/feed", "GET", "feed", self.reads.feed),
            Endpoint("GET /{page-id}/scheduled_posts", "GET", "scheduled_posts", self.reads.scheduled_posts),
            Endpoint("GET /{object-id}/comments", "GET", "comments", self.reads.comments),
            Endpoint("POST /{object-id}/comments", "POST", "comments", self.writes.comment),
            Endpoint("POST /{page-id}/feed", "POST", "feed", self.writes.publish),
            Endpoint("POST /{page-id}/photos", "POST", "photos", self.writes.photo),
            Endpoint("GET /{node-id}", "GET", None, self.reads.node),
        ]

    def routes(self) -> list[Route]:
        routes = []
        for endpoint in self.endpoints():
            path = "/{version:graph_version}/{node}" + (f"/{endpoint.edge}" if endpoint.edge else "")
            routes.append(Route(path, self._wrap(endpoint), methods=[endpoint.method], name=endpoint.name))
        routes.append(Route("/{version:graph_version}/{node}/{edge}", self._unknown_edge, methods=["GET", "POST"],
                            name="unknown edge"))
        return routes

    # the common part of every call ---------------------------------------------------------------------

    def _wrap(self, endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
        async def handle(request: Request) -> Response:
            fault = self.faults.take(endpoint.name)
            await apply_delay(fault)
            page_id = ""
            try:
                params, files = await parameters(request)
                page_id = self._principal(request, params)
                if fault is not None and not fault.drop and (fault.error is not None or fault.http_status):
                    raise _fault_error(fault)
                self._check_throttle(page_id)
                body = await endpoint.handler(Call(request, self.world.pages[page_id], request.path_params["node"],
                                                   params, files))
                response: Response = JSONResponse(body)
            except GraphError as exc:
                response = wire.error_response(exc)
            response.headers.update(self._usage(page_id, fault))
            if fault is not None and fault.drop:
                return DroppedConnection()  # applied above; the client never learns the outcome
            return response

        return handle

    async def _unknown_edge(self, request: Request) -> Response:
        edge = request.path_params["edge"]
        return wire.error_response(GraphError(100, f"(#100) Tried accessing nonexisting field ({edge})"))

    def _principal(self, request: Request, params: dict[str, str]) -> str:
        token = params.pop("access_token", None)
        header = request.headers.get("authorization", "")
        if token is None and header.split(" ", 1)[0] in ("Bearer", "OAuth"):
            token = header.split(" ", 1)[1].strip() if " " in header else ""
        if not token:
            raise GraphError(104, "An access token is required to request this resource.")
        if token in self.world.revoked:
            raise GraphError(190, "Error validating access token: The session has been invalidated because the user "
                                  "changed their password or Facebook has changed the session for security reasons.",
                             subcode=460)
        page_id = self.world.tokens.get(token)
        if page_id is None or page_id not in self.world.pages:
            raise GraphError(190, "Invalid OAuth access token - Cannot parse access token")
        return page_id

    def _check_throttle(self, page_id: str) -> None:
        if self.throttle.calls is None:
            return
        now = time.time()
        seen = self.throttle.seen.setdefault(page_id, deque())
        while seen and now - seen[0] >= self.throttle.window:
            seen.popleft()
        if len(seen) >= self.throttle.calls:
            raise GraphError(self.throttle.code, {4: "(#4) Application request limit reached",
                                                  17: "(#17) User request limit reached",
                                                  32: "(#32) Page request limit reached",
                                                  613: "(#613) Calls to this api have exceeded the rate limit.",
                                                  80001: "(#80001) There have been too many calls to this Page "
                                                         "account."}.get(self.throttle.code, "Request limit reached"))
        seen.append(now)

    def _usage(self, page_id: str, fault: Fault | None) -> dict[str, str]:
        now = time.time()
        calls = self._calls.setdefault(page_id or "anonymous", deque())
        calls.append(now)
        while calls and now - calls[0] >= 3600:
            calls.popleft()
        percent = min(100, len(calls) * 100 // NOMINAL_CALLS_PER_HOUR)
        override = self.usage_override or {}
        used = {k: override.get(k, percent) for k in ("call_count", "total_cputime", "total_time")}
        regain = override.get("estimated_time_to_regain_access", 0)
        if fault is not None and "estimated_time_to_regain_access" in fault.extra:
            regain = fault.extra["estimated_time_to_regain_access"]
            used = {k: max(v, 100) for k, v in used.items()}
        if self.throttle.calls is not None and page_id and len(self.throttle.seen.get(page_id, ())) >= \
                self.throttle.calls:
            regain, used = max(regain, self.throttle.regain_minutes), {k: 100 for k in used}
        headers = {"x-app-usage": json.dumps({"call_count": used["call_count"], "total_cputime": used["total_cputime"],
                                              "total_time": used["total_time"]})}
        if page_id:
            headers["x-business-use-case-usage"] = json.dumps({page_id: [{
                "type": "pages", **used, "estimated_time_to_regain_access": regain}]})
        return headers


def _fault_error(fault: Fault) -> GraphError:
    code = fault.error if isinstance(fault.error, int) else 1
    messages = {1: "An unknown error has occurred.", 2: "An unexpected error has occurred. Please retry your request "
                "later.", 4: "(#4) Application request limit reached", 17: "(#17) User request limit reached",
                32: "(#32) Page request limit reached", 190: "Error validating access token: Session has expired",
                200: "(#200) Permissions error", 10: "(#10) Application does not have permission for this action",
                100: "(#100) Invalid parameter", 368: "The action attempted has been deemed abusive or is otherwise "
                "disallowed", 506: "(#506) Duplicate status message", 613: "(#613) Calls to this api have exceeded "
                "the rate limit.", 80001: "(#80001) There have been too many calls to this Page account."}
    status = fault.http_status or (500 if code in (1, 2) else 400)
    subcode = fault.extra.get("error_subcode")
    return GraphError(code, str(fault.extra.get("message") or messages.get(code, f"(#{code}) Error")),
                      subcode=subcode if isinstance(subcode, int) else None, status=status,
                      kind=str(fault.extra.get("type") or "OAuthException"))
