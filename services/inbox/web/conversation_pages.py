"""A conversation: its page, its live parts, and what a manager does in it (reply, assign, close, ...)."""
from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from chorus.inbox import handlers, views
from chorus.inbox.adapters import people
from chorus.inbox.domain import InboxError, allowed, reply_text_kind, safe_fill
from chorus.inbox.web.auth import Caller, services
from chorus.inbox.web.common import done, error_message, page, page_context, wants_json
from chorus.inbox.web.inbox_pages import member_names
from chorus.inbox.web.render import between, duration, fragment, render
from chorus.networks.limits import limit_for


def _load(conn, caller: Caller, cid: str) -> dict[str, Any]:
    conv = views.conversation(conn, caller.scope, cid)
    ws = conv["workspace_id"]
    members = people.members_of(conn, ws)
    return {"conv": conv, "thread": views.thread(conn, cid), "members": members,
            "member_names": member_names(conn, caller.scope.workspaces),
            "canned": people.canned_for(conn, [ws]), "all_tags": views.tags_in(conn, [ws]),
            "workspace_name": people.workspace_names(conn, [ws]).get(ws, ws),
            "neighbours": views.neighbours(conn, caller.scope, conv)}


def _context(request: Request, caller: Caller, data: dict[str, Any]) -> dict[str, Any]:
    t = request.scope["translator"]
    conv, thread = data["conv"], data["thread"]
    role = caller.role(conv["workspace_id"])
    target = next((m for m in reversed(thread) if m["direction"] == "in" and not m["deleted_at"]), None)
    values = {"author_name": conv.get("author_name") or "", "account_name": conv.get("account_name") or "",
              "manager_name": caller.user.name}
    return {
        **data, "role": role, "can_reply": allowed(role, "reply"), "can_manage": allowed(role, "assign"),
        "assignable": [(u.user_id, u.name) for u, r in data["members"] if r in ("admin", "manager")],
        "canned": [{"title": c["title"], "filled": safe_fill(c["text"], values)} for c in data["canned"]],
        "limit": limit_for(conv["network"], reply_text_kind(conv["kind"])),
        "reply_id": uuid.uuid4().hex, "target_key": target["message_key"] if target and conv["kind"] == "comment"
        else None, "target_name": (target["author_name"] if target else None),
        "durations": {"first_response": duration(between(conv["first_inbound_at"], conv["first_response_at"]), t)
                      if conv["first_response_at"] else None,
                      "resolution": duration(between(conv["first_inbound_at"], conv["closed_at"]), t)
                      if conv["status"] == "closed" and conv["closed_at"] and conv["first_inbound_at"] else None},
        "prev_id": data["neighbours"][0], "next_id": data["neighbours"][1],
        "activity_text": lambda a: activity_text(t, a, data["member_names"]),
        "sentiments": [("negative", t("Negative")), ("neutral", t("Neutral")), ("positive", t("Positive"))],
    }


def activity_text(t, activity: dict[str, Any] | None, names: dict[str, str]) -> str:
    if not activity:
        return ""
    who = names.get(activity.get("by") or "", t("Someone"))
    action = activity.get("action")
    if action == "assigned":
        to = activity.get("to")
        return t("{who} assigned this to {to}", who=who, to=names.get(to, "?")) if to else t("{who} unassigned this",
                                                                                                who=who)
    if action == "closed":
        return t("{who} closed this", who=who)
    if action == "reopened":
        return t("{who} reopened this", who=who)
    if action == "tagged":
        parts = []
        if activity.get("added"):
            parts.append(t("{who} added tags: {tags}", who=who, tags=", ".join(activity["added"])))
        if activity.get("removed"):
            parts.append(t("{who} removed tags: {tags}", who=who, tags=", ".join(activity["removed"])))
        return "; ".join(parts)
    return str(action)


async def _page(request: Request, caller: Caller, *, error: str | None = None, draft: str | None = None,
                status: int = 200) -> Response:
    data = await services(request).read(_load, caller, request.path_params["cid"])
    ctx = await page_context(request, caller, "inbox")
    return render(request, "conversation.html", {**ctx, **_context(request, caller, data), "error": error,
                                                 "draft": draft}, status=status)


@page
async def conversation_page(request: Request, caller: Caller) -> Response:
    return await _page(request, caller)


@page
async def parts(request: Request, caller: Caller) -> Response:
    """The header, thread and side panel, re-rendered for a live update (the reply box is left alone)."""
    data = await services(request).read(_load, caller, request.path_params["cid"])
    ctx = {"caller": caller, **_context(request, caller, data)}
    return JSONResponse({name: fragment(request, f"_{template}.html", ctx) for name, template in
                         (("header", "conv_header"), ("thread", "thread"), ("side", "conv_side"))}
                        | {"status": data["conv"]["status"]})


