"""Drafts and approvals, recurring series, and the queue times and UTM presets of a workspace.

``GET /posts/{ws}/drafts``; ``POST /posts/{ws}/drafts/{draft_id}/{approve|reject|delete}``;
``GET /posts/{ws}/recurring``; ``POST /posts/{ws}/recurring/{series_id}/stop``;
``GET /posts/{ws}/queue``; ``POST /posts/{ws}/queue/{account_id}`` (the account's times);
``POST /posts/{ws}/utm`` (save a preset, admins) and ``POST /posts/{ws}/utm/{preset_id}/delete``.
"""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from chorus.inbox.domain import WEEKDAYS, InboxError, NotFound, require
from chorus.inbox.posts import queue, store, views
from chorus.inbox.posts.compose import recurrence
from chorus.inbox.posts.recurrence import occurrences
from chorus.inbox.posts.timing import parse_local
from chorus.inbox.web import posts_actions as actions
from chorus.inbox.web.auth import Caller, services
from chorus.inbox.web.common import error_message, page, wants_json
from chorus.inbox.web.posts_common import frame, member
from chorus.inbox.web.render import render


def _back(ws: str, section: str, **query: str) -> Response:
    return RedirectResponse(f"/posts/{ws}/{section}?" + urlencode(query), status_code=303)


@page
async def drafts_page(request: Request, caller: Caller) -> Response:
    ws = request.path_params["ws"]
    ctx = await frame(request, caller, ws, "drafts")

    def load(conn):
        return store.drafts_of(conn, ws), views.accounts_of(conn, ws)

    found, accounts = await services(request).read(load)
    return render(request, "drafts.html", {**ctx, "drafts": found, "accounts": accounts,
                                           "ok": request.query_params.get("ok"),
                                           "error": request.query_params.get("error")})


@page
async def draft_action(request: Request, caller: Caller) -> Response:
    ws, draft_id, action = (request.path_params[k] for k in ("ws", "draft_id", "action"))
    svc = services(request)
    form = await request.form()
    try:
        if action == "approve":
            done = await actions.approve(request, caller, ws, draft_id)
            ok = "approved" if done.status != "recurring" else "started"
        elif action == "reject":
            role = member(caller, ws)
            if role != "admin":
                raise InboxError("forbidden", "only an admin rejects posts")
            await svc.write(store.reject, ws, draft_id, comment=str(form.get("comment", "")), user_id=caller.user_id,
                            at=svc.clock())
            ok = "rejected"
        elif action == "delete":
            require(member(caller, ws), "compose")
            await svc.write(store.delete_draft, ws, draft_id)
            ok = "deleted"
        else:
            raise NotFound("action")
    except InboxError as exc:
        if wants_json(request) or isinstance(exc, NotFound) or exc.code == "forbidden":
            raise
        return _back(ws, "drafts", error=error_message(request.scope["translator"], exc))
    if wants_json(request):
        return JSONResponse({"ok": True})
    return _back(ws, "drafts", ok=ok)


def describe(item: dict, tz, now) -> dict:
    """A series as its page shows it: its first time and its next occurrence (none once stopped or ended)."""
    comp = item["comp"]
    upcoming = None
    if item["stopped_at"] is None:
        try:
            found = occurrences(recurrence(comp), tz, now, now + timedelta(days=400))
        except InboxError:
            found = []
        upcoming = found[0][1] if found else None
    return {**item, "start": parse_local(comp.publish_at), "next": upcoming}


@page
async def recurring_page(request: Request, caller: Caller) -> Response:
    ws = request.path_params["ws"]
    svc = services(request)
    ctx = await frame(request, caller, ws, "recurring")
    now = svc.clock()

    def load(conn):
        return store.series_of(conn, ws), views.accounts_of(conn, ws)

    found, accounts = await svc.read(load)
    items = [describe(s, ctx["tz"], now) for s in found]
    return render(request, "recurring.html", {**ctx, "series": items, "accounts": accounts,
                                              "ok": request.query_params.get("ok")})


@page
async def stop(request: Request, caller: Caller) -> Response:
    ws, series_id = request.path_params["ws"], request.path_params["series_id"]
    cancelled = await actions.stop_series(request, caller, ws, series_id)
    if wants_json(request):
        return JSONResponse({"ok": True, "cancelled": cancelled})
    return _back(ws, "recurring", ok="stopped")


