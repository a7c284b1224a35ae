"""The Graph API endpoints Chorus uses, under any ``/vNN.N/`` version prefix, in Graph's wire format.

The access token is taken from ``access_token`` (query or form) or an ``Authorization: Bearer|OAuth``
header. Every answer carries ``X-App-Usage`` and ``X-Business-Use-Case-Usage`` (percent of the window
used, computed from the calls of the last hour against a nominal 4800, or as set through the control
API). Each endpoint has a name (``GET /{page-id}/feed``) that faults and the contract tests use.
Simplification: feed paging is cursor-based even when ``since``/``until`` are given (Graph switches to
time-based ``paging.next`` links then; Chorus reads only the cursors).
"""
from __future__ import annotations

import json
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chorus.emulators.control import DroppedConnection, Fault, FaultBook, apply_delay
from chorus.emulators.facebook import wire
from chorus.emulators.facebook.wire import GraphError
from chorus.emulators.facebook.world import (
    Comment,
    Page,
    Photo,
    Post,
    World,
    comment_order,
)
from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

NOMINAL_CALLS_PER_HOUR = 4800
SCHEDULE_MIN_S, SCHEDULE_MAX_S = 10 * 60, 30 * 86400
_ATTACHED = re.compile(r"^attached_media\[(\d+)\]$")


class GraphVersion(Convertor[str]):
    regex = r"v[0-9]+\.[0-9]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("graph_version", GraphVersion())

Handler = Callable[["Call"], Awaitable[dict[str, Any]]]


@dataclass
class Call:
    request: Request
    page: Page
    node: str
    params: dict[str, str]
    files: dict[str, tuple[str, bytes, str]] = field(default_factory=dict)


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

    def endpoints(self) -> list[Endpoint]:
        return [
            Endpoint("GET /{page-id}/feed", "GET", "feed", self.feed),
            Endpoint("GET /{page-id}/scheduled_posts", "GET", "scheduled_posts", self.scheduled_posts),
            Endpoint("GET /{object-id}/comments", "GET", "comments", self.comments),
            Endpoint("POST /{object-id}/comments", "POST", "comments", self.comment),
            Endpoint("POST /{page-id}/feed", "POST", "feed", self.publish),
            Endpoint("POST /{page-id}/photos", "POST", "photos", self.photo),
            Endpoint("GET /{node-id}", "GET", None, self.node),
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
                params, files = await _parameters(request)
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

    # reads --------------------------------------------------------------------------------------------

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
        page = self._page(call.node)
        fields = wire.requested_fields(call.params.get("fields"), "post", wire.POST_FIELDS)
        since, until = _time(call.params, "since"), _time(call.params, "until")
        posts = [p for p in self.world.feed(page)
                 if (since is None or p.created >= since) and (until is None or p.created <= until)]
        return _paged(call, posts, lambda p: (p.created, p.id), lambda p: wire.post_json(p, fields, self.world),
                      descending=True)

    async def scheduled_posts(self, call: Call) -> dict[str, Any]:
        page = self._own_page(call)
        fields = wire.requested_fields(call.params.get("fields"), "post", wire.POST_FIELDS)
        return _paged(call, self.world.scheduled(page), lambda p: (p.scheduled_at, p.id),
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
        body = _paged(call, found, comment_order, lambda c: wire.comment_json(c, fields, self.world),
                      descending=descending)
        if call.params.get("summary") in ("true", "1", "total_count"):
            body["summary"] = {"order": order, "total_count": len(found), "can_comment": True}
        return body

    # writes -------------------------------------------------------------------------------------------

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
        page = self._own_page(call)
        message = call.params.get("message", "")
        photo_ids = self._attached(call)
        if not message.strip() and not call.params.get("link") and not photo_ids:
            raise GraphError(100, "(#100) Missing message or attachment")
        published, scheduled = _timing(call.params)
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
        page = self._own_page(call)
        upload = call.files.get("source")
        if upload is None and not call.params.get("url"):
            raise GraphError(324, "(#324) Requires upload file")
        if upload is not None and not upload[2].startswith("image/"):
            raise GraphError(324, "(#324) Missing or invalid image file")
        published, scheduled = _timing(call.params)
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

    def _page(self, node: str) -> Page:
        page = self.world.pages.get(node)
        if page is None:
            raise wire.unsupported(node)
        return page

    def _own_page(self, call: Call) -> Page:
        page = self._page(call.node)
        if page.id != call.page.id:
            raise GraphError(200, "(#200) If posting to a page, requires both pages_read_engagement and "
                                  "pages_manage_posts as an admin with sufficient administrative permission")
        return page


async def _parameters(request: Request) -> tuple[dict[str, str], dict[str, tuple[str, bytes, str]]]:
    params = dict(request.query_params)
    files: dict[str, tuple[str, bytes, str]] = {}
    if request.method == "POST":
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            async with request.form() as form:
                for key, value in form.multi_items():
                    if isinstance(value, str):
                        params[key] = value
                    else:
                        files[key] = (value.filename or "upload", await value.read(),
                                      value.content_type or "application/octet-stream")
        elif content_type.startswith("application/json"):
            try:
                body = json.loads(await request.body() or b"{}")
            except ValueError:
                raise GraphError(100, "(#100) The request body is not valid JSON") from None
            if isinstance(body, dict):
                params.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()})
    return params, files


