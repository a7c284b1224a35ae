"""One Graph API call as the emulator's endpoints see it: parameters from query and form, paging, times."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.requests import Request

from chorus.emulators.facebook import wire
from chorus.emulators.facebook.wire import GraphError
from chorus.emulators.facebook.world import Page, World


@dataclass
class Call:
    request: Request
    page: Page
    node: str
    params: dict[str, str]
    files: dict[str, tuple[str, bytes, str]] = field(default_factory=dict)


async def parameters(request: Request) -> tuple[dict[str, str], dict[str, tuple[str, bytes, str]]]:
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


def paged(call: Call, items: list[Any], key: Callable[[Any], tuple[Any, ...]], render: Callable[[Any], dict],
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


def unix_time(params: dict[str, str], name: str) -> int | None:
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


def page_of(world: World, node: str) -> Page:
    page = world.pages.get(node)
    if page is None:
        raise wire.unsupported(node)
    return page


def own_page(world: World, call: Call) -> Page:
    """The Page ``call.node`` names, when the call's token is that Page's (Graph's #200 otherwise)."""
    page = page_of(world, call.node)
    if page.id != call.page.id:
        raise GraphError(200, "(#200) If posting to a page, requires both pages_read_engagement and "
                              "pages_manage_posts as an admin with sufficient administrative permission")
    return page