@page
async def queue_page(request: Request, caller: Caller) -> Response:
    ws = request.path_params["ws"]
    ctx = await frame(request, caller, ws, "queue")

    def load(conn):
        return views.accounts_of(conn, ws), store.slots_of(conn, ws), store.presets_of(conn, ws)

    accounts, slots, presets = await services(request).read(load)
    return render(request, "queue.html", {**ctx, "accounts": list(accounts.values()), "slots": slots,
                                          "presets": presets, "weekdays": WEEKDAYS, "ok": request.query_params.get("ok"),
                                          "error": request.query_params.get("error"),
                                          "example": "https://shop.ru/sale"})


async def _settings_action(request: Request, ws: str, fn) -> Response:
    try:
        ok = await fn()
    except InboxError as exc:
        if wants_json(request) or isinstance(exc, NotFound) or exc.code == "forbidden":
            raise
        return _back(ws, "queue", error=error_message(request.scope["translator"], exc))
    if wants_json(request):
        return JSONResponse({"ok": True})
    return _back(ws, "queue", ok=ok)


@page
async def save_slots(request: Request, caller: Caller) -> Response:
    ws, account_id = request.path_params["ws"], request.path_params["account_id"]
    require(member(caller, ws), "compose")
    svc = services(request)
    form = await request.form()

    async def save() -> str:
        accounts = await svc.read(views.accounts_of, ws)
        if account_id not in accounts:
            raise NotFound("account")
        slots = queue.parse_slots({day: str(form.get(day, "")) for day in WEEKDAYS})
        await svc.write(store.set_slots, ws, account_id, slots, user_id=caller.user_id, at=svc.clock())
        return "saved"

    return await _settings_action(request, ws, save)


def preset_data(form) -> dict:
    """A preset from the form: ``params`` and ``sources`` as ``name=value`` lines, ``skip_hosts`` by commas."""
    def pairs(raw: str, what: str) -> dict[str, str]:
        out = {}
        for line in (raw or "").splitlines():
            if not line.strip():
                continue
            name, sep, value = line.partition("=")
            if not sep:
                raise InboxError("bad_preset", f"{line.strip()[:40]!r}: write {what} as name=value",
                                 detail=f"{line.strip()[:40]}: name=value")
            out[name.strip()] = value.strip()
        return out

    return {"name": str(form.get("name", "")).strip()[:60], "params": pairs(str(form.get("params", "")), "parameters"),
            "sources": pairs(str(form.get("sources", "")), "sources"),
            "skip_hosts": [h.strip() for h in str(form.get("skip_hosts", "")).split(",") if h.strip()],
            "bare_domains": form.get("bare_domains") == "on"}


@page
async def save_preset(request: Request, caller: Caller) -> Response:
    ws = request.path_params["ws"]
    require(member(caller, ws), "settings")
    svc = services(request)
    form = await request.form()

    async def save() -> str:
        preset_id = str(form.get("preset_id", "")).strip()[:40] or None
        if preset_id == "default":
            preset_id = None
        await svc.write(store.save_preset, ws, preset_data(form), preset_id=preset_id,
                        default=form.get("is_default") == "on", user_id=caller.user_id, at=svc.clock())
        return "saved"

    return await _settings_action(request, ws, save)


@page
async def delete_preset(request: Request, caller: Caller) -> Response:
    ws, preset_id = request.path_params["ws"], request.path_params["preset_id"]
    require(member(caller, ws), "settings")

    async def remove() -> str:
        await services(request).write(store.delete_preset, ws, preset_id)
        return "removed"

    return await _settings_action(request, ws, remove)


routes = [
    Route("/posts/{ws}/drafts", drafts_page),
    Route("/posts/{ws}/drafts/{draft_id}/{action}", draft_action, methods=["POST"]),
    Route("/posts/{ws}/recurring", recurring_page),
    Route("/posts/{ws}/recurring/{series_id}/stop", stop, methods=["POST"]),
    Route("/posts/{ws}/queue", queue_page), Route("/posts/{ws}/queue/{account_id}", save_slots, methods=["POST"]),
    Route("/posts/{ws}/utm", save_preset, methods=["POST"]),
    Route("/posts/{ws}/utm/{preset_id}/delete", delete_preset, methods=["POST"]),
]
