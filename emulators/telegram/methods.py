"""The Bot API methods the emulator implements, registered in ``METHODS`` by name.

Handlers are ``async (ctx) -> result``; they raise ``TelegramError`` with the status and description the
real Bot API gives for the same mistake (``chat not found``, ``message to be replied not found``, ``bot
was kicked``, ``message is not modified``...).
"""
from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from chorus.emulators.telegram.errors import TelegramError, bad_request
from chorus.emulators.telegram.objects import chat_full_info, photo_sizes
from chorus.emulators.telegram.params import Params, Upload
from chorus.emulators.telegram.updates import Conflict
from chorus.emulators.telegram.world import Bot, Chat, Message, World

MAX_TEXT = 4096
MAX_CAPTION = 1024


@dataclass
class Ctx:
    world: World
    bot: Bot
    params: Params


Handler = Callable[[Ctx], Awaitable[Any]]
METHODS: dict[str, Handler] = {}


def method(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        METHODS[name] = handler
        return handler

    return register


def _chat(ctx: Ctx, *, writing: bool = False) -> Chat:
    raw = ctx.params.text("chat_id")
    if raw.startswith("@"):
        chat = next((c for c in ctx.world.chats.values() if c.username and f"@{c.username}" == raw), None)
    else:
        chat = ctx.world.chats.get(ctx.params.int("chat_id"))
    if chat is None:
        if writing and not raw.startswith("@") and ctx.params.int("chat_id") in ctx.world.users:
            # a person the bot has seen (in a group) but who never opened a chat with it
            raise TelegramError(403, "Forbidden: bot can't initiate conversation with a user")
        raise bad_request("chat not found")
    bot_id = ctx.bot.id
    if bot_id in chat.kicked:
        kind = "channel" if chat.type == "channel" else "supergroup" if chat.type == "supergroup" else "group"
        raise TelegramError(403, f"Forbidden: bot was kicked from the {kind} chat")
    if chat.type == "private":
        if (bot_id, chat.id) in ctx.world.blocked:
            raise TelegramError(403, "Forbidden: bot was blocked by the user")
        if writing and (bot_id, chat.id) not in ctx.world.started:
            raise TelegramError(403, "Forbidden: bot can't initiate conversation with a user")
    elif bot_id not in chat.bots:
        raise bad_request("chat not found")
    return chat


def _text(ctx: Ctx, name: str, limit: int, *, required: bool) -> str | None:
    if not ctx.params.has(name):
        if required:
            raise bad_request("message text is empty")
        return None
    text = ctx.params.text(name)
    mode = ctx.params.raw.get("parse_mode")
    if mode == "HTML":
        if text.count("<") != text.count(">"):
            raise bad_request("can't parse entities: unclosed start tag")
        text = html.unescape(re.sub(r"<[^>]*>", "", text))
    elif mode not in (None, "", "MarkdownV2", "Markdown"):
        raise bad_request(f"unsupported parse_mode \"{mode}\"")
    if not text.strip():
        raise bad_request("message text is empty")
    if len(text) > limit:
        raise bad_request("message is too long" if name == "text" else "message caption is too long")
    return text


def _reply_target(ctx: Ctx, chat: Chat) -> Message | None:
    reply = ctx.params.obj("reply_parameters")
    target_id = reply.get("message_id") if reply else ctx.params.raw.get("reply_to_message_id")
    if target_id in (None, ""):
        return None
    try:
        target = chat.messages.get(int(target_id))
    except (TypeError, ValueError):
        raise bad_request("field \"message_id\" must be of type Integer") from None
    if target is None:
        if reply and reply.get("allow_sending_without_reply"):
            return None
        raise bad_request("message to be replied not found")
    return target


def _send(ctx: Ctx, chat: Chat, **content: Any) -> dict[str, Any]:
    if chat.type == "channel":
        post = ctx.world.channel_post(chat, by_bot=ctx.bot, **content)
        message = post
    else:
        target = _reply_target(ctx, chat)
        thread = (target.thread_id or (target.message_id if chat.type == "supergroup" else None)) if target else None
        message = ctx.world.store(chat, sender=ctx.bot.user(), reply_to=target.message_id if target else None,
                                  thread_id=thread, bot_id=ctx.bot.id, reply_markup=ctx.params.obj("reply_markup"),
                                  **content)
    rendered = ctx.world.render(message)
    ctx.world.sent.append({"method": "sendPhoto" if content.get("photo") else "sendMessage", "bot_id": ctx.bot.id,
                           "chat_id": chat.id, "message_id": message.message_id,
                           "text": content.get("text") or content.get("caption"), "reply_to": message.reply_to,
                           "at": message.date})
    return rendered


@method("getMe")
async def get_me(ctx: Ctx) -> dict[str, Any]:
    return {**ctx.bot.user(), "can_join_groups": True, "can_read_all_group_messages": True,
            "supports_inline_queries": False, "can_connect_to_business": False, "has_main_web_app": False}


@method("getChat")
async def get_chat(ctx: Ctx) -> dict[str, Any]:
    return chat_full_info(_chat(ctx))


@method("getChatMemberCount")
async def get_chat_member_count(ctx: Ctx) -> int:
    chat = _chat(ctx)
    return 2 if chat.type == "private" else chat.members_count


@method("sendMessage")
async def send_message(ctx: Ctx) -> dict[str, Any]:
    chat = _chat(ctx, writing=True)
    return _send(ctx, chat, text=_text(ctx, "text", MAX_TEXT, required=True))


@method("sendPhoto")
async def send_photo(ctx: Ctx) -> dict[str, Any]:
    chat = _chat(ctx, writing=True)
    photo = ctx.params.raw.get("photo")
    if isinstance(photo, str) and photo.startswith("attach://"):  # the file travels in its own multipart field
        photo = ctx.params.raw.get(photo.removeprefix("attach://"))
    if isinstance(photo, Upload):
        if not photo.data:
            raise bad_request("file must be non-empty")
        data = photo.data
    elif isinstance(photo, str) and photo in ctx.world.files:
        data = ctx.world.files[photo]
    else:
        raise bad_request("wrong remote file identifier specified: Wrong string length" if isinstance(photo, str)
                          else "there is no photo in the request")
    digest = hashlib.sha1(data).hexdigest()
    file_id = f"AgAC{digest[:40]}"
    ctx.world.files[file_id] = data
    sizes = photo_sizes(file_id, f"AQAD{digest[:12]}", len(data))
    return _send(ctx, chat, photo=sizes, caption=_text(ctx, "caption", MAX_CAPTION, required=False))


@method("editMessageText")
async def edit_message_text(ctx: Ctx) -> dict[str, Any]:
    chat = _chat(ctx)
    message = chat.messages.get(ctx.params.int("message_id"))
    if message is None:
        raise bad_request("message to edit not found")
    if message.bot_id != ctx.bot.id or message.text is None:
        raise bad_request("message can't be edited")
    text = _text(ctx, "text", MAX_TEXT, required=True)
    if text == message.text and not ctx.params.has("reply_markup"):
        raise bad_request("message is not modified: specified new message content and reply markup are exactly "
                          "the same as a current content and reply markup of the message")
    ctx.world.edit(chat, message, text or "")
    return ctx.world.render(message)


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(ctx: Ctx) -> dict[str, Any]:
    chat = _chat(ctx)
    message = chat.messages.get(ctx.params.int("message_id"))
    if message is None:
        raise bad_request("message to edit not found")
    if message.bot_id != ctx.bot.id:
        raise bad_request("message can't be edited")
    markup = ctx.params.obj("reply_markup")
    if markup == message.reply_markup or (not markup and not message.reply_markup):
        raise bad_request("message is not modified: specified new message content and reply markup are exactly "
                          "the same as a current content and reply markup of the message")
    message.reply_markup = markup or None
    message.edit_date = ctx.world.now()
    return ctx.world.render(message)


@method("getUpdates")
async def get_updates(ctx: Ctx) -> list[dict[str, Any]]:
    allowed = ctx.params.raw.get("allowed_updates")
    if allowed is not None and not (isinstance(allowed, list) and all(isinstance(a, str) for a in allowed)):
        raise bad_request("field \"allowed_updates\" must be an Array of String")
    try:
        return await ctx.bot.updates.get(ctx.params.int("offset", 0) or None, ctx.params.int("limit", 100),
                                         ctx.params.int("timeout", 0), allowed)
    except Conflict:
        raise TelegramError(409) from None


@method("deleteWebhook")
async def delete_webhook(ctx: Ctx) -> bool:
    if ctx.params.raw.get("drop_pending_updates") in (True, "true", "True", "1"):
        ctx.bot.updates.confirm(ctx.bot.updates.next_id)
    return True


@method("getWebhookInfo")
async def get_webhook_info(ctx: Ctx) -> dict[str, Any]:
    return {"url": "", "has_custom_certificate": False, "pending_update_count": len(ctx.bot.updates.pending())}
