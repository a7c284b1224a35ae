"""A connected Telegram channel (through its bot): verification, the updates reader, writes with read-back.

Credentials: ``external_id`` is the channel's chat id; the token kind is ``bot``; ``settings`` may carry
``channel_id``, ``discussion_id`` (the linked discussion group, where comments live) and ``channel_username``
(for ``t.me/<username>/<post>`` links). Without them ``verify()`` reads them from the channel
(``linked_chat_id``, ``username``); links fall back to ``t.me/c/<id>/<post>``, which works for members.

What the Bot API cannot do, and what the adapter does instead: no history (``backfill`` reports the period
as a ``Gap``), no scheduled sends (``publish_post`` with a future time is refused: the publisher schedules),
one photo per post here (albums are ``sendMediaGroup``, not used), no idempotency key (``readback``).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aiogram.methods import GetChat, GetChatMemberCount, GetMe, SendMessage, SendPhoto
from aiogram.types import BufferedInputFile, ReplyParameters

from chorus.events import utcnow
from chorus.events.values import Network
from chorus.networks.base import (
    AccountProfile,
    Batch,
    Endpoints,
    Gap,
    Media,
    Reader,
    Sent,
    Stats,
    Target,
)
from chorus.networks.credentials import Credentials
from chorus.networks.errors import ContentRejected, NetworkError, OutcomeUnknown, PermissionMissing
from chorus.networks.telegram.features import features_for
from chorus.networks.telegram.mapping import Account, post_url
from chorus.networks.telegram.readback import Journal, probe
from chorus.networks.telegram.transport import DEFAULT_TIMEOUT, TelegramTransport
from chorus.networks.telegram.updates import SOURCE, UpdatesReader

MAX_CAPTION = 1024
#: A publish time closer than this counts as "now".
NOW_MARGIN = timedelta(minutes=1)


def _chat_id(value: Any, name: str) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise ValueError(f"a Telegram {name} must be a numeric chat id, not {value!r}") from None


class TelegramClient:
    """The ``AccountClient`` of one Telegram channel (see ``chorus.networks.base``)."""

    network = Network.TELEGRAM

    def __init__(self, credentials: Credentials, endpoints: Endpoints, *, timeout: float = DEFAULT_TIMEOUT,
                 poll_wait: int = 25) -> None:
        self.account_id = credentials.account_id
        token = credentials.token("bot")
        if not token:
            raise ValueError("a Telegram account needs a bot token (kind 'bot')")
        settings = credentials.settings or {}
        channel_id = _chat_id(settings.get("channel_id", credentials.external_id), "channel_id")
        discussion = settings.get("discussion_id")
        self._account = Account(credentials.account_id, credentials.workspace_id, channel_id,
                                _chat_id(discussion, "discussion_id") if discussion not in (None, "") else None,
                                channel_username=settings.get("channel_username") or None)
        self._transport = TelegramTransport(token, endpoints.telegram, timeout=timeout)
        self._journal = Journal()
        self._wait = poll_wait

    async def verify(self) -> AccountProfile:
        me = await self._transport.call(GetMe())
        channel = await self._transport.call(GetChat(chat_id=self._account.channel_id))
        if channel.type != "channel":
            raise PermissionMissing(f"Telegram: chat {self._account.channel_id} is a {channel.type}, not a channel",
                                    code="not_a_channel")
        if self._account.discussion_id is None and channel.linked_chat_id:
            self._account.discussion_id = channel.linked_chat_id
        if self._account.discussion_id is not None:
            await self._transport.call(GetChat(chat_id=self._account.discussion_id))  # the bot must be in it
        self._account.channel_username = channel.username
        followers = await self._transport.call(GetChatMemberCount(chat_id=self._account.channel_id))
        features = features_for(discussion=self._account.discussion_id is not None,
                                reads_groups=bool(me.can_read_all_group_messages))
        return AccountProfile(network=Network.TELEGRAM, external_id=str(self._account.channel_id),
                              name=channel.title or "", handle=channel.username,
                              url=f"https://t.me/{channel.username}" if channel.username else None,
                              token_kinds=["bot"], features=features, followers=followers,
                              settings={k: v for k, v in (("discussion_id", self._account.discussion_id),
                                                          ("channel_username", channel.username)) if v})

    def readers(self, keywords: list[str]) -> list[Reader]:
        # The Bot API has no public search: brand keywords cannot be monitored through a bot.
        return [UpdatesReader(self._transport, self._account, wait=self._wait)]

    async def backfill(self, since: datetime) -> Batch:
        now = utcnow()
        return Batch(gap=Gap(source=SOURCE, gap_from=since, gap_to=now,
                             reason="the Telegram Bot API keeps no readable history: what was not delivered as "
                                    "an update cannot be fetched"))

    async def stats(self) -> Stats:
        return Stats(followers=await self._transport.call(GetChatMemberCount(chat_id=self._account.channel_id)))

    # --- writes -----------------------------------------------------------------------------------
    async def reply_to_comment(self, post_id: str, comment_id: str | None, text: str, key: str) -> Sent:
        group = self._account.discussion_id
        if group is None:
            raise PermissionMissing("Telegram: the channel has no discussion group to comment in", code="no_group")
        target = self._reply_target(post_id, comment_id)
        sent = await self._settled(key)
        if sent is not None:
            return sent
        attempt, message = await self._attempt(
            key, group, max(target, self._account.last_seen.get(group, 0)),
            SendMessage(chat_id=group, text=text, reply_parameters=ReplyParameters(message_id=target)))
        result = Sent(remote_id=f"{group}_{message.message_id}", published_at=message.date,
                      url=post_url(self._account, int(post_id) if post_id.isdigit() else post_id, message.message_id))
        self._journal.succeeded(attempt, message.message_id, result)
        return result

    def _reply_target(self, post_id: str, comment_id: str | None) -> int:
        if comment_id:
            tail = comment_id.rsplit("_", 1)[-1]
            if not tail.isdigit():
                raise ContentRejected(f"Telegram: not a comment id: {comment_id!r}", code="bad_target")
            return int(tail)
        forward = next((t for t, p in self._account.threads.items() if str(p) == post_id), None)
        if forward is None:
            raise ContentRejected("Telegram: a reply needs the comment it answers (the post's discussion "
                                  "thread is not known to this client)", code="bad_target")
        return forward

    async def send_message(self, dialogue_id: str, text: str, key: str) -> Sent:
        try:
            chat_id = _chat_id(dialogue_id, "dialogue id")
        except ValueError as problem:
            raise ContentRejected(str(problem), code="bad_target") from None
        sent = await self._settled(key)
        if sent is not None:
            return sent
        attempt, message = await self._attempt(key, chat_id, self._anchor(chat_id),
                                               SendMessage(chat_id=chat_id, text=text))
        result = Sent(remote_id=f"{chat_id}_{message.message_id}", published_at=message.date)
        self._journal.succeeded(attempt, message.message_id, result)
        return result

    async def publish_post(self, text: str, media: list[Media], publish_at: datetime | None, key: str) -> Sent:
        if publish_at is not None and publish_at - utcnow() > NOW_MARGIN:
            raise ContentRejected("Telegram bots cannot schedule posts; send it at its time", code="no_scheduling")
        if len(media) > 1:
            raise ContentRejected("Telegram: this adapter sends at most one photo per post", code="too_many_media")
        if media and len(text) > MAX_CAPTION:
            raise ContentRejected(f"Telegram: a photo caption is at most {MAX_CAPTION} characters",
                                  code="caption_too_long")
        sent = await self._settled(key)
        if sent is not None:
            return sent
        channel = self._account.channel_id
        if media:
            photo = BufferedInputFile(media[0].data, filename=media[0].name)
            method = SendPhoto(chat_id=channel, photo=photo, caption=text or None)
        else:
            method = SendMessage(chat_id=channel, text=text)
        attempt, message = await self._attempt(key, channel, self._anchor(channel), method)
        result = Sent(remote_id=str(message.message_id), url=post_url(self._account, message.message_id),
                      published_at=message.date)
        self._journal.succeeded(attempt, message.message_id, result)
        return result

    async def _attempt(self, key: str, chat_id: int, anchor: int | None, method):
        """Send, journalled under ``key``; a definite refusal removes the entry, so the retry sends anew."""
        attempt = self._journal.begin(key, chat_id, anchor)
        try:
            return attempt, await self._send(method)
        except OutcomeUnknown:
            raise  # the message may exist: the journal entry is what lets find_sent look for it
        except NetworkError:
            self._journal.forget(key)
            raise

    async def find_sent(self, key: str, text: str, since: datetime, target: Target | None = None) -> Sent | None:
        # The Bot API cannot list a chat: the read-back works from this process's journal (see readback.py),
        # and ``target`` adds nothing it could check.
        attempt = self._journal.attempts.get(key)
        if attempt is None:
            raise OutcomeUnknown("Telegram: this process has no record of that send, and the Bot API cannot "
                                 "list a chat's messages; check the chat by hand", code="no_record")
        if attempt.sent is not None:
            return attempt.sent
        message_id = await probe(self._transport, attempt, self._journal.own.get(attempt.chat_id, set()))
        if message_id is None:
            return None
        chat = attempt.chat_id
        remote_id = str(message_id) if chat == self._account.channel_id else f"{chat}_{message_id}"
        url = post_url(self._account, message_id) if chat == self._account.channel_id else None
        attempt.sent = Sent(remote_id=remote_id, url=url)
        self._journal.own.setdefault(chat, set()).add(message_id)
        return attempt.sent

    async def _settled(self, key: str) -> Sent | None:
        """What an earlier attempt with ``key`` created: a retry returns it instead of sending twice."""
        attempt = self._journal.attempts.get(key)
        if attempt is None:
            return None
        return attempt.sent or await self.find_sent(key, "", utcnow())

    def _anchor(self, chat_id: int) -> int | None:
        known = [i for i in (self._account.last_seen.get(chat_id), self._journal.last_own(chat_id)) if i]
        return max(known) if known else None

    async def _send(self, method: Any) -> Any:
        message = await self._transport.call(method, write=True)
        if getattr(message, "message_id", None) is None:
            raise OutcomeUnknown(f"Telegram {type(method).__api_method__} answered without a message",
                                 code="bad_answer")
        self._account.saw(message.chat.id, message.message_id)
        return message

    async def close(self) -> None:
        await self._transport.close()

