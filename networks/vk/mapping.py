"""VK payloads (long poll / callback events, wall.getComments items, newsfeed.search posts) as Chorus events.

Ids, as the inbox stores them and builds links from them:

- post: ``"<owner_id>_<post_id>"``, VK's own notation (``-123_5`` is ``https://vk.com/wall-123_5``);
- comment: ``"<owner_id>_<post_id>_<comment_id>"`` (``-123_5_41``): VK numbers comments per wall, so the
  owner is needed to make it unique, and the post to build the link ``wall-123_5?reply=41``;
- message: the community's message ``id``; dialogue: the ``peer_id``;
- mention: the mentioning post, ``"<owner_id>_<post_id>"``.

The community's own comments (``from_id`` = minus the community id: a reply typed on VK, or Chorus's own
reply read back) are ``CommentReceived`` with ``from_account`` set. A restored comment is received again
(there is no "restored" event), with an event id of its own so it is not taken for a duplicate.

Event ids are derived from the account, the event type and that id (plus VK's ``event_id`` for edits,
deletions and restorations, which may happen many times to one comment), so a re-delivered event is
stored once. A payload missing what an event needs raises ``Rejected``; unknown fields are ignored.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from chorus.events import (
    CommentDeleted,
    CommentEdited,
    CommentReceived,
    DirectMessageReceived,
    Event,
    MentionFound,
    derived_id,
    utcnow,
)
from chorus.events.values import Attachment, Author, Network

VK = "https://vk.com"
RAW_COMMENT = ("id", "from_id", "owner_id", "post_id", "post_owner_id", "parents_stack", "reply_to_comment",
               "reply_to_user", "date", "deleted")
RAW_MESSAGE = ("id", "peer_id", "from_id", "date", "conversation_message_id", "reply_message", "random_id")
RAW_POST = ("id", "owner_id", "from_id", "date", "post_type", "signer_id")


class Rejected(ValueError):
    """A payload that cannot become an event (a required field missing or of the wrong type)."""


@dataclass
class Account:
    account_id: str
    workspace_id: str
    group_id: int
    #: Authors resolved by name (users.get / groups.getById), by VK id (negative for communities).
    names: dict[int, Author] = field(default_factory=dict)
    #: Post texts seen (wall_post_new, wall.get), to send along with their comments.
    post_texts: dict[str, str] = field(default_factory=dict)


def post_ref(owner_id: int, post_id: int) -> str:
    return f"{owner_id}_{post_id}"


def comment_ref(owner_id: int, post_id: int, comment_id: int) -> str:
    return f"{owner_id}_{post_id}_{comment_id}"


def parse_post_ref(value: str) -> tuple[int, int]:
    """``"-123_5"`` (or ``"wall-123_5"``) as ``(owner_id, post_id)``; ``ValueError`` otherwise."""
    owner, sep, post = value.removeprefix("wall").partition("_")
    if not sep:
        raise ValueError(f"not a VK post id (owner_post): {value!r}")
    return int(owner), int(post)


def parse_comment_ref(value: str) -> int:
    """The VK comment number of ``"-123_5_41"`` (or a bare ``"41"``)."""
    return int(value.rsplit("_", 1)[-1])


def _int(obj: dict[str, Any], key: str) -> int:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Rejected(f"{key} is missing or not an integer")
    return value


def _text(obj: dict[str, Any], key: str = "text") -> str:
    value = obj.get(key)
    if not isinstance(value, str):
        raise Rejected(f"{key} is missing or not a string")
    return value


def _when(unix: int) -> datetime:
    return datetime.fromtimestamp(unix, UTC)


def _raw(obj: dict[str, Any], keys: tuple[str, ...], **extra: Any) -> dict[str, Any]:
    return {**{k: obj[k] for k in keys if k in obj}, **extra}


def author(account: Account, vk_id: int) -> Author:
    known = account.names.get(vk_id)
    if known is not None:
        return known
    handle = f"id{vk_id}" if vk_id > 0 else f"club{-vk_id}"
    return Author(id=str(vk_id), handle=handle, url=f"{VK}/{handle}")


def attachments(items: Any) -> list[Attachment]:
    found = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            continue
        kind, body = item["type"], item.get(item["type"])
        body = body if isinstance(body, dict) else {}
        if kind == "photo":
            sizes = [s for s in body.get("sizes", []) if isinstance(s, dict) and s.get("url")]
            best = max(sizes, key=lambda s: s.get("width", 0) * s.get("height", 0), default=None)
            found.append(Attachment(kind="photo", url=best["url"] if best else None, title=body.get("text") or None))
        elif kind == "link":
            found.append(Attachment(kind="link", url=body.get("url"), title=body.get("title") or None))
        elif kind in ("video", "clip"):
            url = f"{VK}/video{body['owner_id']}_{body['id']}" if "owner_id" in body and "id" in body else None
            found.append(Attachment(kind="video", url=url, title=body.get("title") or None))
        elif kind == "doc":
            found.append(Attachment(kind="document", url=body.get("url"), title=body.get("title") or None))
        elif kind in ("sticker", "audio"):
            found.append(Attachment(kind=kind))
        else:
            found.append(Attachment(kind="other", title=kind))
    return found


def _comment_parts(obj: dict[str, Any]) -> tuple[int, int, int]:
    owner_id = obj.get("post_owner_id", obj.get("owner_id"))
    if isinstance(owner_id, bool) or not isinstance(owner_id, int):
        raise Rejected("owner_id / post_owner_id is missing or not an integer")
    return owner_id, _int(obj, "post_id"), _int(obj, "id")


def comment_url(owner_id: int, post_id: int, comment_id: int, thread: int | None) -> str:
    return f"{VK}/wall{owner_id}_{post_id}?reply={comment_id}" + (f"&thread={thread}" if thread else "")


def comment_received(account: Account, obj: dict[str, Any], *, restored_by: str | None = None) -> CommentReceived:
    """A comment (``wall_reply_new``/``_restore`` object or ``wall.getComments`` item) as ``CommentReceived``."""
    owner_id, post_id, number = _comment_parts(obj)
    from_id, text, date = _int(obj, "from_id"), _text(obj), _int(obj, "date")
    stack = obj.get("parents_stack") if isinstance(obj.get("parents_stack"), list) else []
    thread = stack[-1] if stack and isinstance(stack[-1], int) else None
    parent = obj.get("reply_to_comment")
    parent = parent if isinstance(parent, int) and not isinstance(parent, bool) else thread
    ref = comment_ref(owner_id, post_id, number)
    event_id = derived_id(account.account_id, CommentReceived.type, ref, *([restored_by] if restored_by else []))
    return CommentReceived(
        event_id=event_id, occurred_at=_when(date), workspace_id=account.workspace_id,
        account_id=account.account_id, network=Network.VK, comment_id=ref, post_id=post_ref(owner_id, post_id),
        parent_comment_id=comment_ref(owner_id, post_id, parent) if parent else None,
        author=author(account, from_id), text=text, created_at=_when(date),
        url=comment_url(owner_id, post_id, number, thread),
        post_text=account.post_texts.get(post_ref(owner_id, post_id)),
        attachments=attachments(obj.get("attachments")), from_account=from_id == -account.group_id,
        raw=_raw(obj, RAW_COMMENT, **({"restored_by_event": restored_by} if restored_by else {})))


def comment_edited(account: Account, obj: dict[str, Any], vk_event_id: str) -> CommentEdited:
    owner_id, post_id, number = _comment_parts(obj)
    ref = comment_ref(owner_id, post_id, number)
    now = utcnow()
    return CommentEdited(
        event_id=derived_id(account.account_id, CommentEdited.type, ref, vk_event_id), occurred_at=now,
        workspace_id=account.workspace_id, account_id=account.account_id, network=Network.VK, comment_id=ref,
        post_id=post_ref(owner_id, post_id), text=_text(obj), edited_at=now,
        raw=_raw(obj, RAW_COMMENT, event_id=vk_event_id))


def comment_deleted(account: Account, obj: dict[str, Any], vk_event_id: str) -> CommentDeleted:
    owner_id, post_id, number = _comment_parts(obj)
    ref = comment_ref(owner_id, post_id, number)
    deleter = obj.get("deleter_id", obj.get("user_id"))
    now = utcnow()
    return CommentDeleted(
        event_id=derived_id(account.account_id, CommentDeleted.type, ref, vk_event_id), occurred_at=now,
        workspace_id=account.workspace_id, account_id=account.account_id, network=Network.VK, comment_id=ref,
        post_id=post_ref(owner_id, post_id), deleted_at=now,
        deleted_by=str(deleter) if isinstance(deleter, int) and not isinstance(deleter, bool) else None)


def message_received(account: Account, message: dict[str, Any]) -> DirectMessageReceived:
    number, peer_id, from_id = _int(message, "id"), _int(message, "peer_id"), _int(message, "from_id")
    date = _int(message, "date")
    return DirectMessageReceived(
        event_id=derived_id(account.account_id, DirectMessageReceived.type, str(number)), occurred_at=_when(date),
        workspace_id=account.workspace_id, account_id=account.account_id, network=Network.VK,
        message_id=str(number), dialogue_id=str(peer_id), author=author(account, from_id), text=_text(message),
        created_at=_when(date), attachments=attachments(message.get("attachments")), raw=_raw(message, RAW_MESSAGE))


def mention_found(account: Account, post: dict[str, Any], query: str) -> MentionFound:
    owner_id, number, date = _int(post, "owner_id"), _int(post, "id"), _int(post, "date")
    from_id = post.get("from_id") if isinstance(post.get("from_id"), int) else owner_id
    ref = post_ref(owner_id, number)
    return MentionFound(
        event_id=derived_id(account.account_id, MentionFound.type, ref), occurred_at=_when(date),
        workspace_id=account.workspace_id, account_id=account.account_id, network=Network.VK, mention_id=ref,
        author=author(account, from_id), text=_text(post), created_at=_when(date), url=f"{VK}/wall{ref}",
        query=query, raw=_raw(post, RAW_POST))


def from_update(account: Account, update: dict[str, Any]) -> Event | None:
    """One long poll / callback update as an event; ``None`` for types Chorus does not read."""
    kind, obj, vk_event_id = update.get("type"), update.get("object"), update.get("event_id")
    if not isinstance(obj, dict):
        raise Rejected("object is missing")
    if not isinstance(vk_event_id, str) or not vk_event_id:
        raise Rejected("event_id is missing")
    if kind == "wall_reply_new":
        return comment_received(account, obj)
    if kind == "wall_reply_restore":
        return comment_received(account, obj, restored_by=vk_event_id)
    if kind == "wall_reply_edit":
        return comment_edited(account, obj, vk_event_id)
    if kind == "wall_reply_delete":
        return comment_deleted(account, obj, vk_event_id)
    if kind == "message_new":
        message = obj.get("message")
        if not isinstance(message, dict):
            raise Rejected("message is missing")
        return message_received(account, message)
    if kind == "wall_post_new":
        # Not inbound traffic: kept only so comments on the post carry its text.
        account.post_texts[post_ref(_int(obj, "owner_id"), _int(obj, "id"))] = _text(obj)
    return None


def author_ids(updates: list[dict[str, Any]]) -> set[int]:
    """VK ids of everyone who wrote something in these updates (to resolve their names in one call)."""
    found = set()
    for update in updates:
        obj = update.get("object") if isinstance(update, dict) else None
        if isinstance(obj, dict):
            body = obj.get("message") if isinstance(obj.get("message"), dict) else obj
            if isinstance(body.get("from_id"), int) and not isinstance(body.get("from_id"), bool):
                found.add(body["from_id"])
    return found
