"""Who is calling: the session cookie (pages) or a bearer token (API), and the CSRF check for forms.

The cookie holds the session id signed with the inbox's key (``itsdangerous``); it is HttpOnly,
SameSite=Lax, and Secure when the request came over https (or always/never, see ``config.py``). Every
state-changing request of a cookie session must carry the session's CSRF token, as the ``csrf`` form field
or the ``X-CSRF-Token`` header; bearer-token requests carry no cookie and need none.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, TimestampSigner
from starlette.requests import Request
from starlette.responses import Response

from chorus.inbox.adapters import people, sessions
from chorus.inbox.adapters.people import User
from chorus.inbox.views import Scope
from chorus.inbox.web.state import Services

COOKIE = "chorus_session"
MAX_AGE = sessions.SESSION_DAYS * 86400


@dataclass(frozen=True)
class Caller:
    user: User
    scope: Scope
    csrf: str | None  # None for bearer tokens
    session_id: str | None

    @property
    def user_id(self) -> str:
        return self.user.user_id

    def role(self, workspace_id: str) -> str | None:
        return self.scope.role(workspace_id)


def services(request: Request) -> Services:
    return request.app.state.services


def _signer(svc: Services) -> TimestampSigner:
    return TimestampSigner(svc.settings.session_key, salt="chorus-inbox-session")


def client_ip(request: Request) -> str:
    svc = services(request)
    if svc.settings.trust_proxy:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.client.host if request.client else "unknown"


def is_https(request: Request) -> bool:
    svc = services(request)
    if svc.settings.secure_cookies != "auto":
        return svc.settings.secure_cookies == "true"
    if svc.settings.trust_proxy and request.headers.get("x-forwarded-proto", "").lower() == "https":
        return True
    return request.url.scheme == "https"


def set_session_cookie(request: Request, response: Response, session_id: str) -> None:
    value = _signer(services(request)).sign(session_id.encode()).decode()
    response.set_cookie(COOKIE, value, max_age=MAX_AGE, httponly=True, samesite="lax", secure=is_https(request),
                        path="/")


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=is_https(request))


def _session_id(request: Request) -> str | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        return _signer(services(request)).unsign(raw, max_age=MAX_AGE).decode()
    except BadSignature:
        return None


def _lookup_session(conn: Any, session_id: str, at) -> tuple[sessions.Session, dict[str, str]] | None:
    found = sessions.find_session(conn, session_id, at)
    return (found, people.roles_of(conn, found.user.user_id)) if found else None


def _lookup_token(conn: Any, token: str, at) -> tuple[User, dict[str, str]] | None:
    user = sessions.user_for_token(conn, token, at)
    return (user, people.roles_of(conn, user.user_id)) if user else None


async def session_caller(request: Request) -> Caller | None:
    if "caller" in request.scope:
        return request.scope["caller"]
    svc = services(request)
    session_id = _session_id(request)
    caller = None
    if session_id:
        found = await svc.read(_lookup_session, session_id, svc.clock())
        if found:
            session, roles = found
            caller = Caller(session.user, Scope(session.user.user_id, roles), session.csrf, session_id)
    request.scope["caller"] = caller
    return caller


async def token_caller(request: Request) -> Caller | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    svc = services(request)
    found = await svc.write(_lookup_token, token.strip(), svc.clock())
    if not found:
        return None
    user, roles = found
    return Caller(user, Scope(user.user_id, roles), None, None)


async def csrf_ok(request: Request, caller: Caller, form: Any | None = None) -> bool:
    if caller.csrf is None:
        return True
    sent = request.headers.get("x-csrf-token") or (form.get("csrf") if form is not None else None) or ""
    return hmac.compare_digest(str(sent), caller.csrf)
