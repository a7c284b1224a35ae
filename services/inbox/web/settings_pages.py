"""Settings of a workspace (admins): accounts, rules, alert destinations, team, workspace, canned replies.

Rules, destinations and workspace settings are appended as snapshot events; after appending, the page waits
briefly for the read model to show the new snapshot, so the next change starts from it. Destination
secrets go to the credentials store (``destination_secret_name``) and never into an event.

"Send a test" asks the monitor, which delivers alerts, over a NATS request (see ``adapters/monitor.py``).
"""
from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from chorus.events.settings import DEFAULT_TIME_ZONE
from chorus.events.values import Network
from chorus.inbox import health_views, rules, views
from chorus.inbox.adapters import people
from chorus.inbox.adapters.monitor import preview_rule, remove_secret, request_test, store_secret
from chorus.inbox.domain import WEEKDAYS, Forbidden, InboxError, NotFound, Role
from chorus.inbox.web.auth import Caller, services
from chorus.inbox.web.common import error_message, page, page_context
from chorus.inbox.web.render import render
from chorus.inbox.web.settings_accounts import TOKEN_KINDS, connect, disconnect, feature_table

SECTIONS = ("accounts", "rules", "destinations", "team", "workspace", "canned")


def _admin_ws(caller: Caller, ws: str) -> str:
    role = caller.role(ws)
    if role is None:
        raise NotFound("workspace")
    if role != Role.ADMIN:
        raise Forbidden()
    return ws


@page
async def settings_home(request: Request, caller: Caller) -> Response:
    admin_of = sorted(ws for ws, role in caller.scope.roles.items() if role == Role.ADMIN)
    if not admin_of:
        raise Forbidden()
    return RedirectResponse(f"/settings/{admin_of[0]}/accounts", status_code=303)


async def _section(request: Request, caller: Caller, ws: str, section: str, *, error: str | None = None,
                   ok: str | None = None, extra: dict[str, Any] | None = None, status: int = 200) -> Response:
    svc = services(request)

    def load(conn):
        return {"accounts": health_views.accounts_of(conn, [ws]), "brand": views.snapshot(conn, ws, "brand_rules"),
                "alert_rules": views.snapshot(conn, ws, "alert_rules"),
                "dests": views.snapshot(conn, ws, "alert_destinations"),
                "workspace": views.snapshot(conn, ws, "workspace"), "members": people.members_of(conn, ws),
                "canned": people.canned_for(conn, [ws]), "ws_name": people.workspace_names(conn, [ws]).get(ws, ws)}

    data = await svc.read(load)
    ctx = await page_context(request, caller, "settings")
    admin_of = [(w, ctx["workspace_names"].get(w, w)) for w, r in sorted(caller.scope.roles.items()) if r == "admin"]
    return render(request, "settings.html", {
        **ctx, **data, "ws": ws, "section": section, "sections": SECTIONS, "admin_of": admin_of, "error": error,
        "ok": ok or request.query_params.get("ok"), "weekdays": WEEKDAYS, "token_kinds": TOKEN_KINDS,
        "feature_table": feature_table, "can_connect": svc.credentials is not None,
        "brand_rules": (data["brand"] or {}).get("rules", []), "alert_rule_list": (data["alert_rules"] or {}).get(
            "rules", []), "destinations": (data["dests"] or {}).get("destinations", []),
        "ws_settings": data["workspace"] or {"name": data["ws_name"], "time_zone": DEFAULT_TIME_ZONE,
                                              "business_hours": {}, "lateness_limit_minutes": 60},
        "preview": None, "request_query": request.query_params, **(extra or {})}, status=status)


@page
async def section_page(request: Request, caller: Caller) -> Response:
    ws = _admin_ws(caller, request.path_params["ws"])
    section = request.path_params["section"]
    if section not in SECTIONS:
        raise NotFound("section")
    extra = None
    if section == "rules" and request.query_params.get("preview"):
        extra = {"preview": await _preview(request, ws)}
    return await _section(request, caller, ws, section, extra=extra)


#: The newest items of the last 7 days a preview looks at (the monitor takes at most 5,000 texts a request).
PREVIEW_MAX = 5000


