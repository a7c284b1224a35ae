"""The JSON API under ``/api/v1``, with bearer tokens (``chorus token create``) or the browser's session.

Each operation is declared once with ``operation(...)``: its method, path, models and summary. The same
declarations build the routes and ``/api/openapi.json``, so the document cannot drift from the code.
The same access rules as the pages apply: anything of a workspace the caller is not a member of is 404.
"""
from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from chorus.inbox import handlers, health_views, views
from chorus.inbox.adapters import people
from chorus.inbox.domain import Forbidden, InboxError, NotFound
from chorus.inbox.web import api_models as m
from chorus.inbox.web.auth import Caller, csrf_ok, services, session_caller, token_caller
from chorus.inbox.web.common import error_message
from chorus.inbox.web.i18n import Translator
from chorus.inbox.web.render import between

PREFIX = "/api/v1"


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    response: Any
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    status: int
    fn: Callable[..., Awaitable[Any]]


OPERATIONS: list[Operation] = []


def operation(method: str, path: str, summary: str, *, response: Any, body: type[BaseModel] | None = None,
              query: type[BaseModel] | None = None, status: int = 200):
    def register(fn):
        OPERATIONS.append(Operation(method, PREFIX + path, summary, response, body, query, status, fn))
        return fn
    return register


def _error(code: str, message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status)


