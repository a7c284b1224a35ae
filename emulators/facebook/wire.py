"""Graph API wire format: ``fields`` selection, node objects, cursor paging, the error envelope, usage headers.

``fields`` takes Graph's syntax (``id,from{id,name},comments.limit(5){message}``); only the top-level
names are honoured (sub-selections and modifiers are accepted and ignored). Without ``fields`` each node
type answers Graph's default set. Errors are ``{"error": {message, type, code, error_subcode?,
fbtrace_id}}`` with HTTP 400 unless a fault says otherwise.
"""
from __future__ import annotations

import base64
import json
import secrets
from datetime import UTC, datetime
from typing import Any

from starlette.responses import JSONResponse

from chorus.emulators.facebook.world import Comment, Page, Photo, Post, World

PAGE_FIELDS = {"id", "name", "link", "username", "fan_count", "followers_count", "category", "about"}
POST_FIELDS = {"id", "message", "created_time", "updated_time", "permalink_url", "from", "is_published",
               "scheduled_publish_time", "full_picture", "status_type", "story", "attachments"}
COMMENT_FIELDS = {"id", "message", "created_time", "from", "parent", "attachment", "permalink_url", "is_hidden",
                  "can_comment", "comment_count", "like_count", "message_tags", "object"}
PHOTO_FIELDS = {"id", "created_time", "link", "name", "page_story_id"}
DEFAULTS = {"page": {"id", "name"}, "post": {"id", "message", "created_time"},
            "comment": {"id", "message", "created_time", "from"}, "photo": {"id", "created_time"}}
NODE_TYPES = {"page": "Page", "post": "PagePost", "comment": "Comment", "photo": "Photo"}


class GraphError(Exception):
    def __init__(self, code: int, message: str, *, subcode: int | None = None, status: int = 400,
                 kind: str = "OAuthException") -> None:
        super().__init__(message)
        self.code, self.subcode, self.status, self.kind = code, subcode, status, kind


def error_response(error: GraphError) -> JSONResponse:
    body: dict[str, Any] = {"message": str(error), "type": error.kind, "code": error.code}
    if error.subcode is not None:
        body["error_subcode"] = error.subcode
    body["fbtrace_id"] = "A" + secrets.token_urlsafe(10)
    return JSONResponse({"error": body}, status_code=error.status)


def unsupported(node: str, method: str = "get") -> GraphError:
    return GraphError(100, f"Unsupported {method} request. Object with ID '{node}' does not exist, cannot be loaded "
                           "due to missing permissions, or does not support this operation. Please read the Graph "
                           "API documentation at https://developers.facebook.com/docs/graph-api", subcode=33,
                      kind="GraphMethodException")


def requested_fields(raw: str | None, node_type: str, allowed: set[str]) -> set[str]:
    if raw is None or not raw.strip():
        return set(DEFAULTS[node_type])
    names, depth, current = [], 0, ""
    for char in raw:
        if char in "{(":
            depth += 1
        elif char in "})":
            depth -= 1
        if char == "," and depth == 0:
            names.append(current)
            current = ""
        else:
            current += char
    names.append(current)
    fields = set()
    for name in names:
        top = name.strip().split("{", 1)[0].split(".", 1)[0].strip()
        if not top:
            continue
        if top not in allowed:
            raise GraphError(100, f"(#100) Tried accessing nonexisting field ({top}) on node type "
                                  f"({NODE_TYPES[node_type]})")
        fields.add(top)
    return fields | {"id"}


def graph_time(unix: int) -> str:
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def page_json(page: Page, fields: set[str]) -> dict[str, Any]:
    values = {"id": page.id, "name": page.name, "link": page.link, "username": page.username or None,
              "fan_count": page.fan_count, "followers_count": page.followers_count, "category": page.category,
              "about": f"{page.name} official page"}
    return {k: v for k, v in values.items() if k in fields and v is not None}


def post_json(post: Post, fields: set[str], world: World) -> dict[str, Any]:
    values: dict[str, Any] = {"id": post.id, "created_time": graph_time(post.created),
                              "updated_time": graph_time(post.updated),
                              "permalink_url": f"https://www.facebook.com/{post.page_id}/posts/{post.local}",
                              "from": {"name": world.name_of(post.from_id), "id": post.from_id},
                              "is_published": post.published, "status_type": "mobile_status_update"}
    if post.message:
        values["message"] = post.message
    if post.scheduled_at is not None and not post.published:
        values["scheduled_publish_time"] = post.scheduled_at
    if post.photo_ids:
        values["full_picture"] = f"https://scontent.xx.fbcdn.net/v/emu_{post.photo_ids[0]}.jpg"
        values["status_type"] = "added_photos"
    return {k: v for k, v in values.items() if k in fields}


def comment_json(comment: Comment, fields: set[str], world: World) -> dict[str, Any]:
    if comment.raw is not None:
        return dict(comment.raw)
    post = world.posts[comment.post_id]
    values: dict[str, Any] = {
        "id": comment.id, "created_time": graph_time(comment.created),
        "from": {"name": world.name_of(comment.from_id), "id": comment.from_id},
        "permalink_url": f"https://www.facebook.com/{post.page_id}/posts/{post.local}?comment_id="
                         f"{comment.id.split('_')[-1]}",
        "is_hidden": comment.is_hidden, "can_comment": comment.parent_id is None,
        "comment_count": sum(1 for c in world.comments.values() if c.parent_id == comment.id and not c.deleted),
        "like_count": 0, "object": {"id": post.id, "created_time": graph_time(post.created)}}
    values["message"] = comment.message
    if comment.parent_id and comment.parent_id in world.comments:
        parent = world.comments[comment.parent_id]
        values["parent"] = {"created_time": graph_time(parent.created),
                            "from": {"name": world.name_of(parent.from_id), "id": parent.from_id},
                            "message": parent.message, "id": parent.id}
    if comment.attachment:
        values["attachment"] = comment.attachment
    return {k: v for k, v in values.items() if k in fields}


def photo_json(photo: Photo, fields: set[str]) -> dict[str, Any]:
    values = {"id": photo.id, "created_time": graph_time(photo.created),
              "link": f"https://www.facebook.com/photo/?fbid={photo.id}", "page_story_id": photo.post_id}
    return {k: v for k, v in values.items() if k in fields and v is not None}


def encode_cursor(key: tuple[Any, ...]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key), separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(value: str) -> tuple[Any, ...]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
        if not isinstance(raw, list):
            raise ValueError
        return tuple(raw)
    except (ValueError, TypeError):
        raise GraphError(100, "(#100) The parameter after or before is not a valid cursor") from None
