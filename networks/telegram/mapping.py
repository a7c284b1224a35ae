"""Bot API updates (raw JSON) as Chorus events.

What becomes what:

- a ``message`` in the channel's discussion group answering a post's automatic forward (directly, or by
  replying to a comment in that thread) is a ``CommentReceived``; its ``post_id`` is the channel post's
  ``message_id`` (from the forward's ``forward_origin``); ``edited_message`` there is ``CommentEdited``;
- a ``message`` in a private chat with the bot is a ``DirectMessageReceived`` (``dialogue_id`` = chat id);
- ``channel_post`` and the automatic forwards are the channel's own posts: no event, but they teach the
  reader which discussion thread belongs to which post, and give comments their ``post_text``;
- everything else (other groups, service messages, reactions...) is ignored. The Bot API sends no
  deletions, and edits of private messages have no event type, so neither becomes an event.

Ids: a comment is ``"<discussion chat id>_<message_id>"`` (message ids are per chat), a post is the channel
post's ``message_id``, a private message ``"<chat id>_<message_id>"``. A reply in a thread whose automatic
forward the reader never saw (older than the connection) gets ``post_id`` ``"thread-<thread id>"``.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from chorus.events import (
    CommentEdited,
    CommentReceived,
    DirectMessageReceived,
    Event,
    derived_id,
)
from chorus.events.values import Attachment, Author, Network

THREADS_KEPT = 2000
RAW_KEYS = ("message_id", "message_thread_id", "date", "edit_date", "media_group_id", "is_automatic_forward",
            "author_signature")


class Rejected(ValueError):
    """An update that cannot become an event (a required field missing or of the wrong type)."""


@dataclass
class Account:
    account_id: str
    workspace_id: str
    channel_id: int
    discussion_id: int | None
    channel_username: str | None = None
    #: Discussion thread (the automatic forward's message id) -> channel post id; persisted in the cursor.
    threads: OrderedDict[int, int] = field(default_factory=OrderedDict)
    post_texts: OrderedDict[int, str] = field(default_factory=OrderedDict)
    #: The highest message id seen per chat: where a read-back probe starts (see ``readback``).
    last_seen: dict[int, int] = field(default_factory=dict)

    def saw(self, chat_id: int, message_id: int) -> None:
        if message_id > self.last_seen.get(chat_id, 0):
            self.last_seen[chat_id] = message_id

    def learn_post(self, post_id: int, text: str) -> None:
        self.post_texts[post_id] = text
        self.post_texts.move_to_end(post_id)
        while len(self.post_texts) > THREADS_KEPT:
            self.post_texts.popitem(last=False)

    def learn_thread(self, thread_id: int, post_id: int) -> None:
        self.threads[thread_id] = post_id
        self.threads.move_to_end(thread_id)
        while len(self.threads) > THREADS_KEPT:
            self.threads.popitem(last=False)


def _int(obj: Any, key: str) -> int:
    value = obj.get(key) if isinstance(obj, dict) else None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Rejected(f"{key} is missing or not an integer")
    return value


def _obj(obj: Any, key: str) -> dict[str, Any]:
    value = obj.get(key) if isinstance(obj, dict) else None
    if not isinstance(value, dict):
        raise Rejected(f"{key} is missing or not an object")
    return value


def _when(unix: int) -> datetime:
    return datetime.fromtimestamp(unix, UTC)


def _text(message: dict[str, Any]) -> str:
    value = message.get("text", message.get("caption", ""))
    return value if isinstance(value, str) else ""


def author(message: dict[str, Any]) -> Author:
    chat = message.get("sender_chat")
    if isinstance(chat, dict) and isinstance(chat.get("id"), int):
        handle = chat.get("username") if isinstance(chat.get("username"), str) else None
        return Author(id=str(chat["id"]), name=str(chat.get("title", "")), handle=handle,
                      url=f"https://t.me/{handle}" if handle else None)
    user = _obj(message, "from")
    user_id = _int(user, "id")
    name = " ".join(str(user[k]) for k in ("first_name", "last_name") if isinstance(user.get(k), str))
    handle = user.get("username") if isinstance(user.get("username"), str) else None
    return Author(id=str(user_id), name=name, handle=handle, url=f"https://t.me/{handle}" if handle else None)


def attachments(message: dict[str, Any]) -> list[Attachment]:
    found = []
    caption = message.get("caption") if isinstance(message.get("caption"), str) else None
    if isinstance(message.get("photo"), list) and message["photo"]:
        found.append(Attachment(kind="photo", title=caption))
    for key, kind in (("video", "video"), ("animation", "video"), ("document", "document"), ("audio", "audio"),
                      ("voice", "audio"), ("sticker", "sticker")):
        if isinstance(message.get(key), dict):
            title = message[key].get("file_name") or message[key].get("title") or message[key].get("emoji")
            found.append(Attachment(kind=kind, title=title if isinstance(title, str) else None))
    return found


def _raw(message: dict[str, Any], **extra: Any) -> dict[str, Any]:
    raw = {k: message[k] for k in RAW_KEYS if k in message}
    for key in ("chat", "from", "sender_chat"):
        if isinstance(message.get(key), dict):
            raw[f"{key}_id"] = message[key].get("id")
    return {**raw, **extra}


def post_url(account: Account, post_id: int | str, comment: int | None = None) -> str | None:
    if not isinstance(post_id, int):
        return None
    base = (f"https://t.me/{account.channel_username}" if account.channel_username
            else f"https://t.me/c/{str(account.channel_id).removeprefix('-100')}")
    return f"{base}/{post_id}" + (f"?comment={comment}" if comment else "")


def _thread_post(account: Account, message: dict[str, Any]) -> tuple[int | str, int | None]:
    """(channel post id, parent comment message id) of a discussion group message."""
    replied = message.get("reply_to_message") if isinstance(message.get("reply_to_message"), dict) else None
    if replied and replied.get("is_automatic_forward"):
        origin = replied.get("forward_origin") if isinstance(replied.get("forward_origin"), dict) else {}
        post_id = origin.get("message_id")
        if isinstance(post_id, int) and isinstance(replied.get("message_id"), int):
            account.learn_thread(replied["message_id"], post_id)
            return post_id, None
    thread = message.get("message_thread_id")
    if not isinstance(thread, int) or isinstance(thread, bool):
        raise Rejected("a discussion message outside any post's thread")
    parent = replied.get("message_id") if replied and isinstance(replied.get("message_id"), int) else None
    return account.threads.get(thread, f"thread-{thread}"), parent if parent != thread else None


def comment_ref(account: Account, message_id: int) -> str:
    return f"{account.discussion_id}_{message_id}"


def comment_received(account: Account, message: dict[str, Any]) -> CommentReceived:
    number, date = _int(message, "message_id"), _int(message, "date")
    post_id, parent = _thread_post(account, message)
    who = author(message)
    ref = comment_ref(account, number)
    return CommentReceived(
        event_id=derived_id(account.account_id, CommentReceived.type, ref), occurred_at=_when(date),
        workspace_id=account.workspace_id, account_id=account.account_id, network=Network.TELEGRAM,
        comment_id=ref, post_id=str(post_id), parent_comment_id=comment_ref(account, parent) if parent else None,
        author=who, text=_text(message), created_at=_when(date), url=post_url(account, post_id, number),
        post_text=account.post_texts.get(post_id) if isinstance(post_id, int) else None,
        attachments=attachments(message), from_account=who.id == str(account.channel_id), raw=_raw(message))


def comment_edited(account: Account, message: dict[str, Any]) -> CommentEdited:
    number = _int(message, "message_id")
    edit_date = message.get("edit_date") if isinstance(message.get("edit_date"), int) else _int(message, "date")
    post_id, _ = _thread_post(account, message)
    ref = comment_ref(account, number)
    return CommentEdited(
        event_id=derived_id(account.account_id, CommentEdited.type, ref, edit_date), occurred_at=_when(edit_date),
        workspace_id=account.workspace_id, account_id=account.account_id, network=Network.TELEGRAM,
        comment_id=ref, post_id=str(post_id), text=_text(message), edited_at=_when(edit_date), raw=_raw(message))


def message_received(account: Account, message: dict[str, Any], chat_id: int) -> DirectMessageReceived:
    number, date = _int(message, "message_id"), _int(message, "date")
    ref = f"{chat_id}_{number}"
    return DirectMessageReceived(
        event_id=derived_id(account.account_id, DirectMessageReceived.type, ref), occurred_at=_when(date),
        workspace_id=account.workspace_id, account_id=account.account_id, network=Network.TELEGRAM,
        message_id=ref, dialogue_id=str(chat_id), author=author(message), text=_text(message),
        created_at=_when(date), attachments=attachments(message), raw=_raw(message))


def from_update(account: Account, update: dict[str, Any]) -> Event | None:
    """One update as an event; ``None`` for what Chorus does not read (see the module docstring)."""
    for kind in ("message", "edited_message", "channel_post", "edited_channel_post"):
        if kind in update:
            message = _obj(update, kind)
            break
    else:
        return None
    chat = _obj(message, "chat")
    chat_id = _int(chat, "id")
    if isinstance(message.get("message_id"), int):
        account.saw(chat_id, message["message_id"])
    if kind in ("channel_post", "edited_channel_post"):
        if chat_id == account.channel_id:
            account.learn_post(_int(message, "message_id"), _text(message))
        return None
    if chat.get("type") == "private":
        return message_received(account, message, chat_id) if kind == "message" else None
    if chat_id != account.discussion_id:
        return None
    if message.get("is_automatic_forward"):
        origin = message.get("forward_origin") if isinstance(message.get("forward_origin"), dict) else {}
        if isinstance(origin.get("message_id"), int):
            account.learn_thread(_int(message, "message_id"), origin["message_id"])
            account.learn_post(origin["message_id"], _text(message))
        return None
    if "message_thread_id" not in message and "reply_to_message" not in message:
        return None  # chatter in the discussion group, not a comment on a post
    return comment_received(account, message) if kind == "message" else comment_edited(account, message)
