"""Posts in the JSON API: create (schedule, queue, repeat, draft), list, get, edit, cancel, upload an image.

Declared with ``api.operation`` like the rest of ``/api/v1``, so they are in ``/api/openapi.json``; this module
builds their routes (``app.py`` mounts them after the conversation routes). The same checks and steps as
the composer (``posts_actions``); a post of a workspace the caller is not a member of is 404.
"""
from __future__ import annotations

import base64
import binascii
import uuid
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from chorus.inbox.domain import InboxError, NotFound, require
from chorus.inbox.posts import store, views
from chorus.inbox.posts.compose import Composition
from chorus.inbox.posts.handlers import composition_of
from chorus.inbox.web import api
from chorus.inbox.web import posts_actions as actions
from chorus.inbox.web import posts_api_models as m
from chorus.inbox.web.auth import Caller, services
from chorus.inbox.web.posts_common import member
from chorus.networks.media import CONTENT_TYPES, LARGEST, ImageFacts, sniff, upload_problem

_FIRST = len(api.OPERATIONS)


def _post(row: dict[str, Any], tz_name: str, tz) -> m.Post:
    targets = [m.Target(account_id=t["account_id"], account_name=t["account_name"], network=t["network"] or "",
                        state=t["state"], needs_person=t["needs_person"], text=t["text"],
                        media=[m.MediaOut(**{k: x.get(k, "") for k in ("media_id", "content_type", "size", "name")})
                               for x in t["media"]], url=t["url"], remote_id=t["remote_id"],
                        published_at=t["published_at"], failure=t["failure"], reason=t["reason"],
                        retry_at=t["retry_at"]) for t in row["targets"]]
    return m.Post(post_id=row["post_id"], workspace_id=row["workspace_id"], state=row["state"] or "scheduled",
                  publish_at=row["publish_at"], publish_at_local=row["publish_at"].astimezone(tz).strftime(
                      "%Y-%m-%dT%H:%M:%S"), time_zone=tz_name, campaign=row["campaign"], created_by=row["created_by"],
                  approved_by=row["approved_by"], cancelled_at=row["cancelled_at"], can_change=row["can_change"],
                  targets=targets)


async def _read_post(request: Request, caller: Caller, post_id: str) -> m.Post:
    def load(conn):
        ws = views.workspace_of(conn, post_id)
        if ws is None or caller.role(ws) is None:
            raise NotFound("post")
        settings = views.workspace(conn, ws)
        return views.post(conn, ws, post_id), settings

    row, settings = await services(request).read(load)
    return _post(row, settings["time_zone"], settings["tz"])


@api.operation("POST", "/posts", "Schedule a post (now, at a time, queued, repeating) or save it as a draft",
               response=m.PostCreated, body=m.PostCreate, status=202)
async def create_post(request: Request, caller: Caller, body: m.PostCreate) -> m.PostCreated:
    fields = body.model_dump(exclude={"workspace", "when"})
    fields["post_id"] = body.post_id or uuid.uuid4().hex
    comp = Composition.from_dict({**fields, "mode": body.when})
    if body.when == "draft":
        done = await actions.save_draft(request, caller, body.workspace, comp, None)
    else:
        done = await actions.submit(request, caller, body.workspace, comp)
    return m.PostCreated(status=done.status, post_ids=done.post_ids, draft_id=done.draft_id, series_id=done.series_id)


@api.operation("GET", "/posts", "Posts of a workspace in a period, in time order, with each account's state",
               response=list[m.Post], query=m.PostQuery)
async def list_posts(request: Request, caller: Caller, query: m.PostQuery) -> list[m.Post]:
    member(caller, query.workspace)
    svc = services(request)
    start = query.start or svc.clock() - timedelta(days=7)
    end = query.end or start + timedelta(days=35)

    def load(conn):
        return views.between(conn, query.workspace, start, end, state=query.state, limit=query.limit), \
            views.workspace(conn, query.workspace)

    rows, settings = await svc.read(load)
    return [_post(r, settings["time_zone"], settings["tz"]) for r in rows]


@api.operation("GET", "/posts/{post_id}", "One post with each account's state (published with its link, failed "
               "with the reason, ...)", response=m.Post)
async def get_post(request: Request, caller: Caller, post_id: str) -> m.Post:
    return await _read_post(request, caller, post_id)


@api.operation("PATCH", "/posts/{post_id}", "Change a post that has not started sending (texts, accounts, images, "
               "time)", response=m.Post, body=m.PostEdit)
async def edit_post(request: Request, caller: Caller, post_id: str, body: m.PostEdit) -> m.Post:
    def load(conn):
        ws = views.workspace_of(conn, post_id)
        if ws is None or caller.role(ws) is None:
            raise NotFound("post")
        return ws, views.post(conn, ws, post_id), views.workspace(conn, ws), store.composition(conn, ws, post_id)

    ws, row, settings, kept = await services(request).read(load)
    if not row["can_change"]:
        raise InboxError("post_locked", "the post is already being sent or published")
    comp = composition_of(row, settings["tz"], kept)
    changes = body.model_dump(exclude_none=True)
    if "text" in changes and "variants" not in changes and kept is None:
        changes["variants"] = {}  # a new common text replaces the per-account texts it came with
    comp = Composition.from_dict({**comp.__dict__, **changes})
    await actions.submit(request, caller, ws, comp, edit_post=post_id)
    return await _read_post(request, caller, post_id)


@api.operation("POST", "/posts/{post_id}/cancel", "Cancel what of a post has not started", response=m.Post)
async def cancel_post(request: Request, caller: Caller, post_id: str) -> m.Post:
    ws = await services(request).read(views.workspace_of, post_id)
    if ws is None or caller.role(ws) is None:
        raise NotFound("post")
    await actions.cancel(request, caller, ws, post_id)
    return await _read_post(request, caller, post_id)


@api.operation("POST", "/media", "Upload an image for posts (base64 in JSON); refer to it by `media_id`",
               response=m.MediaOut, body=m.MediaUpload, status=201)
async def upload_media(request: Request, caller: Caller, body: m.MediaUpload) -> m.MediaOut:
    require(member(caller, body.workspace), "compose")
    svc = services(request)
    if len(body.data_base64) > LARGEST * 4 // 3 + 8:
        raise InboxError("upload_too_big", "larger than any network takes", name=body.name, maximum=LARGEST >> 20)
    try:
        data = base64.b64decode(body.data_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InboxError("upload_not_image", "the data is not base64", name=body.name) from None
    facts = ImageFacts.of(body.name, CONTENT_TYPES.get(sniff(data) or "", "application/octet-stream"), data)
    problem = upload_problem(facts)
    if problem is not None:
        raise InboxError(problem.code, problem.message, **problem.params)
    if svc.posts is None:
        raise InboxError("no_media_store", "images cannot be stored by this inbox")
    media_id = uuid.uuid4().hex
    await svc.posts.media.put(media_id, data)
    await svc.write(store.add_upload, body.workspace, media_id, facts, caller.user_id, svc.clock())
    return m.MediaOut(media_id=media_id, content_type=facts.content_type, size=facts.size, name=facts.name)


routes = [Route(op.path, api._endpoint(op), methods=[op.method]) for op in api.OPERATIONS[_FIRST:]]
