"""The Telegram emulator's control API (mounted at ``/_control/telegram/``): set up bots and channels, inject
posts, comments, edits and private messages, list what bots sent, arm faults. JSON in and out; see
``docs/emulators.md``.
"""
from __future__ import annotations

import random
from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute

from chorus.emulators.control import ControlError, control_route, fault_routes, need, read_json
from chorus.emulators.telegram.world import Bot, Chat, Message, World


class TelegramControl:
    def __init__(self, emulator: Any) -> None:
        self._emulator = emulator

    @property
    def world(self) -> World:
        return self._emulator.world

    def routes(self) -> list[BaseRoute]:
        ch = "/channels/{chat_id}"
        return [
            control_route("/", self.overview, ["GET"]),
            control_route("/reset", self.reset, ["POST"]),
            control_route("/channels", self.create_channel, ["POST"]),
            control_route(ch + "/posts", self.inject_post, ["POST"]),
            control_route(ch + "/comments", self.inject_comment, ["POST"]),
            control_route("/chats/{chat_id}", self.chat_state, ["GET"]),
            control_route("/chats/{chat_id}/messages/{message_id:int}/edit", self.edit, ["POST"]),
            control_route("/chats/{chat_id}/kick", self.kick, ["POST"]),
            control_route("/bots/{bot_id:int}/messages", self.inject_private, ["POST"]),
            control_route("/bots/{bot_id:int}/updates", self.pending_updates, ["GET"]),
            control_route("/bots/{bot_id:int}/updates/raw", self.inject_raw, ["POST"]),
            control_route("/bots/{bot_id:int}/blocked_by", self.block, ["POST"]),
            control_route("/tokens/revoke", self.revoke, ["POST"]),
            control_route("/sent", self.sent, ["GET"]),
            *fault_routes(self._emulator.faults, self._emulator.rate_limit, extra_keys=("retry_after", "description"),
                          check_error=_http_error_status),
        ]

    async def overview(self, _: Request) -> dict[str, Any]:
        return {"bots": [{"id": b.id, "username": b.username, "revoked": b.revoked} for b in self.world.bots.values()],
                "chats": [c.ref() for c in self.world.chats.values()], "sent": len(self.world.sent),
                "faults": self._emulator.faults.describe()}

    async def reset(self, _: Request) -> dict[str, Any]:
        self._emulator.reset()
        return {"reset": True}

    async def create_channel(self, request: Request) -> dict[str, Any]:
        data = await read_json(request)
        title = need(data, "title", str, "Channel")
        try:
            bot = self.world.add_bot(need(data, "bot_username", str, "chorus_test_bot"),
                                     need(data, "bot_name", str, "Chorus"), need(data, "bot_token", str, None))
            channel = self.world.add_channel(title, need(data, "username", str, None), bot,
                                             members_count=need(data, "members_count", int, 0),
                                             discussion=need(data, "discussion", bool, True))
        except ValueError as exc:
            raise ControlError(str(exc)) from None
        return {"channel_id": channel.id, "discussion_id": channel.linked_chat_id, "bot_id": bot.id,
                "bot_token": bot.token, "bot_username": bot.username}

    async def inject_post(self, request: Request) -> dict[str, Any]:
        channel = self._chat(request, "channel")
        post = self.world.channel_post(channel, text=need(await read_json(request), "text", str))
        forward = self.world.forward_of(channel, post.message_id)
        return {"message_id": post.message_id, "forward_message_id": forward.message_id if forward else None}

    async def inject_comment(self, request: Request) -> dict[str, Any]:
        channel = self._chat(request, "channel")
        data = await read_json(request)
        group = self.world.chats.get(channel.linked_chat_id) if channel.linked_chat_id else None
        if group is None:
            raise ControlError("this channel has no discussion group")
        target: Message | None
        if "reply_to" in data:
            target = group.messages.get(need(data, "reply_to", int))
        else:
            post_id = need(data, "post_id", int, 0) or max(
                (m.message_id for m in channel.messages.values()), default=0)
            target = self.world.forward_of(channel, post_id)
        if target is None:
            raise ControlError("no such post or comment to answer")
        message = self.world.group_message(group, self._user(data), need(data, "text", str), target)
        return {"chat_id": group.id, "message_id": message.message_id, "thread_id": message.thread_id}

    async def inject_private(self, request: Request) -> dict[str, Any]:
        bot = self._bot_by_id(request.path_params["bot_id"])
        data = await read_json(request)
        message = self.world.private_message(bot, self._user(data), need(data, "text", str))
        return {"chat_id": message.chat_id, "message_id": message.message_id}

    async def edit(self, request: Request) -> dict[str, Any]:
        chat = self._chat(request)
        message = chat.messages.get(request.path_params["message_id"])
        if message is None:
            raise ControlError("no such message")
        self.world.edit(chat, message, need(await read_json(request), "text", str))
        return {"message_id": message.message_id, "edit_date": message.edit_date}

    async def kick(self, request: Request) -> dict[str, Any]:
        chat = self._chat(request)
        bot_id = need(await read_json(request), "bot_id", int, 0) or next(iter(chat.bots), 0)
        chat.kicked.add(bot_id)
        return {"kicked": bot_id}

    async def block(self, request: Request) -> dict[str, Any]:
        bot = self._bot_by_id(request.path_params["bot_id"])
        user_id = need(await read_json(request), "user_id", int)
        self.world.blocked.add((bot.id, user_id))
        return {"blocked": user_id}

    async def chat_state(self, request: Request) -> dict[str, Any]:
        chat = self._chat(request)
        return {**chat.ref(), "linked_chat_id": chat.linked_chat_id,
                "messages": [self.world.render(m) for m in chat.messages.values()]}

    async def pending_updates(self, request: Request) -> dict[str, Any]:
        return {"updates": self._bot_by_id(request.path_params["bot_id"]).updates.pending()}

    async def inject_raw(self, request: Request) -> dict[str, Any]:
        """An update exactly as given (malformed ones too), to test how clients cope with what may arrive."""
        bot = self._bot_by_id(request.path_params["bot_id"])
        data = await read_json(request)
        update = bot.updates.add(need(data, "type", str), need(data, "object", (dict, list, str, int)))
        return {"update_id": update["update_id"]}

    async def revoke(self, request: Request) -> dict[str, Any]:
        bot = self._bot_by_id(need(await read_json(request), "bot_id", int))
        bot.revoked = True
        return {"revoked": bot.id}

    async def sent(self, request: Request) -> dict[str, Any]:
        chat_id = request.query_params.get("chat_id")
        return {"sent": [s for s in self.world.sent if chat_id in (None, str(s["chat_id"]))]}

    # --- helpers ----------------------------------------------------------------------------------
    def _chat(self, request: Request, kind: str | None = None) -> Chat:
        raw = request.path_params["chat_id"]
        chat = self.world.chats.get(int(raw)) if raw.lstrip("-").isdigit() else None
        if chat is None or (kind and chat.type != kind):
            raise ControlError(f"no {kind or 'chat'} {request.path_params['chat_id']}")
        return chat

    def _bot_by_id(self, bot_id: int) -> Bot:
        bot = self.world.bots.get(bot_id)
        if bot is None:
            raise ControlError(f"no bot {bot_id}")
        return bot

    def _user(self, data: dict[str, Any]) -> dict[str, Any]:
        sender = need(data, "from", dict, {})
        user_id = need(sender, "id", int, 0) or random.randint(10_000_000, 2_000_000_000)
        if user_id <= 0:
            raise ControlError("'from.id' must be a positive user id")
        return self.world.add_user(user_id, need(sender, "first_name", str, "User"),
                                   need(sender, "last_name", str, None), need(sender, "username", str, None))


def _http_error_status(error: Any) -> str | None:
    if isinstance(error, bool) or not isinstance(error, int) or not 400 <= error <= 599:
        return "'error' must be an HTTP error status the Bot API answers with (400-599)"
    return None
