"""The composer: write once for many accounts, see each account's final text, images, link preview, when.

``GET /posts/{ws}/new`` (``?at=`` a wall time, ``?draft=`` a draft, ``?edit=`` a scheduled post);
``POST /posts/{ws}/compose`` (``intent=draft`` keeps it, otherwise schedules or submits for approval);
``POST /posts/{ws}/preview`` (JSON: every account's final text, length, limit and problem, the time, the
next queue times); ``POST /posts/{ws}/media`` (the image file as the body); ``GET /posts/{ws}/media/{id}``;
``GET /posts/{ws}/link-preview?url=``. Without the script the form still posts and shows its errors,
but images need the script (they are uploaded as they are chosen).
"""
from __future__ import annotations

import uuid
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from chorus.inbox.domain import InboxError, NotFound, require
from chorus.inbox.posts import compose, context, queue, store, views
from chorus.inbox.posts.compose import Composition
from chorus.inbox.posts.handlers import composition_of
from chorus.inbox.posts.link_preview import LinkRefused
from chorus.inbox.posts.media_store import MediaMissing
from chorus.inbox.web import posts_actions as actions
from chorus.inbox.web.auth import Caller, services
from chorus.inbox.web.common import error_message, page, wants_json
from chorus.inbox.web.posts_common import frame, member
from chorus.inbox.web.render import render
from chorus.inbox.web.uploads import read_upload


