"""The inbox list (with its live rows), the alerts page and the response-time report."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from chorus.inbox import health_views, reports, views
from chorus.inbox.adapters import people
from chorus.inbox.views import Filters
from chorus.inbox.web.auth import Caller, services
from chorus.inbox.web.common import page, page_context
from chorus.inbox.web.render import fragment, render

FILTER_KEYS = ("workspace", "network", "account", "kind", "sentiment", "status", "tag", "q", "before")


def filters_from(request: Request) -> Filters:
    raw = {k: (request.query_params.get(k) or "").strip()[:200] or None for k in FILTER_KEYS}
    raw["status"] = raw["status"] if raw["status"] in views.STATUSES else "open"
    return Filters(**raw)


def member_names(conn, workspaces: list[str]) -> dict[str, str]:
    return people.member_names(conn, workspaces)


def _list_context(conn, caller: Caller, filters: Filters, ids: list[str] | None = None):
    rows, cursor = views.list_conversations(conn, caller.scope, filters, ids=ids)
    return rows, cursor, member_names(conn, caller.scope.workspaces)


@page
async def inbox(request: Request, caller: Caller) -> Response:
    filters = filters_from(request)
    t = request.scope["translator"]
    ws = caller.scope.workspaces

    def load(conn):
        rows, cursor, names = _list_context(conn, caller, filters)
        return rows, cursor, names, views.account_choices(conn, ws), views.tags_in(conn, ws)

    ctx = await page_context(request, caller, "inbox", also=load)
    rows, cursor, names, accounts, all_tags = ctx.pop("also")
    query = {k: v for k, v in filters.active().items()}
    statuses = []
    for key, label in (("open", t.p("tab", "Open")), ("mine", t("Mine")), ("unassigned", t("Unassigned")),
                       ("closed", t.p("tab", "Closed")), ("all", t("All"))):
        statuses.append((key, label, "/inbox?" + urlencode({**query, "status": key})))
    return render(request, "inbox.html", {
        **ctx, "rows": rows, "next_cursor": cursor, "filters": filters, "filter_query": urlencode(query),
        "member_names": names, "accounts": accounts, "all_tags": all_tags, "statuses": statuses,
        "workspaces": sorted(ctx["workspace_names"].items(), key=lambda kv: kv[1]),
        "networks": [("vk", "VK"), ("telegram", "Telegram"), ("x", "X"), ("facebook", "Facebook")],
        "kinds": [("comment", t("Comments")), ("message", t("Messages")), ("mention", t("Mentions"))],
        "sentiments": [("negative", t("Negative")), ("neutral", t("Neutral")), ("positive", t("Positive"))],
    })


@page
async def rows(request: Request, caller: Caller) -> Response:
    """The rows of the given conversations that match the page's filters (for live updates), or without
    ``ids`` the first page (the page re-reads it whenever its event stream (re)connects, so nothing that
    changed between rendering and subscribing is missed)."""
    raw = request.query_params.get("ids")
    ids = [i for i in (raw or "").split(",") if i][:100] if raw is not None else None
    filters = filters_from(request)
    filters = Filters(**{**filters.__dict__, "before": None})
    found, _cursor, names = await services(request).read(_list_context, caller, filters, ids)
    html = "".join(fragment(request, "_row.html", {"c": c, "member_names": names}) for c in found)
    return HTMLResponse(html)


@page
async def alerts_page(request: Request, caller: Caller) -> Response:
    svc = services(request)
    ws = caller.scope.workspaces
    t = request.scope["translator"]

    def load(conn):
        accounts = health_views.accounts_of(conn, ws)
        return health_views.alerts_of(conn, ws), health_views.gaps_of(conn, ws), accounts

    alerts, gaps, accounts = await svc.read(load)
    names = {a.row["account_id"]: a.row["name"] or a.row["account_id"] for a in accounts}
    ctx = await page_context(request, caller, "alerts")
    return render(request, "alerts.html", {
        **ctx, "alerts": alerts, "gaps": gaps, "account_names": names,
        "unhealthy": [a for a in accounts if a.row["status"] != "connected"],
        "gap_text": lambda g: gap_text(t, names.get(g["account_id"], g["account_id"]), g)})


def gap_text(t, account_name: str, gap: dict) -> str:
    network = {"vk": "VK", "x": "X", "telegram": "Telegram", "facebook": "Facebook"}.get(gap["network"], gap["network"])
    start, end = gap["gap_from"], gap["gap_to"]
    same_day = start.date() == end.date()
    return t("{network} {account}: no data from {start} to {end}", network=network, account=account_name,
             start=start.strftime("%d.%m %H:%M"), end=end.strftime("%H:%M" if same_day else "%d.%m %H:%M")) + " UTC"


@page
async def report_page(request: Request, caller: Caller) -> Response:
    svc = services(request)
    try:
        days = int(request.query_params.get("days", "7"))
    except ValueError:
        days = 7
    days = days if days in (1, 7, 30, 90) else 7
    ws = caller.scope.workspaces

    def load(conn):
        return reports.response_times(conn, ws, svc.clock() - timedelta(days=days), member_names(conn, ws))

    report = await svc.read(load)
    ctx = await page_context(request, caller, "report")
    return render(request, "report.html", {**ctx, "report": report, "days": days})


routes = [
    Route("/inbox", inbox), Route("/inbox/rows", rows), Route("/alerts", alerts_page), Route("/report", report_page),
]
