"""The calendar (week and month, in the workspace's zone) and the post page, both live.

``GET /posts`` goes to the first workspace's calendar. ``GET /posts/{ws}/calendar?view=week|month&date=``
(``&fragment=1``: the grid only, for live refreshes); ``POST /posts/{ws}/p/{post_id}/move`` (``at``: a wall
time; a drag on the calendar); ``GET /posts/{ws}/p/{post_id}`` (``?fragment=1``: the live part);
``POST /posts/{ws}/p/{post_id}/cancel``.
"""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from chorus.inbox.adapters import people
from chorus.inbox.domain import NotFound
from chorus.inbox.posts import calendar, store, views
from chorus.inbox.web import posts_actions as actions
from chorus.inbox.web.auth import Caller, services
from chorus.inbox.web.common import page, page_context, wants_json
from chorus.inbox.web.posts_common import frame, member
from chorus.inbox.web.render import fragment, render


@page
async def posts_home(request: Request, caller: Caller) -> Response:
    ctx = await page_context(request, caller, "posts")
    found = sorted(caller.scope.workspaces, key=lambda w: ctx["workspace_names"].get(w, w))
    if not found:
        raise NotFound("workspace")
    return RedirectResponse(f"/posts/{found[0]}/calendar", status_code=303)


@page
async def workspace_home(request: Request, caller: Caller) -> Response:
    ws = request.path_params["ws"]
    member(caller, ws)
    return RedirectResponse(f"/posts/{ws}/calendar", status_code=303)


@page
async def calendar_page(request: Request, caller: Caller) -> Response:
    ws = request.path_params["ws"]
    svc = services(request)
    ctx = await frame(request, caller, ws, "calendar")
    tz, now = ctx["tz"], svc.clock()
    view = request.query_params.get("view", "week")
    anchor = calendar.parse_anchor(request.query_params.get("date"), now.astimezone(tz).date())
    found = calendar.period(view if view in calendar.VIEWS else "week", anchor, tz)

    def load(conn):
        series = store.series_of(conn, ws, active=True)
        accounts = views.accounts_of(conn, ws)
        for item in series:
            item["networks"] = sorted({accounts[a].network for a in item["comp"].accounts if a in accounts})
        return views.between(conn, ws, found.start, found.end), series

    posts, series = await svc.read(load)
    calendar.place(found, posts, tz)
    calendar.place_repeats(found, series, tz, now)
    data = {**ctx, "period": found, "today": now.astimezone(tz).date(), "now_local": now.astimezone(tz)
            .replace(tzinfo=None), "hours": range(24)}
    if request.query_params.get("fragment"):
        return HTMLResponse(fragment(request, "_calendar_grid.html", data))
    return render(request, "calendar.html", data)


@page
async def move(request: Request, caller: Caller) -> Response:
    ws, post_id = request.path_params["ws"], request.path_params["post_id"]
    form = await request.form()
    at = await actions.move(request, caller, ws, post_id, str(form.get("at", "")))
    if wants_json(request):
        return JSONResponse({"ok": True, "publish_at": at})
    return RedirectResponse(f"/posts/{ws}/p/{post_id}", status_code=303)


async def _post_data(request: Request, caller: Caller, ws: str, post_id: str) -> dict:
    ctx = await frame(request, caller, ws, "calendar")

    def load(conn):
        return views.post(conn, ws, post_id), people.member_names(conn, [ws])

    post, names = await services(request).read(load)
    return {**ctx, "post": post, "member_names": names}


@page
async def post_page(request: Request, caller: Caller) -> Response:
    ws, post_id = request.path_params["ws"], request.path_params["post_id"]
    data = await _post_data(request, caller, ws, post_id)
    if request.query_params.get("fragment"):
        return HTMLResponse(fragment(request, "_post_parts.html", data))
    return render(request, "post.html", data)


@page
async def cancel(request: Request, caller: Caller) -> Response:
    ws, post_id = request.path_params["ws"], request.path_params["post_id"]
    await actions.cancel(request, caller, ws, post_id)
    if wants_json(request):
        return JSONResponse({"ok": True})
    return RedirectResponse(f"/posts/{ws}/p/{post_id}", status_code=303)


routes = [
    Route("/posts", posts_home), Route("/posts/{ws}", workspace_home), Route("/posts/{ws}/calendar", calendar_page),
    Route("/posts/{ws}/p/{post_id}", post_page), Route("/posts/{ws}/p/{post_id}/move", move, methods=["POST"]),
    Route("/posts/{ws}/p/{post_id}/cancel", cancel, methods=["POST"]),
]