async def _preview(request: Request, ws: str) -> dict[str, Any]:
    svc = services(request)
    form = request.query_params
    try:
        rule = rules.brand_rule(form)
    except InboxError as exc:
        return {"error": error_message(request.scope["translator"], exc)}
    items = await svc.read(views.recent_items, ws, svc.clock() - timedelta(days=7))
    items = [i for i in items if not rule.networks or i.get("network") in rule.networks][:PREVIEW_MAX]
    answer = await preview_rule(svc.nc, ws, rule, [i["text"] or "" for i in items],
                                svc.settings.test_destination_timeout_s)
    if not answer.ok:
        return {"error": answer.detail}
    found = [items[i] for i in answer.matched]
    return {"rule": rule, "count": len(found), "sample": found[:50], "scanned": len(items)}


async def _await_snapshot(request: Request, ws: str, name: str, event) -> None:
    """Wait (up to 5 s) until the read model holds the snapshot just appended."""
    svc = services(request)
    want = json.loads(event.model_dump_json(exclude={"event_id", "occurred_at", "workspace_id", "correlation_id",
                                                     "causation_id", "schema_version"}))
    for _ in range(50):
        if await svc.read(views.snapshot, ws, name) == want:
            return
        await asyncio.sleep(0.1)


def _back(ws: str, section: str, ok: str) -> Response:
    return RedirectResponse(f"/settings/{ws}/{section}?" + urlencode({"ok": ok}), status_code=303)


@page
async def action(request: Request, caller: Caller) -> Response:
    ws = _admin_ws(caller, request.path_params["ws"])
    name = request.path_params["action"]
    handler = ACTIONS.get(name)
    if handler is None:
        raise NotFound("action")
    section, fn = handler
    form = await request.form()
    try:
        ok = await fn(request, caller, ws, form)
    except InboxError as exc:
        if isinstance(exc, NotFound | Forbidden):
            raise
        return await _section(request, caller, ws, section, error=error_message(request.scope["translator"], exc),
                              status=400)
    return _back(ws, section, ok)


async def _snapshot(request: Request, ws: str, name: str) -> dict | None:
    return await services(request).read(views.snapshot, ws, name)


async def _append_snapshot(request: Request, ws: str, name: str, event) -> None:
    await services(request).append([event])
    await _await_snapshot(request, ws, name, event)


async def add_brand_rule(request, caller, ws, form) -> str:
    current = (await _snapshot(request, ws, "brand_rules") or {}).get("rules", [])
    event = rules.brand_rules_with(current, rules.brand_rule(form), workspace_id=ws, user_id=caller.user_id)
    await _append_snapshot(request, ws, "brand_rules", event)
    return "saved"


async def remove_brand_rule(request, caller, ws, form) -> str:
    current = (await _snapshot(request, ws, "brand_rules") or {}).get("rules", [])
    event = rules.brand_rules_with(current, None, remove=str(form.get("rule_id", "")), workspace_id=ws,
                                   user_id=caller.user_id)
    await _append_snapshot(request, ws, "brand_rules", event)
    return "removed"


async def add_alert_rule(request, caller, ws, form) -> str:
    current = (await _snapshot(request, ws, "alert_rules") or {}).get("rules", [])
    dests = {d["destination_id"] for d in (await _snapshot(request, ws, "alert_destinations") or {}).get(
        "destinations", [])}
    event = rules.alert_rules_with(current, rules.alert_rule(form, dests), workspace_id=ws, user_id=caller.user_id)
    await _append_snapshot(request, ws, "alert_rules", event)
    return "saved"


async def remove_alert_rule(request, caller, ws, form) -> str:
    current = (await _snapshot(request, ws, "alert_rules") or {}).get("rules", [])
    event = rules.alert_rules_with(current, None, remove=str(form.get("rule_id", "")), workspace_id=ws,
                                   user_id=caller.user_id)
    await _append_snapshot(request, ws, "alert_rules", event)
    return "removed"


async def add_destination(request, caller, ws, form) -> str:
    svc = services(request)
    dest = rules.destination(form)
    secret = str(form.get("secret", "")).strip()
    if secret:
        if svc.credentials is None:
            raise InboxError("no_secret_key", "set CHORUS_SECRET_KEY to store destination secrets")

        await store_secret(svc.credentials, ws, dest, secret)
    current = (await _snapshot(request, ws, "alert_destinations") or {}).get("destinations", [])
    event = rules.destinations_with(current, dest, workspace_id=ws, user_id=caller.user_id)
    await _append_snapshot(request, ws, "alert_destinations", event)
    return "saved"


