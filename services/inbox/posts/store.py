"""The inbox's own tables for posts: drafts and approvals, uploads, queue times, UTM presets, series.

Functions take a connection (``Services.read``/``write`` run them off the event loop) and the workspace,
and look rows up by both, so an id of another workspace is ``NotFound`` like one that does not exist.
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.engine import Connection

from chorus.backbone.db import upsert
from chorus.inbox.domain import InboxError, NotFound
from chorus.inbox.posts.compose import Composition, Upload
from chorus.inbox.posts.tables import compositions, drafts, media, own, queue_slots, series, utm_presets
from chorus.inbox.views import utc
from chorus.networks.media import ImageFacts
from chorus.networks.utm import DEFAULT_PRESET, UtmError, UtmPreset


def create_tables(engine: Engine) -> None:
    own.create_all(engine)


def _dict(row: Any) -> dict[str, Any]:
    out = dict(row._mapping)
    return {k: utc(v) if isinstance(v, datetime) else v for k, v in out.items()}


# --- uploads ----------------------------------------------------------------------------------------

def add_upload(conn: Connection, workspace_id: str, media_id: str, facts: ImageFacts, user_id: str,
               at: datetime) -> None:
    conn.execute(media.insert().values(
        media_id=media_id, workspace_id=workspace_id, name=facts.name[:200], content_type=facts.content_type,
        size=facts.size, format=facts.format, width=facts.width, height=facts.height, uploaded_by=user_id,
        uploaded_at=at))


def uploads(conn: Connection, workspace_id: str, media_ids: list[str]) -> dict[str, Upload]:
    if not media_ids:
        return {}
    rows = conn.execute(select(media).where(media.c.workspace_id == workspace_id, media.c.media_id.in_(media_ids)))
    return {r.media_id: Upload(r.media_id, ImageFacts(name=r.name, content_type=r.content_type, size=r.size,
                                                     format=r.format, width=r.width, height=r.height))
            for r in rows}


def upload(conn: Connection, workspace_id: str, media_id: str) -> dict[str, Any]:
    row = conn.execute(select(media).where(media.c.workspace_id == workspace_id,
                                           media.c.media_id == media_id)).first()
    if row is None:
        raise NotFound("media")
    return _dict(row)


# --- drafts and approvals ---------------------------------------------------------------------------

def save_draft(conn: Connection, workspace_id: str, comp: Composition, *, user_id: str, at: datetime,
               draft_id: str | None = None, status: str = "draft") -> str:
    """Create or update a draft (or a post awaiting approval); returns its id."""
    if draft_id:
        current = draft(conn, workspace_id, draft_id)
        values: dict[str, Any] = {"composition": comp.to_json(), "status": status, "updated_at": at}
        if status == "awaiting_approval":
            values |= {"submitted_by": user_id, "submitted_at": at}
        if current["status"] == "rejected" and status != "rejected":
            values |= {"review_comment": None, "reviewed_by": None, "reviewed_at": None}
        conn.execute(update(drafts).where(drafts.c.draft_id == draft_id).values(**values))
        return draft_id
    draft_id = uuid.uuid4().hex
    conn.execute(drafts.insert().values(
        draft_id=draft_id, workspace_id=workspace_id, status=status, composition=comp.to_json(), created_by=user_id,
        updated_at=at, submitted_by=user_id if status == "awaiting_approval" else None,
        submitted_at=at if status == "awaiting_approval" else None))
    return draft_id


def draft(conn: Connection, workspace_id: str, draft_id: str) -> dict[str, Any]:
    row = conn.execute(select(drafts).where(drafts.c.workspace_id == workspace_id,
                                            drafts.c.draft_id == draft_id)).first()
    if row is None:
        raise NotFound("draft")
    found = _dict(row)
    found["comp"] = Composition.from_json(found["composition"])
    return found


def drafts_of(conn: Connection, workspace_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(select(drafts).where(drafts.c.workspace_id == workspace_id)
                        .order_by(drafts.c.updated_at.desc()).limit(500))
    out = []
    for row in rows:
        found = _dict(row)
        found["comp"] = Composition.from_json(found["composition"])
        out.append(found)
    return out


def delete_draft(conn: Connection, workspace_id: str, draft_id: str) -> None:
    draft(conn, workspace_id, draft_id)
    conn.execute(delete(drafts).where(drafts.c.draft_id == draft_id))


def reject(conn: Connection, workspace_id: str, draft_id: str, *, comment: str, user_id: str, at: datetime) -> None:
    found = draft(conn, workspace_id, draft_id)
    if found["status"] != "awaiting_approval":
        raise InboxError("not_awaiting", "this post is not waiting for approval")
    comment = comment.strip()
    if not comment:
        raise InboxError("reject_comment", "say what to change: the comment is sent back with the post")
    conn.execute(update(drafts).where(drafts.c.draft_id == draft_id).values(
        status="rejected", review_comment=comment[:2000], reviewed_by=user_id, reviewed_at=at, updated_at=at))


def awaiting_count(conn: Connection, workspace_id: str) -> int:
    rows = conn.execute(select(drafts.c.draft_id).where(drafts.c.workspace_id == workspace_id,
                                                        drafts.c.status == "awaiting_approval"))
    return len(rows.all())


# --- queue times ------------------------------------------------------------------------------------

def slots_of(conn: Connection, workspace_id: str) -> dict[str, dict[str, list[str]]]:
    rows = conn.execute(select(queue_slots.c.account_id, queue_slots.c.slots)
                        .where(queue_slots.c.workspace_id == workspace_id))
    return {r.account_id: json.loads(r.slots) for r in rows}


def set_slots(conn: Connection, workspace_id: str, account_id: str, slots: dict[str, list[str]], *, user_id: str,
              at: datetime) -> None:
    upsert(conn, queue_slots, {"account_id": account_id, "workspace_id": workspace_id, "slots": json.dumps(slots),
                               "updated_by": user_id, "updated_at": at}, ["account_id"])


# --- UTM presets ------------------------------------------------------------------------------------

def presets_of(conn: Connection, workspace_id: str) -> list[tuple[str, UtmPreset, bool]]:
    """The workspace's presets (id, preset, is default); the built-in one when it has none."""
    rows = conn.execute(select(utm_presets).where(utm_presets.c.workspace_id == workspace_id)
                        .order_by(utm_presets.c.preset_id))
    found = [(r.preset_id, UtmPreset.from_dict(json.loads(r.payload)), bool(r.is_default)) for r in rows]
    if not found:
        return [("default", DEFAULT_PRESET, True)]
    if not any(d for _, _, d in found):
        first_id, first, _ = found[0]
        found[0] = (first_id, first, True)
    return found


