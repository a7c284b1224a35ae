"""Scheduling, editing, approving, moving and cancelling posts: the steps the pages and the API share.

Each loads what the handler needs (off the event loop), calls the pure handler, appends the events and
waits briefly until the read model shows them, so the page the person lands on already has the post.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from starlette.requests import Request

from chorus.events import derived_id
from chorus.inbox.domain import InboxError, require
from chorus.inbox.posts import compose, context, handlers, store, views
from chorus.inbox.posts.compose import Composition
from chorus.inbox.posts.recurrence import occurrence_post_id, occurrences
from chorus.inbox.posts.tables import posts
from chorus.inbox.views import utc
from chorus.inbox.web.auth import Caller, services
from chorus.inbox.web.posts_common import member, wait_for


@dataclass
class Done:
    status: str  # draft | awaiting_approval | scheduled | edited | recurring
    post_ids: list[str] = field(default_factory=list)
    draft_id: str | None = None
    series_id: str | None = None


def _version_at_least(conn, post_id: str, at) -> bool:
    row = conn.execute(posts.select().with_only_columns(posts.c.version_at).where(posts.c.post_id == post_id)).first()
    return row is not None and row.version_at is not None and utc(row.version_at) >= at


async def save_draft(request: Request, caller: Caller, ws: str, comp: Composition, draft_id: str | None) -> Done:
    require(member(caller, ws), "compose")
    svc = services(request)
    found = await svc.write(store.save_draft, ws, comp, user_id=caller.user_id, at=svc.clock(),
                            draft_id=draft_id or None)
    return Done("draft", draft_id=found)


async def submit(request: Request, caller: Caller, ws: str, comp: Composition, *, draft_id: str | None = None,
                 edit_post: str | None = None) -> Done:
    """Schedule (or submit for approval) what was composed; an edit when ``edit_post`` names a post."""
    svc = services(request)
    role = member(caller, ws)
    require(role, "compose")
    now = svc.clock()
    if edit_post:
        def load_edit(conn):
            return views.post(conn, ws, edit_post), context.load(conn, ws, comp, now)
        post, ctx = await svc.read(load_edit)
        event = handlers.edit(post, comp, ctx, role=role, user_id=caller.user_id)
        await svc.append([event])
        await svc.write(store.keep_composition, ws, edit_post, comp)
        await wait_for(request, _version_at_least, edit_post, event.occurred_at)
        return Done("edited", [edit_post])

    def load(conn):
        draft = store.draft(conn, ws, draft_id) if draft_id else None
        return (views.workspace(conn, ws), context.load(conn, ws, comp, now), draft,
                store.slots_of(conn, ws), views.held(conn, list(comp.accounts), now), views.exists(conn, comp.post_id))

    settings, ctx, draft, slots, held, exists = await svc.read(load)
    approved_by = handlers.route(role, settings["approval_required"], caller.user_id)
    if draft is not None and draft["status"] == "awaiting_approval" and role == "admin":
        approved_by = caller.user_id  # an admin scheduling a post that waits for approval approves it
    if approved_by == "pending":
        _check_for_approval(comp, ctx, slots)
        found = await svc.write(store.save_draft, ws, comp, user_id=caller.user_id, at=now, draft_id=draft_id,
                                status="awaiting_approval")
        return Done("awaiting_approval", draft_id=found)
    if comp.mode == "recurring":
        return await _start_series(request, caller, ws, comp, ctx, approved_by, draft_id)
    if exists:  # the same form sent twice: it is scheduled already
        return Done("scheduled", [comp.post_id])
    plan = handlers.schedule(comp, ctx, user_id=caller.user_id, approved_by=approved_by, slots=slots, held=held)
    await svc.append(plan.events)

    def keep(conn):
        for event in plan.events:
            mine = [t.account_id for t in event.targets]
            store.keep_composition(conn, ws, event.post_id, Composition.from_dict({**comp.__dict__, "accounts": mine}))
    await svc.write(keep)
    if draft_id:
        await svc.write(store.delete_draft, ws, draft_id)
    await wait_for(request, views.exists, plan.post_ids[0])
    return Done("scheduled", plan.post_ids)


def _check_for_approval(comp: Composition, ctx, slots) -> None:
    """What an admin would be refused is refused now, so the post they receive can be approved."""
    if comp.mode not in ("now", "at", "queue", "recurring"):
        raise InboxError("post_bad_mode", "choose post now, schedule, queue or repeat")
    compose.targets(comp, ctx, comp.post_id)
    if comp.mode == "queue":
        for account_id in comp.accounts:
            if not any((slots.get(account_id) or {}).values()):
                raise InboxError("queue_empty", "the account has no queue times yet",
                                 account=ctx.accounts[account_id].label)
    if comp.mode in ("at", "recurring"):
        compose.when(comp, ctx)
    if comp.mode == "recurring":
        compose.recurrence(comp)


async def _start_series(request: Request, caller: Caller, ws: str, comp: Composition, ctx, approved_by,
                        draft_id: str | None) -> Done:
    svc = services(request)
    handlers.start_series(comp, ctx)
    series_id = derived_id("series", comp.post_id)[:32]
    await svc.write(store.add_series, ws, series_id, comp, user_id=caller.user_id, approved_by=approved_by,
                    at=svc.clock())
    if draft_id:
        await svc.write(store.delete_draft, ws, draft_id)
    if svc.posts is not None:
        await svc.posts.recurring.tick(series_id)
    return Done("recurring", series_id=series_id)


async def approve(request: Request, caller: Caller, ws: str, draft_id: str) -> Done:
    handlers.approver(member(caller, ws))
    draft = await services(request).read(store.draft, ws, draft_id)
    if draft["status"] != "awaiting_approval":
        raise InboxError("not_awaiting", "this post is not waiting for approval")
    return await submit(request, caller, ws, draft["comp"], draft_id=draft_id)


async def move(request: Request, caller: Caller, ws: str, post_id: str, local: str) -> str:
    svc = services(request)
    role = member(caller, ws)
    now = svc.clock()

    def load(conn):
        return views.post(conn, ws, post_id), context.load(conn, ws, None, now)

    post, ctx = await svc.read(load)
    event = handlers.move(post, local, ctx, role=role, user_id=caller.user_id)
    await svc.append([event])
    await wait_for(request, _version_at_least, post_id, event.occurred_at)
    return event.publish_at.isoformat()


async def cancel(request: Request, caller: Caller, ws: str, post_id: str) -> None:
    svc = services(request)
    role = member(caller, ws)
    post = await svc.read(views.post, ws, post_id)
    await svc.append([handlers.cancel(post, role=role, user_id=caller.user_id)])
    await wait_for(request, lambda conn: views.post(conn, ws, post_id)["cancelled_at"] is not None)


async def stop_series(request: Request, caller: Caller, ws: str, series_id: str) -> int:
    """Stop a series and cancel its occurrences already scheduled that have not started."""
    svc = services(request)
    role = member(caller, ws)
    require(role, "compose")
    now = svc.clock()
    await svc.write(store.stop_series, ws, series_id, user_id=caller.user_id, at=now)

    def waiting(conn):
        item = store.one_series(conn, ws, series_id)
        if item["appended_until"] is None:
            return []
        tz = views.workspace(conn, ws)["tz"]
        days = occurrences(compose.recurrence(item["comp"]), tz, now - timedelta(days=1), item["appended_until"])
        found = [views.post(conn, ws, pid) for pid in (occurrence_post_id(series_id, d) for d, _ in days)
                 if views.exists(conn, pid)]
        return [p for p in found if p["can_cancel"]]

    found = await svc.read(waiting)
    events = [handlers.cancel(p, role=role, user_id=caller.user_id) for p in found]
    await svc.append(events)
    return len(events)