async def remove_destination(request, caller, ws, form) -> str:
    svc = services(request)
    dest_id = str(form.get("destination_id", ""))
    current = (await _snapshot(request, ws, "alert_destinations") or {}).get("destinations", [])
    if not any(d["destination_id"] == dest_id for d in current):
        raise NotFound("destination")
    if svc.credentials is not None:
        await remove_secret(svc.credentials, dest_id)
    event = rules.destinations_with(current, None, remove=dest_id, workspace_id=ws, user_id=caller.user_id)
    await _append_snapshot(request, ws, "alert_destinations", event)
    return "removed"


async def test_destination(request, caller, ws, form) -> str:
    svc = services(request)
    dest_id = str(form.get("destination_id", ""))
    current = (await _snapshot(request, ws, "alert_destinations") or {}).get("destinations", [])
    if not any(d["destination_id"] == dest_id for d in current):
        raise NotFound("destination")
    ok, detail = await request_test(svc.nc, ws, dest_id, caller.user_id, svc.settings.test_destination_timeout_s)
    if not ok:
        raise InboxError("test_failed", f"the test was not delivered: {detail}", detail=detail)
    return "test_sent"


async def save_workspace(request, caller, ws, form) -> str:
    event = rules.workspace_settings(form, workspace_id=ws, user_id=caller.user_id)
    await services(request).write(people.rename_workspace, ws, event.name)
    await _append_snapshot(request, ws, "workspace", event)
    return "saved"


async def add_member(request, caller, ws, form) -> str:
    svc = services(request)
    role = str(form.get("role", "manager"))
    if role not in {r.value for r in Role}:
        raise InboxError("bad_role", "choose admin, manager or viewer")

    def add(conn):
        email = people.normal_email(str(form.get("email", "")))
        found = people.user_by_email(conn, email)
        user_id = found.user_id if found else people.create_user(conn, email, str(form.get("password", "")),
                                                                 str(form.get("name", "")))
        people.set_role(conn, user_id, ws, role)

    await svc.write(add)
    return "saved"


async def change_member(request, caller, ws, form) -> str:
    svc = services(request)
    user_id, role = str(form.get("user_id", "")), str(form.get("role", ""))

    def change(conn):
        if user_id not in {u.user_id for u, _ in people.members_of(conn, ws)}:
            raise NotFound("member")
        if role != Role.ADMIN and not people.admins_left(conn, ws, without=user_id):
            raise InboxError("last_admin", "a workspace keeps at least one admin")
        if role == "remove":
            people.remove_member(conn, user_id, ws)
        elif role in {r.value for r in Role}:
            people.set_role(conn, user_id, ws, role)
        else:
            raise InboxError("bad_role", "choose admin, manager or viewer")

    await svc.write(change)
    return "saved"


async def add_canned(request, caller, ws, form) -> str:
    await services(request).write(people.add_canned, ws, str(form.get("title", "")), str(form.get("text", "")))
    return "saved"


async def remove_canned(request, caller, ws, form) -> str:
    await services(request).write(people.delete_canned, ws, str(form.get("canned_id", "")))
    return "removed"


ACTIONS = {
    "connect": ("accounts", connect), "disconnect": ("accounts", disconnect),
    "brand-rule": ("rules", add_brand_rule), "brand-rule-remove": ("rules", remove_brand_rule),
    "alert-rule": ("rules", add_alert_rule), "alert-rule-remove": ("rules", remove_alert_rule),
    "destination": ("destinations", add_destination), "destination-remove": ("destinations", remove_destination),
    "destination-test": ("destinations", test_destination), "workspace": ("workspace", save_workspace),
    "member": ("team", add_member), "member-role": ("team", change_member),
    "canned": ("canned", add_canned), "canned-remove": ("canned", remove_canned),
}
NETWORKS = [n.value for n in Network]

routes = [
    Route("/settings", settings_home), Route("/settings/{ws}/{section}", section_page),
    Route("/settings/{ws}/do/{action}", action, methods=["POST"]),
]