def preset_for(conn: Connection, workspace_id: str, choice: str) -> UtmPreset | None:
    """The preset a composition names: "" is no tagging, "default" the workspace's default one."""
    if not choice:
        return None
    presets = presets_of(conn, workspace_id)
    for preset_id, preset, is_default in presets:
        if preset_id == choice or (choice == "default" and is_default):
            return preset
    raise InboxError("post_bad_preset", "the UTM preset no longer exists: choose another")


def save_preset(conn: Connection, workspace_id: str, data: dict[str, Any], *, preset_id: str | None, default: bool,
                user_id: str, at: datetime) -> str:
    try:
        preset = UtmPreset.from_dict(data)
    except UtmError as exc:
        raise InboxError("bad_preset", str(exc), detail=str(exc)) from None
    preset_id = preset_id or uuid.uuid4().hex[:12]
    if default:
        conn.execute(update(utm_presets).where(utm_presets.c.workspace_id == workspace_id).values(is_default=False))
    upsert(conn, utm_presets, {"workspace_id": workspace_id, "preset_id": preset_id,
                               "payload": json.dumps(preset.to_dict(), ensure_ascii=False), "is_default": default,
                               "updated_by": user_id, "updated_at": at}, ["workspace_id", "preset_id"])
    return preset_id


def delete_preset(conn: Connection, workspace_id: str, preset_id: str) -> None:
    gone = conn.execute(delete(utm_presets).where(utm_presets.c.workspace_id == workspace_id,
                                                  utm_presets.c.preset_id == preset_id)).rowcount
    if not gone:
        raise NotFound("preset")


# --- recurring series -------------------------------------------------------------------------------

def add_series(conn: Connection, workspace_id: str, series_id: str, comp: Composition, *, user_id: str,
               approved_by: str | None, at: datetime) -> None:
    rule = comp.freq, comp.publish_at.strip().replace(" ", "T")[:19], comp.until.strip()[:10] or None
    upsert(conn, series, {"series_id": series_id, "workspace_id": workspace_id, "composition": comp.to_json(),
                          "freq": rule[0], "start_local": rule[1], "until_local": rule[2], "created_by": user_id,
                          "approved_by": approved_by, "created_at": at}, ["series_id"])


def series_of(conn: Connection, workspace_id: str | None = None, *, active: bool = False) -> list[dict[str, Any]]:
    query = select(series).order_by(series.c.created_at)
    if workspace_id is not None:
        query = query.where(series.c.workspace_id == workspace_id)
    if active:
        query = query.where(series.c.stopped_at.is_(None))
    return [_dict(r) | {"comp": Composition.from_json(r.composition)} for r in conn.execute(query)]


def one_series(conn: Connection, workspace_id: str, series_id: str) -> dict[str, Any]:
    found = [s for s in series_of(conn, workspace_id) if s["series_id"] == series_id]
    if not found:
        raise NotFound("series")
    return found[0]


def appended(conn: Connection, series_id: str, until: datetime) -> None:
    conn.execute(update(series).where(series.c.series_id == series_id).values(appended_until=until))


def stop_series(conn: Connection, workspace_id: str, series_id: str, *, user_id: str, at: datetime) -> None:
    one_series(conn, workspace_id, series_id)
    conn.execute(update(series).where(series.c.series_id == series_id, series.c.stopped_at.is_(None))
                 .values(stopped_at=at, stopped_by=user_id))


# --- what was composed for a scheduled post ---------------------------------------------------------

def keep_composition(conn: Connection, workspace_id: str, post_id: str, comp: Composition) -> None:
    upsert(conn, compositions, {"post_id": post_id, "workspace_id": workspace_id, "composition": comp.to_json()},
           ["post_id"])


def composition(conn: Connection, workspace_id: str, post_id: str) -> Composition | None:
    row = conn.execute(select(compositions.c.composition).where(compositions.c.workspace_id == workspace_id,
                                                                 compositions.c.post_id == post_id)).first()
    return Composition.from_json(row.composition) if row else None
