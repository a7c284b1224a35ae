"""The Telegram emulator's state: bots, channels with their linked discussion groups, private chats, updates.

What a bot sees follows the Bot API: a channel's posts reach its admin bots as ``channel_post``; each post
is forwarded automatically into the linked discussion group (``is_automatic_forward``, from the service
user 777000), and comments there are group ``message``s in that forward's thread. A bot never receives its
own messages, but it does receive the automatic forward of a post it made in the channel. Simplifications:
privacy mode is off (bots see every group message), one discussion group per channel, photos only.
"""
from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from chorus.emulators.telegram.objects import message_object
from chorus.emulators.telegram.updates import UpdateQueue

SERVICE_USER = {"id": 777000, "is_bot": False, "first_name": "Telegram"}


@dataclass
class Bot:
    id: int
    username: str
    first_name: str
    token: str
    revoked: bool = False
    updates: UpdateQueue = field(default_factory=UpdateQueue)

    def user(self) -> dict[str, Any]:
        return {"id": self.id, "is_bot": True, "first_name": self.first_name, "username": self.username}


@dataclass
class Message:
    chat_id: int
    message_id: int
    date: int
    text: str | None = None
    caption: str | None = None
    photo: list[dict[str, Any]] | None = None
    sender: dict[str, Any] | None = None  # the User in "from"
    sender_chat: dict[str, Any] | None = None
    reply_to: int | None = None
    thread_id: int | None = None
    forward_origin: dict[str, Any] | None = None
    automatic_forward: bool = False
    edit_date: int | None = None
    reply_markup: dict[str, Any] | None = None
    #: The bot that sent it, if one did (only that bot may edit it).
    bot_id: int | None = None


@dataclass
class Chat:
    id: int
    type: str  # channel | supergroup | private
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    linked_chat_id: int | None = None
    members_count: int = 0
    #: Bots in the chat (as administrators for channels and groups).
    bots: set[int] = field(default_factory=set)
    kicked: set[int] = field(default_factory=set)
    messages: dict[int, Message] = field(default_factory=dict)
    next_message_id: int = 1

    def ref(self) -> dict[str, Any]:
        """The chat as a ``Chat`` object inside messages."""
        obj: dict[str, Any] = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            if getattr(self, key):
                obj[key] = getattr(self, key)
        return obj


