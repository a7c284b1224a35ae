"""Graph API comments as Chorus events.

A comment needs ``id`` and ``created_time``; anything else may be missing: ``message`` (a photo-only
comment) gives an empty text, and ``from`` (Facebook hides the author from tokens without moderation
rights on the post) gives an author with an empty id. ``parent`` (sent with ``filter=stream``) is the
comment a reply answers. Edits and deletions are found by the feed reader (see ``reader.py``).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chorus.events import (
    Attachment,
    Author,
    CommentDeleted,
    CommentEdited,
    CommentReceived,
    Network,
    derived_id,
)

COMMENT_FIELDS = "id,message,created_time,from,parent,attachment,permalink_url,is_hidden"
_ATTACHMENT_KINDS = {"photo": "photo", "sticker": "sticker", "animated_image_share": "photo",
                     "animated_image_video": "video", "video_inline": "video", "video_share_youtube": "video",
                     "share": "link", "link": "link"}


class Malformed(ValueError):
    pass


@dataclass(frozen=True)
class Context:
    workspace_id: str
    account_id: str
    page_id: str


def parse_time(value: Any) -> datetime:
    """Graph time (``2025-01-01T10:00:00+0000``)."""
    if not isinstance(value, str):
        raise Malformed("a comment needs 'created_time'")
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise Malformed(f"unreadable time {value[:40]!r}") from None
        if parsed.tzinfo is None:
            raise Malformed("a time without a time zone")
        return parsed


def comment_key(item: dict[str, Any]) -> tuple[int, int, str]:
    """Sort key of a comment: creation second, then id (ids of equal length compare as numbers)."""
    comment_id = item.get("id")
    if not isinstance(comment_id, str) or not comment_id:
        raise Malformed("a comment needs a string 'id'")
    return int(parse_time(item.get("created_time")).timestamp()), len(comment_id), comment_id


def fingerprint(message: Any) -> str:
    return hashlib.sha1(str(message or "").encode()).hexdigest()[:8]


def received(item: dict[str, Any], post: dict[str, Any], ctx: Context) -> CommentReceived:
    comment_id = item.get("id")
    if not isinstance(comment_id, str) or not comment_id:
        raise Malformed("a comment needs a string 'id'")
    created = parse_time(item.get("created_time"))
    sender = item.get("from") if isinstance(item.get("from"), dict) else {}
    parent = item.get("parent") if isinstance(item.get("parent"), dict) else {}
    message = item.get("message")
    post_message = post.get("message")
    author_id = sender.get("id")
    return CommentReceived(
        event_id=derived_id("facebook", ctx.account_id, CommentReceived.type, comment_id),
        workspace_id=ctx.workspace_id, occurred_at=created, account_id=ctx.account_id, network=Network.FACEBOOK,
        comment_id=comment_id, post_id=str(post["id"]),
        parent_comment_id=parent.get("id") if isinstance(parent.get("id"), str) else None,
        author=Author(id=author_id if isinstance(author_id, str) else "",
                      name=sender.get("name") if isinstance(sender.get("name"), str) else "",
                      url=f"https://www.facebook.com/{author_id}" if isinstance(author_id, str) else None),
        text=message if isinstance(message, str) else "", created_at=created,
        url=item.get("permalink_url") if isinstance(item.get("permalink_url"), str)
        else f"https://www.facebook.com/{comment_id}",
        post_text=post_message if isinstance(post_message, str) else None,
        attachments=_attachments(item.get("attachment")),
        raw={"post_id": post["id"], "parent_id": parent.get("id"), "is_hidden": item.get("is_hidden"),
             "from_page": author_id == ctx.page_id})


def edited(item: dict[str, Any], post_id: str, ctx: Context, now: datetime) -> CommentEdited:
    message = item.get("message") if isinstance(item.get("message"), str) else ""
    return CommentEdited(
        event_id=derived_id("facebook", ctx.account_id, CommentEdited.type, item["id"], fingerprint(message)),
        workspace_id=ctx.workspace_id, occurred_at=now, account_id=ctx.account_id, network=Network.FACEBOOK,
        comment_id=item["id"], post_id=post_id, text=message, edited_at=now, raw={"detected": "re-read"})


def deleted(comment_id: str, post_id: str, ctx: Context, now: datetime) -> CommentDeleted:
    return CommentDeleted(
        event_id=derived_id("facebook", ctx.account_id, CommentDeleted.type, comment_id),
        workspace_id=ctx.workspace_id, occurred_at=now, account_id=ctx.account_id, network=Network.FACEBOOK,
        comment_id=comment_id, post_id=post_id, deleted_at=now)


def _attachments(value: Any) -> list[Attachment]:
    if not isinstance(value, dict):
        return []
    media = value.get("media") if isinstance(value.get("media"), dict) else {}
    image = media.get("image") if isinstance(media.get("image"), dict) else {}
    target = value.get("target") if isinstance(value.get("target"), dict) else {}
    url = image.get("src") or value.get("url") or target.get("url")
    title = value.get("title") or value.get("description")
    return [Attachment(kind=_ATTACHMENT_KINDS.get(value.get("type"), "other"),
                       url=url if isinstance(url, str) else None, title=title if isinstance(title, str) else None)]
