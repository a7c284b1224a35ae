"""The Telegram emulator's state rendered as Bot API objects (the shapes ``api.json`` describes)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chorus.emulators.telegram.world import Chat, Message


def message_object(message: Message, chat: dict[str, Any], replied: dict[str, Any] | None = None) -> dict[str, Any]:
    obj: dict[str, Any] = {"message_id": message.message_id, "date": message.date, "chat": chat}
    if message.sender is not None:
        obj["from"] = message.sender
    if message.sender_chat is not None:
        obj["sender_chat"] = message.sender_chat
    if message.thread_id is not None:
        obj["message_thread_id"] = message.thread_id
    if message.automatic_forward:
        obj["is_automatic_forward"] = True
    if message.forward_origin is not None:
        obj["forward_origin"] = message.forward_origin
    if replied is not None:
        obj["reply_to_message"] = replied
    if message.edit_date is not None:
        obj["edit_date"] = message.edit_date
    if message.text is not None:
        obj["text"] = message.text
    if message.photo is not None:
        obj["photo"] = message.photo
    if message.caption is not None:
        obj["caption"] = message.caption
    if message.reply_markup is not None:
        obj["reply_markup"] = message.reply_markup
    return obj


def chat_full_info(chat: Chat) -> dict[str, Any]:
    obj: dict[str, Any] = {**chat.ref(), "accent_color_id": abs(chat.id) % 7, "max_reaction_count": 11,
                           "accepted_gift_types": {"unlimited_gifts": False, "limited_gifts": False,
                                                   "unique_gifts": False, "premium_subscription": False,
                                                   "gifts_from_channels": False}}
    if chat.linked_chat_id is not None:
        obj["linked_chat_id"] = chat.linked_chat_id
    if chat.type != "private":
        obj["description"] = f"{chat.title} — official"
    return obj


def photo_sizes(file_id: str, unique_id: str, size: int) -> list[dict[str, Any]]:
    return [{"file_id": f"{file_id}-s", "file_unique_id": f"{unique_id}s", "width": 90, "height": 90,
             "file_size": min(size, 1500)},
            {"file_id": file_id, "file_unique_id": unique_id, "width": 800, "height": 800, "file_size": size}]
