"""Rendering pages: one Jinja environment with autoescaping on for every template.

User-supplied text (comments, names, tags, alert titles) only ever reaches a page through ``{{ }}``, which
escapes it; nothing is marked safe. Data for scripts goes through ``tojson``, which escapes ``<``, ``>``
and ``&`` so it cannot close a ``<script>`` element.
"""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from chorus.inbox.web.i18n import JS_STRINGS, Translator

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
ASSET_VERSION = uuid.uuid4().hex[:8]

env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True,
                  default_for_string=True), trim_blocks=True, lstrip_blocks=True, auto_reload=False)


def _initials(name: str) -> str:
    parts = [p for p in (name or "").split() if p]
    return ("".join(p[0] for p in parts[:2]) or "?").upper()


env.filters["initials"] = _initials
env.globals["new_id"] = lambda: uuid.uuid4().hex


def duration(seconds: float | None, t: Translator) -> str:
    if seconds is None:
        return "—"
    seconds = max(0, int(seconds))
    if seconds < 60:
        return t("{n} s", n=seconds)
    if seconds < 3600:
        return t("{n} min", n=seconds // 60)
    if seconds < 86400:
        return t("{h} h {m} min", h=seconds // 3600, m=(seconds % 3600) // 60)
    return t("{d} d {h} h", d=seconds // 86400, h=(seconds % 86400) // 3600)


def between(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start) / timedelta(seconds=1)


def names(t: Translator) -> dict[str, Any]:
    """Display names of the fixed vocabularies, in the reader's language."""
    return {
        "network_names": {"vk": "VK", "x": "X", "telegram": "Telegram", "facebook": "Facebook"},
        "network_short": {"vk": "VK", "x": "X", "telegram": "TG", "facebook": "FB"},
        "kind_names": {"comment": t("Comment"), "message": t("Message"), "mention": t("Mention")},
        "sentiment_names": {"positive": t("Positive"), "neutral": t("Neutral"), "negative": t("Negative")},
        "status_names": {"connected": t("connected"), "token_expired": t("token expired"),
                         "disconnected": t("disconnected")},
        "severity_names": {"info": t("Info"), "warning": t("Warning"), "critical": t("Critical")},
        "alert_kind_names": {"negative_mention": t("Negative mention"), "spike": t("Negative spike"),
                             "channel_health": t("Channel health")},
    }


def render(request: Request, template: str, context: dict[str, Any], *, status: int = 200,
           t: Translator | None = None) -> HTMLResponse:
    translator = t or request.scope.get("translator") or Translator("en")
    base = {"_": translator, "locale": translator.locale, "asset_version": ASSET_VERSION, "caller": None,
            "request_path": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
            "js_strings": {k: translator(v) for k, v in JS_STRINGS.items()},
            "fmt_duration": lambda s: duration(s, translator), "now": datetime.now(UTC), **names(translator)}
    html = env.get_template(template).render({**base, **context})
    return HTMLResponse(html, status_code=status, headers=_SECURITY_HEADERS)


def fragment(request: Request, template: str, context: dict[str, Any]) -> str:
    translator = request.scope.get("translator") or Translator("en")
    base = {"_": translator, "locale": translator.locale, "fmt_duration": lambda s: duration(s, translator),
            **names(translator)}
    return env.get_template(template).render({**base, **context})


#: No inline scripts or styles anywhere, so the policy can forbid them: an injected <script> cannot run.
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
