"""What the publishing pages share: the workspace check, the page frame, waiting for the read model."""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.requests import Request

from chorus.inbox.domain import NotFound, allowed
from chorus.inbox.posts import store, views
from chorus.inbox.web.auth import Caller, services
from chorus.inbox.web.common import page_context

STATE_CLASSES = ("scheduled", "retrying", "sending", "unknown", "published", "failed", "missed", "cancelled")


def member(caller: Caller, ws: str) -> str:
    """The caller's role in ``ws``; a workspace they are not a member of does not exist for them."""
    role = caller.role(ws)
    if role is None:
        raise NotFound("workspace")
    return role


def state_names(t) -> dict[str, str]:
    return {"scheduled": t("Scheduled"), "retrying": t("Retrying"), "sending": t("Sending"),
            "unknown": t("Outcome unknown"), "published": t("Published"), "failed": t("Failed"),
            "missed": t("Missed"), "cancelled": t("Cancelled"), "draft": t("Draft"),
            "awaiting_approval": t("Awaiting approval"), "rejected": t("Rejected"), "repeats": t("Repeats")}


def weekday_names(t) -> list[str]:
    return [t("Mon"), t("Tue"), t("Wed"), t("Thu"), t("Fri"), t("Sat"), t("Sun")]


def month_names(t) -> list[str]:
    return [t("January"), t("February"), t("March"), t("April"), t("May"), t("June"), t("July"), t("August"),
            t("September"), t("October"), t("November"), t("December")]


def month_genitive(t) -> list[str]:
    """Month names as they follow a day number ("11 мая"); English keeps the plain names."""
    return [t.p("genitive", name) for name in ("January", "February", "March", "April", "May", "June", "July",
                                                "August", "September", "October", "November", "December")]


def utc_offset(tz, at: datetime) -> str:
    offset = at.astimezone(tz).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "−"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


async def frame(request: Request, caller: Caller, ws: str, tab: str) -> dict[str, Any]:
    """The page context of a publishing page: the nav, the workspace, its zone, the tabs."""
    svc = services(request)
    role = member(caller, ws)

    def load(conn):
        return views.workspace(conn, ws), store.awaiting_count(conn, ws)

    settings, awaiting = await svc.read(load)
    ctx = await page_context(request, caller, "posts")
    t = request.scope["translator"]
    now = svc.clock()
    member_of = sorted(caller.scope.workspaces, key=lambda w: ctx["workspace_names"].get(w, w))
    return {**ctx, "ws": ws, "ws_name": ctx["workspace_names"].get(ws, ws), "role": role, "tab": tab,
            "can_compose": allowed(role, "compose"), "can_approve": allowed(role, "approve"),
            "approval_required": settings["approval_required"], "time_zone": settings["time_zone"],
            "tz": settings["tz"], "zone_offset": utc_offset(settings["tz"], now), "awaiting": awaiting,
            "state_names": state_names(t), "weekday_names": weekday_names(t), "month_names": month_names(t),
            "month_genitive": month_genitive(t),
            "member_of": [(w, ctx["workspace_names"].get(w, w)) for w in member_of],
            "local": lambda at, fmt="%d.%m.%Y %H:%M": at.astimezone(settings["tz"]).strftime(fmt) if at else "—"}


async def wait_for(request: Request, check: Callable[..., bool], *args: Any, timeout: float = 5.0) -> bool:
    """Wait until ``check(conn, *args)`` holds in the read model (the projection applied what was appended)."""
    svc = services(request)
    for _ in range(int(timeout / 0.05)):
        if await svc.read(check, *args):
            return True
        await asyncio.sleep(0.05)
    return False
