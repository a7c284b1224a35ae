"""What people do with posts, as plain functions: they get what they need by name and return the events to
append (the routes append them). Nothing here does I/O.

Roles: managers and admins compose; viewers read. When the workspace asks for approval, a manager's post
is kept as ``awaiting_approval`` (the inbox's own table) until an admin approves it, which schedules it with
``approved_by``, or rejects it with a comment; an admin's own post is scheduled at once, approved by them.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from chorus.events import PostCancelled, PostEdited, PostScheduled, derived_id
from chorus.events.values import MediaRef, PostTarget
from chorus.inbox.domain import Forbidden, InboxError, Role, require
from chorus.inbox.posts import compose, queue
from chorus.inbox.posts.compose import Composition, Context
from chorus.inbox.posts.recurrence import Recurrence, occurrence_post_id, occurrences
from chorus.inbox.posts.timing import parse_local, to_utc


@dataclass
class Plan:
    """What scheduling a composition comes to."""

    status: str  # scheduled | awaiting_approval | recurring
    events: list[PostScheduled] = field(default_factory=list)
    approved_by: str | None = None

    @property
    def post_ids(self) -> list[str]:
        return [e.post_id for e in self.events]


def route(role: str | None, approval_required: bool, user_id: str) -> str | None:
    """Who approves a post composed now: the admin themselves, nobody (not required), or ``"pending"``."""
    require(role, "compose")
    if not approval_required:
        return None
    return user_id if role == Role.ADMIN else "pending"


def _scheduled(comp: Composition, ctx: Context, post_id: str, at: datetime, *, user_id: str,
               approved_by: str | None, accounts: list[str] | None = None, strict: bool = True) -> PostScheduled:
    found = compose.targets(comp, ctx, post_id, accounts, strict=strict)
    return PostScheduled(event_id=derived_id(PostScheduled.type, post_id), workspace_id=ctx.workspace_id,
                         post_id=post_id, targets=found, publish_at=at, campaign=comp.campaign.strip() or None,
                         created_by=user_id, approved_by=approved_by)


def schedule(comp: Composition, ctx: Context, *, user_id: str, approved_by: str | None,
             slots: Mapping[str, Mapping[str, list[str]]], held: Mapping[str, set[datetime]]) -> Plan:
    """``PostScheduled`` for a post now, at a time, or in the accounts' queues (one post per free time)."""
    if not compose.POST_ID.match(comp.post_id):
        raise InboxError("bad_reply_id", "the form is stale; reload the page")
    compose.review(comp, ctx)  # what concerns every account is refused before any time is worked out
    if comp.mode == "now":
        return Plan("scheduled", [_scheduled(comp, ctx, comp.post_id, ctx.now, user_id=user_id,
                                             approved_by=approved_by)], approved_by)
    if comp.mode == "at":
        return Plan("scheduled", [_scheduled(comp, ctx, comp.post_id, compose.when(comp, ctx), user_id=user_id,
                                             approved_by=approved_by)], approved_by)
    if comp.mode != "queue":
        raise InboxError("post_bad_mode", "choose post now, schedule or queue")
    groups: dict[datetime, list[str]] = {}
    for account_id in comp.accounts:
        account_slots = slots.get(account_id) or {}
        if not any(account_slots.values()):
            raise InboxError("queue_empty", "the account has no queue times yet", account=ctx.accounts[account_id].label)
        free = queue.next_free(account_slots, ctx.tz, ctx.now, held.get(account_id, set()))
        if free is None:
            raise InboxError("queue_full", "no free queue time in the coming year",
                             account=ctx.accounts[account_id].label)
        groups.setdefault(free, []).append(account_id)
    events = []
    for n, (at, accounts) in enumerate(sorted(groups.items())):
        post_id = comp.post_id if n == 0 else derived_id("queued", comp.post_id, *sorted(accounts))
        events.append(_scheduled(comp, ctx, post_id, at, user_id=user_id, approved_by=approved_by,
                                 accounts=accounts))
    return Plan("scheduled", events, approved_by)


def start_series(comp: Composition, ctx: Context) -> Recurrence:
    """Check a recurring composition: its first time ahead, its rule, every account's text."""
    compose.when(comp, ctx)
    rule = compose.recurrence(comp)
    compose.targets(comp, ctx, comp.post_id)
    return rule


