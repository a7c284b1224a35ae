"""What pages and form actions share: who is calling, the language, errors as pages or JSON."""
from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from chorus.inbox.adapters import people
from chorus.inbox.domain import Forbidden, InboxError, NotFound
from chorus.inbox.projection.tables import alerts
from chorus.inbox.web.auth import Caller, csrf_ok, services, session_caller
from chorus.inbox.web.i18n import Translator, locale_for
from chorus.inbox.web.posts_messages import MESSAGES as POST_MESSAGES
from chorus.inbox.web.render import render

Handler = Callable[[Request, Caller], Awaitable[Response]]


def wants_json(request: Request) -> bool:
    return request.headers.get("x-requested-with") == "fetch" or "application/json" in request.headers.get("accept", "")


def translator_for(request: Request, caller: Caller | None) -> Translator:
    t = Translator(locale_for(caller.user.locale if caller else None, request.headers.get("accept-language")))
    request.scope["translator"] = t
    return t


def error_message(t: Translator, error: InboxError) -> str:
    """A refusal in the reader's language (the code picks the message; its parameters fill it)."""
    messages = {
        "reply_too_long": "The reply is {length} characters long; {network} allows at most {maximum}. Shorten it "
                          "and send again.",
        "reply_empty": "Write a reply first.",
        "reply_to_deleted": "This comment was deleted on the network, so the reply cannot be posted there.",
        "bad_reply_id": "This form is out of date. Reload the page and send again.",
        "forbidden": "Your role in this workspace does not allow this.",
        "not_found": "Not found.",
        "not_a_member": "That person is not a member of this workspace.",
        "bad_tag": "{tag} is not a valid tag: use letters, digits, spaces, dots, plus and minus.",
        "note_empty": "Write the note first.",
        "note_too_long": "A note may have up to {maximum} characters.",
        "bad_sentiment": "Choose positive, neutral or negative.",
        "not_retryable": "Only a failed reply can be sent again.",
        "csrf": "The form expired. Reload the page and try again.",
        "rule_name": "Give the rule a name.",
        "rule_terms": "Name at least one word or phrase to look for.",
        "bad_number": "{field} must be a number.",
        "bad_kind": "Choose one of the offered kinds.",
        "bad_destination": "Choose destinations from the list.",
        "bad_rule": "A value of the rule is out of range: {detail}",
        "bad_target": "Check the address: a webhook needs an http(s) URL, Telegram a chat id or @channel, e-mail an "
                      "address.",
        "ws_name": "The workspace needs a name.",
        "bad_time_zone": "{value} is not a time zone; use a name such as Europe/Moscow.",
        "bad_hours": "{value} is not a range of hours such as 09:00-18:00.",
        "no_secret_key": "Set CHORUS_SECRET_KEY first: tokens and secrets are stored encrypted with it.",
        "bad_network": "Choose a network.",
        "no_token": "Paste at least one token.",
        "network_refused": "The network refused the token: {detail}",
        "not_connected": "This account is already disconnected.",
        "last_admin": "A workspace keeps at least one admin.",
        "bad_role": "Choose admin, manager or viewer.",
        "user_exists": "A user with the e-mail {email} already exists.",
        "bad_email": "{value} is not an e-mail address.",
        "weak_password": "The password must have at least {minimum} characters.",
        "canned_empty": "A canned reply needs a title and a text.",
        "test_failed": "The test was not delivered: {detail}",
    }
    template = messages.get(error.code) or POST_MESSAGES.get(error.code)
    if template is None:
        return str(error)
    try:
        return t(template, **error.params)
    except (KeyError, IndexError):
        return t(template)


async def page_context(request: Request, caller: Caller, nav: str = "",
                       also: Callable[[Any], Any] | None = None) -> dict[str, Any]:
    """What every page's frame shows (today's alert count, workspace names). ``also(conn)``: the page's own
    reads, done on the same connection in the same trip to the database thread; its result is ``"also"``."""
    svc = services(request)
    ws = caller.scope.workspaces

    def load(conn):
        count = conn.execute(select(func.count()).select_from(alerts).where(alerts.c.workspace_id.in_(ws),
                                                                              alerts.c.raised_at >= svc.clock().replace(
                                                                                  hour=0, minute=0, second=0))).scalar()
        return count, people.workspace_names(conn, ws), also(conn) if also else None

    count, ws_names, extra = await svc.read(load)
    return {"caller": caller, "nav": nav, "alert_count": count,
            "is_admin": any(r == "admin" for r in caller.scope.roles.values()),
            "workspace_names": ws_names, "also": extra}


def not_found(request: Request, t: Translator, caller: Caller | None) -> Response:
    if wants_json(request):
        return JSONResponse({"error": "not_found", "message": t("Not found.")}, status_code=404)
    return render(request, "error.html", {"caller": caller, "title": t("Not found"),
                                          "message": t("This page does not exist, or it belongs to a workspace you "
                                                       "are not a member of.")}, status=404, t=t)


def page(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """A page for signed-in users: others go to the login page; refusals become 404/403 pages."""
    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        caller = await session_caller(request)
        t = translator_for(request, caller)
        if caller is None:
            if request.method == "GET" and not wants_json(request):
                return RedirectResponse("/login?next=" + quote(request.url.path + (
                    "?" + request.url.query if request.url.query else ""), safe=""), status_code=303)
            return JSONResponse({"error": "unauthenticated", "message": t("Log in first.")}, status_code=401)
        if request.method != "GET":
            form = await request.form()
            if not await csrf_ok(request, caller, form):
                return _refuse(request, t, caller, InboxError("csrf", "bad csrf"), 403)
        try:
            return await handler(request, caller)
        except NotFound:
            return not_found(request, t, caller)
        except Forbidden as exc:
            return _refuse(request, t, caller, exc, 403)
        except InboxError as exc:
            return _refuse(request, t, caller, exc, 400)
    return endpoint


def _refuse(request: Request, t: Translator, caller: Caller, error: InboxError, status: int) -> Response:
    message = error_message(t, error)
    if wants_json(request) or request.method != "GET" and request.headers.get("x-requested-with"):
        return JSONResponse({"error": error.code, "message": message}, status_code=status)
    return render(request, "error.html", {"caller": caller, "title": t("Not possible"), "message": message},
                  status=status, t=t)


def done(request: Request, location: str, **payload: Any) -> Response:
    """The answer to a successful form action: JSON for the script, a redirect for a plain form."""
    if wants_json(request):
        return JSONResponse({"ok": True, **payload})
    return RedirectResponse(location, status_code=303)