async def _act(request: Request, caller: Caller, build) -> Response:
    """Load the conversation (404 outside the caller's workspaces), build the events, append them."""
    svc = services(request)
    cid = request.path_params["cid"]
    form = await request.form()
    data = await svc.read(_load, caller, cid)
    events = build(data, form, caller.role(data["conv"]["workspace_id"]))
    await svc.append(events)
    return done(request, f"/c/{cid}", appended=len(events))


@page
async def reply(request: Request, caller: Caller) -> Response:
    svc = services(request)
    cid = request.path_params["cid"]
    form = await request.form()
    text, reply_id = str(form.get("text", "")), str(form.get("reply_id", ""))

    def load(conn):
        conv = views.conversation(conn, caller.scope, cid)
        key = str(form.get("target", "")) or None
        target = views.message(conn, cid, key) if key else None
        return conv, target, views.reply_exists(conn, reply_id)

    conv, target, exists = await svc.read(load)
    try:
        events = handlers.request_reply(conv, text=text, reply_id=reply_id, role=caller.role(conv["workspace_id"]),
                                        user_id=caller.user_id, target=target, already_requested=exists)
    except InboxError as exc:
        if exc.code == "forbidden" or wants_json(request):
            raise
        return await _page(request, caller, error=error_message(request.scope["translator"], exc), draft=text,
                           status=400)
    await svc.append(events)
    return done(request, f"/c/{cid}", next_reply_id=uuid.uuid4().hex)


@page
async def retry(request: Request, caller: Caller) -> Response:
    svc = services(request)
    cid = request.path_params["cid"]
    form = await request.form()

    def load(conn):
        conv = views.conversation(conn, caller.scope, cid)
        failed = views.message(conn, cid, f"reply:{request.path_params['reply_id']}")
        new_id = str(form.get("reply_id", ""))
        return conv, failed, views.reply_exists(conn, new_id)

    conv, failed, exists = await svc.read(load)
    failed = handlers.retry_target(failed)
    target = None
    if failed.get("target"):
        import json

        comment_id = json.loads(failed["target"]).get("comment_id")
        if comment_id:
            target = await svc.read(views.message, cid, f"{conv['account_id']}:comment:{comment_id}")
    events = handlers.request_reply(conv, text=failed.get("reply_text") or "", reply_id=str(form.get("reply_id", "")),
                                    role=caller.role(conv["workspace_id"]), user_id=caller.user_id, target=target,
                                    already_requested=exists, retry_of=failed)
    await svc.append(events)
    return done(request, f"/c/{cid}")


@page
async def assign(request: Request, caller: Caller) -> Response:
    return await _act(request, caller, lambda d, f, role: handlers.assign(
        d["conv"], assignee_id=str(f.get("assignee", "")) or None, members={u.user_id: r for u, r in d["members"]
                                                                            if r in ("admin", "manager")},
        role=role, user_id=caller.user_id))


@page
async def close(request: Request, caller: Caller) -> Response:
    return await _act(request, caller, lambda d, f, role: handlers.close(d["conv"], role=role, user_id=caller.user_id))


@page
async def reopen(request: Request, caller: Caller) -> Response:
    return await _act(request, caller, lambda d, f, role: handlers.reopen(d["conv"], role=role, user_id=caller.user_id))


@page
async def tag(request: Request, caller: Caller) -> Response:
    return await _act(request, caller, lambda d, f, role: handlers.tag(
        d["conv"], add=str(f.get("add", "")), remove=str(f.get("remove", "")), role=role, user_id=caller.user_id))


@page
async def note(request: Request, caller: Caller) -> Response:
    return await _act(request, caller, lambda d, f, role: handlers.note(
        d["conv"], text=str(f.get("text", "")), role=role, user_id=caller.user_id))


@page
async def sentiment(request: Request, caller: Caller) -> Response:
    def build(d, f, role):
        key = str(f.get("item", ""))
        item = next((m for m in d["thread"] if m["message_key"] == key), None)
        return handlers.correct_sentiment(d["conv"], item, label=str(f.get("label", "")), role=role,
                                          user_id=caller.user_id)
    return await _act(request, caller, build)


routes = [
    Route("/c/{cid}", conversation_page), Route("/c/{cid}/parts", parts),
    Route("/c/{cid}/reply", reply, methods=["POST"]), Route("/c/{cid}/retry/{reply_id}", retry, methods=["POST"]),
    Route("/c/{cid}/assign", assign, methods=["POST"]), Route("/c/{cid}/close", close, methods=["POST"]),
    Route("/c/{cid}/reopen", reopen, methods=["POST"]), Route("/c/{cid}/tag", tag, methods=["POST"]),
    Route("/c/{cid}/note", note, methods=["POST"]), Route("/c/{cid}/sentiment", sentiment, methods=["POST"]),
]