def occurrence_events(series: Mapping, ctx: Context, rule: Recurrence, until: datetime) -> list[PostScheduled]:
    """The series' occurrences not yet appended, up to ``until``, each one post with a derived id.

    Account statuses are not checked here: an account disconnected since the series began makes its
    occurrence fail visibly at the publisher (``permission_missing``) rather than vanish.
    """
    comp: Composition = series["comp"]
    after = series["appended_until"] or to_utc(rule.start, ctx.tz) - timedelta(seconds=1)
    out = []
    for day, at in occurrences(rule, ctx.tz, after, until):
        post_id = occurrence_post_id(series["series_id"], day)
        out.append(_scheduled(comp, ctx, post_id, at, user_id=series["created_by"],
                              approved_by=series["approved_by"], strict=False))
    return out


def _current_targets(post: Mapping) -> list[PostTarget]:
    return [PostTarget(account_id=t["account_id"], network=t["network"], text=t["text"] or "",
                       media=[MediaRef(**m) for m in t["media"]]) for t in post["targets"]
            if t["state"] != "cancelled"]


def _changeable(post: Mapping, role: str | None) -> None:
    require(role, "compose")
    if not post["can_change"]:
        raise InboxError("post_locked", "this post is already being sent or published; it can no longer change")


def move(post: Mapping, new_local: str, ctx: Context, *, role: str | None, user_id: str) -> PostEdited:
    """Reschedule (drag on the calendar): the same accounts and texts at a new time."""
    _changeable(post, role)
    at = to_utc(parse_local(new_local), ctx.tz)
    if at <= ctx.now:
        raise InboxError("post_in_past", "that time is in the past", time=new_local.replace("T", " ")[:16],
                         zone=ctx.tz.key)
    found = _current_targets(post)
    if not found:
        raise InboxError("post_locked", "this post has no account left to send to")
    return PostEdited(workspace_id=ctx.workspace_id, post_id=post["post_id"], targets=found, publish_at=at,
                      campaign=post["campaign"], edited_by=user_id)


def edit(post: Mapping, comp: Composition, ctx: Context, *, role: str | None, user_id: str) -> PostEdited:
    """Replace a scheduled post's accounts, texts, images and time (accounts left out are cancelled)."""
    _changeable(post, role)
    at = ctx.now if comp.mode == "now" else compose.when(comp, ctx)
    return PostEdited(workspace_id=ctx.workspace_id, post_id=post["post_id"], targets=compose.targets(
        comp, ctx, post["post_id"]), publish_at=at, campaign=comp.campaign.strip() or None, edited_by=user_id)


def cancel(post: Mapping, *, role: str | None, user_id: str) -> PostCancelled:
    require(role, "compose")
    if not post["can_cancel"]:
        raise InboxError("post_not_cancellable", "nothing of this post is waiting any more")
    return PostCancelled(event_id=derived_id(PostCancelled.type, post["post_id"]), workspace_id=post["workspace_id"],
                         post_id=post["post_id"], cancelled_by=user_id)


def approver(role: str | None) -> None:
    if role != Role.ADMIN:
        raise Forbidden("only an admin approves posts")


def composition_of(post: Mapping, tz, kept: Composition | None = None) -> Composition:
    """A composition that edits ``post``: what was composed for it (``kept``) when the composer made it,
    otherwise its accounts' texts as they are (the most common as the text, the others as variants); with the
    post's accounts, images and time as they are now."""
    live = [t for t in post["targets"] if t["state"] != "cancelled"]
    media = [m["media_id"] for m in (live[0]["media"] if live else [])]
    local = post["publish_at"].astimezone(tz).strftime("%Y-%m-%dT%H:%M:%S")
    accounts = [t["account_id"] for t in live]
    if kept is not None:
        return Composition.from_dict({**kept.__dict__, "accounts": accounts, "media": media, "mode": "at",
                                      "publish_at": local, "post_id": post["post_id"],
                                      "campaign": post["campaign"] or ""})
    texts = {t["account_id"]: t["text"] or "" for t in live}
    common = max(set(texts.values()), key=list(texts.values()).count) if texts else ""
    return Composition(accounts=accounts, text=common, media=media, campaign=post["campaign"] or "", utm="",
                       mode="at", publish_at=local, post_id=post["post_id"],
                       variants={f"acc:{a}": t for a, t in texts.items() if t != common})