def _endpoint(op: Operation):
    adapter = TypeAdapter(op.response)

    async def endpoint(request: Request) -> Response:
        caller = await token_caller(request) or await session_caller(request)
        if caller is None:
            return _error("unauthenticated", "send Authorization: Bearer <token> (chorus token create)", 401)
        if op.method != "GET" and caller.csrf is not None and not await csrf_ok(request, caller):
            return _error("csrf", "send the session's X-CSRF-Token header", 403)
        kwargs: dict[str, Any] = dict(request.path_params)
        try:
            if op.query is not None:
                kwargs["query"] = op.query.model_validate(dict(request.query_params))
            if op.body is not None:
                kwargs["body"] = op.body.model_validate_json(await request.body() or b"{}")
            result = await op.fn(request, caller, **kwargs)
        except ValidationError as exc:
            return _error("invalid_request", "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                                                       for e in exc.errors()), 422)
        except NotFound:
            return _error("not_found", "not found", 404)
        except Forbidden as exc:
            return _error("forbidden", str(exc), 403)
        except InboxError as exc:
            return _error(exc.code, error_message(Translator("en"), exc), 400)
        return JSONResponse(adapter.dump_python(result, mode="json"), status_code=op.status)
    return endpoint


# --- conversions ------------------------------------------------------------------------------------

def _conversation(row: dict[str, Any]) -> m.Conversation:
    fields = {k: row.get(k) for k in m.Conversation.model_fields if k not in ("first_response_seconds",
                                                                              "resolution_seconds")}
    fields["account_name"] = fields["account_name"] or row["account_id"]
    return m.Conversation(**fields, first_response_seconds=between(row["first_inbound_at"], row["first_response_at"]),
                          resolution_seconds=between(row["first_inbound_at"], row["closed_at"])
                          if row["status"] == "closed" else None)


def _message(row: dict[str, Any]) -> m.Message:
    return m.Message(message_key=row["message_key"], direction=row["direction"], item_id=row["item_id"],
                     author_name=row["author_name"], text=row["text"], at=row["sort_at"], edited_at=row["edited_at"],
                     deleted_at=row["deleted_at"], url=row["url"], sentiment=row["sentiment"],
                     reply_id=row["reply_id"], state=row["state"], failure_reason=row["failure_reason"])


# --- operations -------------------------------------------------------------------------------------

@operation("GET", "/conversations", "List conversations, newest activity first", response=m.ConversationPage,
           query=m.ConversationQuery)
async def list_conversations(request: Request, caller: Caller, query: m.ConversationQuery) -> m.ConversationPage:
    filters = views.Filters(**query.model_dump(exclude={"limit"}))
    rows, cursor = await services(request).read(views.list_conversations, caller.scope, filters, limit=query.limit)
    return m.ConversationPage(items=[_conversation(r) for r in rows], next=cursor)


@operation("GET", "/conversations/{cid}", "One conversation", response=m.Conversation)
async def get_conversation(request: Request, caller: Caller, cid: str) -> m.Conversation:
    return _conversation(await services(request).read(views.conversation, caller.scope, cid))


async def _thread(request: Request, caller: Caller, cid: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    def load(conn):
        conv = views.conversation(conn, caller.scope, cid)
        return conv, views.thread(conn, cid)
    return await services(request).read(load)


@operation("GET", "/conversations/{cid}/messages", "The thread in order, with sentiment and reply states",
           response=list[m.Message])
async def list_messages(request: Request, caller: Caller, cid: str) -> list[m.Message]:
    _conv, thread = await _thread(request, caller, cid)
    return [_message(r) for r in thread]


@operation("GET", "/conversations/{cid}/replies", "Replies sent from Chorus and their states",
           response=list[m.Reply])
async def list_replies(request: Request, caller: Caller, cid: str) -> list[m.Reply]:
    _conv, thread = await _thread(request, caller, cid)
    return [m.Reply(reply_id=r["reply_id"], state=r["state"], text=r["reply_text"], url=r["url"],
                    failure_reason=r["failure_reason"]) for r in thread if r["is_reply"]]


@operation("POST", "/conversations/{cid}/replies", "Reply (to a comment, the post, or in the dialogue)",
           response=m.Reply, body=m.ReplyRequest, status=202)
async def create_reply(request: Request, caller: Caller, cid: str, body: m.ReplyRequest) -> m.Reply:
    svc = services(request)
    reply_id = body.reply_id or uuid.uuid4().hex

    def load(conn):
        conv = views.conversation(conn, caller.scope, cid)
        target = views.message(conn, cid, body.target_message) if body.target_message else None
        if body.target_message and target is None:
            raise NotFound("message")
        return conv, target, views.reply_exists(conn, reply_id)

    conv, target, exists = await svc.read(load)
    events = handlers.request_reply(conv, text=body.text, reply_id=reply_id, role=caller.role(conv["workspace_id"]),
                                    user_id=caller.user_id, target=target, already_requested=exists)
    await svc.append(events)
    return m.Reply(reply_id=reply_id, state="sending", text=body.text.strip())


async def _act(request: Request, caller: Caller, cid: str, build) -> m.Accepted:
    svc = services(request)

    def load(conn):
        conv = views.conversation(conn, caller.scope, cid)
        return conv, people.members_of(conn, conv["workspace_id"])

    conv, members = await svc.read(load)
    events = build(conv, members, caller.role(conv["workspace_id"]))
    await svc.append(events)
    return m.Accepted(appended=len(events))


@operation("POST", "/conversations/{cid}/assignment", "Assign to a teammate, or unassign", response=m.Accepted,
           body=m.AssignmentRequest)
async def assign(request: Request, caller: Caller, cid: str, body: m.AssignmentRequest) -> m.Accepted:
    return await _act(request, caller, cid, lambda conv, members, role: handlers.assign(
        conv, assignee_id=body.assignee_id, members={u.user_id: r for u, r in members if r != "viewer"}, role=role,
        user_id=caller.user_id))


@operation("POST", "/conversations/{cid}/close", "Close", response=m.Accepted)
async def close(request: Request, caller: Caller, cid: str) -> m.Accepted:
    return await _act(request, caller, cid, lambda conv, _m, role: handlers.close(conv, role=role,
                                                                                  user_id=caller.user_id))


@operation("POST", "/conversations/{cid}/reopen", "Reopen", response=m.Accepted)
async def reopen(request: Request, caller: Caller, cid: str) -> m.Accepted:
    return await _act(request, caller, cid, lambda conv, _m, role: handlers.reopen(conv, role=role,
                                                                                   user_id=caller.user_id))


@operation("POST", "/conversations/{cid}/tags", "Add and remove tags", response=m.Accepted, body=m.TagsRequest)
async def tag(request: Request, caller: Caller, cid: str, body: m.TagsRequest) -> m.Accepted:
    return await _act(request, caller, cid, lambda conv, _m, role: handlers.tag(
        conv, add=",".join(body.add), remove=",".join(body.remove), role=role, user_id=caller.user_id))


@operation("POST", "/conversations/{cid}/notes", "Add an internal note", response=m.Accepted, body=m.NoteRequest)
async def note(request: Request, caller: Caller, cid: str, body: m.NoteRequest) -> m.Accepted:
    return await _act(request, caller, cid, lambda conv, _m, role: handlers.note(conv, text=body.text, role=role,
                                                                                 user_id=caller.user_id))


@operation("GET", "/alerts", "Alerts of the caller's workspaces, newest first", response=list[m.Alert])
async def list_alerts(request: Request, caller: Caller) -> list[m.Alert]:
    rows = await services(request).read(health_views.alerts_of, caller.scope.workspaces)
    return [m.Alert(**{k: r[k] for k in m.Alert.model_fields}) for r in rows]


@operation("GET", "/accounts", "Connected accounts with token health, allowed features and the last gap",
           response=list[m.Account])
async def list_accounts(request: Request, caller: Caller) -> list[m.Account]:
    found = await services(request).read(health_views.accounts_of, caller.scope.workspaces)
    out = []
    for a in found:
        gap = m.Gap(**{k: a.last_gap[k] for k in m.Gap.model_fields}) if a.last_gap else None
        out.append(m.Account(**{k: a.row[k] for k in ("account_id", "workspace_id", "network", "name", "handle", "url",
                                                      "status", "status_reason")},
                             token_kinds=a.token_kinds, features=a.features, last_gap=gap))
    return out


async def openapi(request: Request) -> Response:
    from chorus.inbox.web.openapi import document

    return JSONResponse(document(OPERATIONS))


routes = [Route(op.path, _endpoint(op), methods=[op.method]) for op in OPERATIONS] + [
    Route("/api/openapi.json", openapi)]