def _paged(call: Call, items: list[Any], key: Callable[[Any], tuple[Any, ...]], render: Callable[[Any], dict],
           *, descending: bool) -> dict[str, Any]:
    params = call.params
    try:
        limit = int(params.get("limit", 25))
    except ValueError:
        raise GraphError(100, "(#100) The parameter limit must be a number") from None
    limit = max(1, min(limit, 100))
    selected = items
    if params.get("after"):
        mark = wire.decode_cursor(params["after"])
        selected = [i for i in items if (list(key(i)) < list(mark) if descending else list(key(i)) > list(mark))]
    elif params.get("before"):
        mark = wire.decode_cursor(params["before"])
        selected = [i for i in items if (list(key(i)) > list(mark) if descending else list(key(i)) < list(mark))]
        selected = selected[-limit:]
    page = selected[:limit]
    body: dict[str, Any] = {"data": [render(i) for i in page]}
    if page:
        first, last = wire.encode_cursor(key(page[0])), wire.encode_cursor(key(page[-1]))
        paging: dict[str, Any] = {"cursors": {"before": first, "after": last}}
        base = str(call.request.url.replace(query=""))
        query = "&".join(f"{k}={v}" for k, v in params.items() if k not in ("after", "before"))
        if len(selected) > limit:
            paging["next"] = f"{base}?{query}&after={last}".replace("?&", "?")
        if params.get("after") or params.get("before"):
            paging["previous"] = f"{base}?{query}&before={first}".replace("?&", "?")
        body["paging"] = paging
    return body


def _time(params: dict[str, str], name: str) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    if raw.lstrip("-").isdigit():
        return int(raw)
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise GraphError(100, f"(#100) The parameter {name} is not a valid time") from None
    return int(parsed.timestamp())


def _timing(params: dict[str, str]) -> tuple[bool, int | None]:
    """(published, scheduled unix) from ``published`` and ``scheduled_publish_time``, checked as Graph does."""
    published = params.get("published", "true").lower() not in ("false", "0")
    scheduled = _time(params, "scheduled_publish_time")
    if scheduled is None:
        return published, None
    if published:
        raise GraphError(100, "(#100) You cannot specify a scheduled publish time on a published post")
    ahead = scheduled - time.time()
    if not SCHEDULE_MIN_S - 5 <= ahead <= SCHEDULE_MAX_S:
        raise GraphError(100, "(#100) The specified scheduled publish time is invalid.", subcode=1363168)
    return False, scheduled


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