class World:
    def __init__(self) -> None:
        self.clock_offset = 0
        self.bots: dict[int, Bot] = {}
        self.chats: dict[int, Chat] = {}
        self.users: dict[int, dict[str, Any]] = {}
        #: Private chats a user has started with a bot: {(bot id, user id)}; blocked ones too.
        self.started: set[tuple[int, int]] = set()
        self.blocked: set[tuple[int, int]] = set()
        self.files: dict[str, bytes] = {}
        self.sent: list[dict[str, Any]] = []
        self._next_chat = 1_000_000_000

    def now(self) -> int:
        return int(time.time()) + self.clock_offset

    # --- setup -----------------------------------------------------------------------------------
    def add_bot(self, username: str, first_name: str, token: str | None = None, bot_id: int | None = None) -> Bot:
        bot_id = bot_id or 7_000_000_000 + len(self.bots) + 1
        token = token or f"{bot_id}:{secrets.token_urlsafe(26)[:35]}"
        if any(b.token == token for b in self.bots.values()) or bot_id in self.bots:
            raise ValueError("that bot token or id is already in use")
        if not token.startswith(f"{bot_id}:"):
            raise ValueError("a bot token starts with the bot's id and a colon")
        bot = Bot(bot_id, username, first_name, token)
        self.bots[bot_id] = bot
        return bot

    def add_channel(self, title: str, username: str | None, bot: Bot, *, members_count: int = 0,
                    discussion: bool = True, chat_id: int | None = None) -> Chat:
        channel = Chat(chat_id or self._new_supergroup_id(), "channel", title, username, members_count=members_count)
        channel.bots.add(bot.id)
        self.chats[channel.id] = channel
        if discussion:
            group = Chat(self._new_supergroup_id(), "supergroup", f"{title} Chat", members_count=members_count // 10)
            group.bots.add(bot.id)
            group.linked_chat_id, channel.linked_chat_id = channel.id, group.id
            self.chats[group.id] = group
        return channel

    def _new_supergroup_id(self) -> int:
        self._next_chat += 1
        return -(1_000_000_000_000 + self._next_chat)

    def add_user(self, user_id: int, first_name: str, last_name: str | None = None,
                 username: str | None = None) -> dict[str, Any]:
        user = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        self.users[user_id] = user
        return user

    def private_chat(self, user: dict[str, Any]) -> Chat:
        chat = self.chats.get(user["id"])
        if chat is None:
            chat = Chat(user["id"], "private", first_name=user["first_name"], last_name=user.get("last_name"),
                        username=user.get("username"))
            self.chats[chat.id] = chat
        return chat

    # --- messages ---------------------------------------------------------------------------------
    def store(self, chat: Chat, **fields: Any) -> Message:
        message = Message(chat.id, chat.next_message_id, self.now(), **fields)
        chat.next_message_id += 1
        chat.messages[message.message_id] = message
        return message

    def render(self, message: Message) -> dict[str, Any]:
        chat = self.chats[message.chat_id]
        replied = chat.messages.get(message.reply_to) if message.reply_to else None
        return message_object(message, chat.ref(), message_object(replied, chat.ref()) if replied else None)

    def deliver(self, chat: Chat, kind: str, message: Message, *, skip_bot: int | None = None) -> None:
        """Queue ``kind`` (message, channel_post, edited_...) for every bot in the chat but ``skip_bot``."""
        rendered = self.render(message)
        for bot_id in chat.bots - chat.kicked:
            if bot_id != skip_bot and bot_id in self.bots:
                self.bots[bot_id].updates.add(kind, rendered)

    def channel_post(self, channel: Chat, *, text: str | None = None, caption: str | None = None,
                     photo: list[dict[str, Any]] | None = None, by_bot: Bot | None = None) -> Message:
        """A post in the channel and its automatic forward into the discussion group."""
        post = self.store(channel, text=text, caption=caption, photo=photo, sender_chat=channel.ref(),
                          bot_id=by_bot.id if by_bot else None)
        self.deliver(channel, "channel_post", post, skip_bot=by_bot.id if by_bot else None)
        group = self.chats.get(channel.linked_chat_id) if channel.linked_chat_id else None
        if group is not None:
            forward = self.store(group, text=text, caption=caption, photo=photo, sender=SERVICE_USER,
                                 sender_chat=channel.ref(), automatic_forward=True,
                                 forward_origin={"type": "channel", "chat": channel.ref(),
                                                 "message_id": post.message_id, "date": post.date})
            self.deliver(group, "message", forward)
        return post

    def forward_of(self, channel: Chat, post_id: int) -> Message | None:
        """The discussion group's automatic forward of channel post ``post_id``."""
        group = self.chats.get(channel.linked_chat_id) if channel.linked_chat_id else None
        for message in group.messages.values() if group else []:
            if message.automatic_forward and (message.forward_origin or {}).get("message_id") == post_id:
                return message
        return None

    def group_message(self, group: Chat, user: dict[str, Any], text: str, reply_to: Message) -> Message:
        """A comment: a message in the discussion group, in the thread of the post it answers."""
        thread = reply_to.thread_id or reply_to.message_id
        message = self.store(group, text=text, sender=user, reply_to=reply_to.message_id, thread_id=thread)
        self.deliver(group, "message", message)
        return message

    def private_message(self, bot: Bot, user: dict[str, Any], text: str) -> Message:
        chat = self.private_chat(user)
        chat.bots.add(bot.id)
        self.started.add((bot.id, user["id"]))
        message = self.store(chat, text=text, sender=user)
        self.deliver(chat, "message", message)
        return message

    def edit(self, chat: Chat, message: Message, text: str) -> None:
        if message.text is not None:
            message.text = text
        else:
            message.caption = text
        message.edit_date = self.now()
        self.deliver(chat, "edited_channel_post" if chat.type == "channel" else "edited_message", message,
                     skip_bot=message.bot_id)