def _default_time(request: Request, tz) -> str:
    at = request.query_params.get("at", "")
    if at:
        return at[:19]
    start = (services(request).clock().astimezone(tz) + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    return start.strftime("%Y-%m-%dT%H:%M")


async def _composer(request: Request, caller: Caller, ws: str, *, comp: Composition | None = None,
                    error: str | None = None, status: int = 200) -> Response:
    svc = services(request)
    ctx = await frame(request, caller, ws, "new")
    require(ctx["role"], "compose")
    draft_id, edit_post = request.query_params.get("draft"), request.query_params.get("edit")
    form = await request.form() if request.method == "POST" else {}
    draft_id, edit_post = draft_id or form.get("draft_id") or None, edit_post or form.get("edit_post") or None

    def load(conn):
        draft = store.draft(conn, ws, draft_id) if draft_id else None
        post = views.post(conn, ws, edit_post) if edit_post else None
        kept = store.composition(conn, ws, edit_post) if edit_post else None
        return draft, post, kept, views.accounts_of(conn, ws), store.presets_of(conn, ws)

    draft, post, kept, accounts, presets = await svc.read(load)
    if comp is None:
        if draft is not None:
            comp = draft["comp"]
        elif post is not None:
            if not post["can_change"]:
                raise InboxError("post_locked", "this post is already being sent or published")
            comp = composition_of(post, ctx["tz"], kept)
        else:
            comp = Composition(publish_at=_default_time(request, ctx["tz"]),
                               accounts=[a for a in request.query_params.getlist("account") if a in accounts])
    uploads = await svc.read(store.uploads, ws, list(comp.media))
    return render(request, "composer.html", {
        **ctx, "comp": comp, "accounts": list(accounts.values()), "presets": presets, "error": error,
        "draft": draft, "edit_post": post, "uploads": [uploads[m] for m in comp.media if m in uploads],
        "networks_used": list(dict.fromkeys(a.network for a in accounts.values())),
        "approval_pending": ctx["approval_required"] and ctx["role"] != "admin"}, status=status)


@page
async def new_post(request: Request, caller: Caller) -> Response:
    return await _composer(request, caller, request.path_params["ws"])


@page
async def compose_action(request: Request, caller: Caller) -> Response:
    ws = request.path_params["ws"]
    form = await request.form()
    comp = Composition.from_form(form)
    draft_id, edit_post = str(form.get("draft_id", "")) or None, str(form.get("edit_post", "")) or None
    try:
        if form.get("intent") == "draft":
            done = await actions.save_draft(request, caller, ws, comp, draft_id)
        else:
            done = await actions.submit(request, caller, ws, comp, draft_id=draft_id, edit_post=edit_post)
    except NotFound:
        raise
    except InboxError as exc:
        if wants_json(request) or exc.code == "forbidden":
            raise
        return await _composer(request, caller, ws, comp=comp, status=400,
                               error=error_message(request.scope["translator"], exc))
    location = _landing(ws, done)
    if wants_json(request):
        return JSONResponse({"ok": True, "status": done.status, "location": location, "post_ids": done.post_ids})
    return RedirectResponse(location, status_code=303)


def _landing(ws: str, done: actions.Done) -> str:
    if done.status in ("scheduled", "edited") and len(done.post_ids) == 1:
        return f"/posts/{ws}/p/{done.post_ids[0]}"
    if done.status in ("scheduled", "edited"):
        return f"/posts/{ws}/calendar"
    if done.status == "recurring":
        return f"/posts/{ws}/recurring?ok=started"
    return f"/posts/{ws}/drafts?ok={done.status}"


@page
async def preview(request: Request, caller: Caller) -> Response:
    """Every chosen account's final text with its count and limit, and what would be refused."""
    ws = request.path_params["ws"]
    require(member(caller, ws), "compose")
    svc = services(request)
    comp = Composition.from_form(await request.form())
    now = svc.clock()
    t = request.scope["translator"]

    def load(conn):
        return context.load(conn, ws, comp, now), store.slots_of(conn, ws), views.held(conn, comp.accounts, now)

    answer: dict = {"targets": [], "error": None, "time": None, "time_error": None, "queue": {}}
    try:
        ctx, slots, held = await svc.read(load)
        items = compose.review(comp, ctx)
    except InboxError as exc:
        answer["error"] = error_message(t, exc)
        return JSONResponse(answer)
    answer["targets"] = [{"account_id": i.account.account_id, "network": i.account.network, "name": i.account.label,
                          "text": i.text, "length": i.length, "maximum": i.maximum, "counting": i.counting,
                          "problem": error_message(t, i.problem) if i.problem else None} for i in items]
    if comp.mode in ("at", "recurring") and comp.publish_at.strip():
        try:
            answer["time"] = compose.when(comp, ctx).isoformat()
        except InboxError as exc:
            answer["time_error"] = error_message(t, exc)
    if comp.mode == "queue":
        for account_id in comp.accounts:
            free = queue.next_free(slots.get(account_id, {}), ctx.tz, now, held.get(account_id, set()))
            answer["queue"][account_id] = free.astimezone(ctx.tz).strftime("%d.%m %H:%M") if free else None
    return JSONResponse(answer)


@page
async def upload(request: Request, caller: Caller) -> Response:
    ws = request.path_params["ws"]
    require(member(caller, ws), "compose")
    svc = services(request)
    if svc.posts is None:
        raise InboxError("no_media_store", "images cannot be stored by this inbox")
    facts, data = await read_upload(request)
    media_id = uuid.uuid4().hex
    await svc.posts.media.put(media_id, data)
    await svc.write(store.add_upload, ws, media_id, facts, caller.user_id, svc.clock())
    return JSONResponse({"ok": True, "media_id": media_id, "name": facts.name, "size": facts.size,
                         "content_type": facts.content_type, "width": facts.width, "height": facts.height,
                         "url": f"/posts/{ws}/media/{media_id}"})


@page
async def media_file(request: Request, caller: Caller) -> Response:
    ws = request.path_params["ws"]
    member(caller, ws)
    svc = services(request)
    row = await svc.read(store.upload, ws, request.path_params["media_id"])
    if svc.posts is None:
        raise NotFound("media")
    try:
        data = await svc.posts.media.get(row["media_id"])
    except MediaMissing:
        raise NotFound("media") from None
    return Response(data, media_type=row["content_type"], headers={
        "Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox", "Content-Disposition": "inline"})


@page
async def link_preview(request: Request, caller: Caller) -> Response:
    ws = request.path_params["ws"]
    require(member(caller, ws), "compose")
    svc = services(request)
    url = request.query_params.get("url", "")[:2000]
    if svc.posts is None or not url:
        return JSONResponse({"ok": False, "reason": "unavailable"})
    try:
        found = await svc.posts.previews.preview(url)
    except LinkRefused as exc:
        return JSONResponse({"ok": False, "reason": exc.code})
    if found is None:
        return JSONResponse({"ok": False, "reason": "unavailable"})
    return JSONResponse({"ok": True, "preview": {"url": found.url, "host": found.host, "title": found.title,
                                                 "description": found.description, "site": found.site}})


routes = [
    Route("/posts/{ws}/new", new_post), Route("/posts/{ws}/compose", compose_action, methods=["POST"]),
    Route("/posts/{ws}/preview", preview, methods=["POST"]), Route("/posts/{ws}/media", upload, methods=["POST"]),
    Route("/posts/{ws}/media/{media_id}", media_file), Route("/posts/{ws}/link-preview", link_preview),
]
