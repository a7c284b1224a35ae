"""Logging in and out, and choosing the interface language."""
from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from chorus.inbox.adapters import people, sessions
from chorus.inbox.web.auth import (
    Caller,
    clear_session_cookie,
    client_ip,
    is_https,
    services,
    session_caller,
    set_session_cookie,
)
from chorus.inbox.web.common import done, page, translator_for
from chorus.inbox.web.i18n import LOCALES
from chorus.inbox.web.render import render

LOGIN_CSRF = "chorus_login_csrf"


def _safe_next(value: str | None) -> str:
    """Only a path on this site: never an absolute URL or a scheme-relative one (open redirect)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/inbox"


def _login_page(request: Request, *, error: str = "", email: str = "", status: int = 200) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", {"login_csrf": token, "error": error, "email": email,
                                              "next": _safe_next(request.query_params.get("next")
                                                                 or request.scope.get("login_next"))},
                      status=status)
    response.set_cookie(LOGIN_CSRF, token, max_age=3600, httponly=True, samesite="lax", secure=is_https(request))
    return response


async def login_form(request: Request) -> Response:
    caller = await session_caller(request)
    translator_for(request, caller)
    if caller is not None:
        return RedirectResponse(_safe_next(request.query_params.get("next")), status_code=303)
    return _login_page(request)


async def login(request: Request) -> Response:
    t = translator_for(request, None)
    form = await request.form()
    email, password = str(form.get("email", "")).strip(), str(form.get("password", ""))
    request.scope["login_next"] = str(form.get("next", ""))
    expected = request.cookies.get(LOGIN_CSRF, "")
    if not expected or not hmac.compare_digest(expected, str(form.get("csrf", ""))):
        return _login_page(request, error=t("The form expired. Reload the page and try again."), email=email,
                           status=403)
    svc = services(request)
    ip, now = client_ip(request), svc.clock()
    wait = await svc.read(sessions.retry_after, email, ip, now)
    if wait:
        minutes = max(1, (wait + 59) // 60)
        return _login_page(request, email=email, status=429, error=t(
            "Too many failed attempts. Try again in {n} min.", n=minutes))
    user = await svc.write(people.authenticate, email, password)
    if user is None:
        await svc.write(sessions.record_failure, email, ip, now)
        return _login_page(request, error=t("Wrong e-mail or password."), email=email, status=401)

    def start(conn):
        sessions.clear_failures(conn, email)
        return sessions.open_session(conn, user.user_id, now)

    session_id = await svc.write(start)
    response = RedirectResponse(_safe_next(str(form.get("next", ""))), status_code=303)
    set_session_cookie(request, response, session_id)
    response.delete_cookie(LOGIN_CSRF)
    return response


@page
async def logout(request: Request, caller: Caller) -> Response:
    if caller.session_id:
        await services(request).write(sessions.close_session, caller.session_id)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(request, response)
    return response


@page
async def set_locale(request: Request, caller: Caller) -> Response:
    form = await request.form()
    locale = str(form.get("locale", ""))
    await services(request).write(people.set_locale, caller.user_id, locale if locale in LOCALES else None)
    return done(request, _safe_next(str(form.get("next", ""))))


async def home(request: Request) -> Response:
    return RedirectResponse("/inbox", status_code=303)


routes = [
    Route("/", home), Route("/login", login_form, methods=["GET"]), Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]), Route("/me/locale", set_locale, methods=["POST"]),
]
