"""Telegram destinations: the alert as a plain-text message from a bot to a chat (aiogram ``sendMessage``).

The bot is the destination's ``bot`` token from the credentials store (the inbox files it as ``secret``,
which is read too), else the monitor's
``CHORUS_ALERT_TELEGRAM_BOT_TOKEN``. The target is the chat id (``-100...`` for groups and channels) or a
public ``@channel``. The Bot API base URL comes from ``CHORUS_TELEGRAM_API_URL`` (the emulator in tests and
the demo). Text is sent without a parse mode, so nothing an author wrote is read as markup.

Outcomes: ``retry_after`` (HTTP 429) is honoured exactly; server and network errors are retried; a bad
token, an unknown chat, a bot that was removed from the chat, or a group that became a supergroup are
permanent until someone fixes the destination. One aiogram ``Bot`` (and its HTTP session) is kept per token.
"""
from __future__ import annotations

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.utils.token import TokenValidationError

from chorus.events import AlertDestination, AlertRaised, DestinationKind
from chorus.monitor import alert_text
from chorus.monitor.adapters.senders import Outcome, Secrets, SecretUnavailable, Sender, redact

MAX_TEXT = 4096


class TelegramSender(Sender):
    kind = DestinationKind.TELEGRAM

    def __init__(self, secrets: Secrets, *, api_base: str | None = None, default_token: str | None = None,
                 language: str = "ru", timeout_s: float = 10.0) -> None:
        self.secrets = secrets
        self.api_base = api_base
        self.default_token = default_token
        self.language = language
        self.timeout_s = timeout_s
        self._bots: dict[str, Bot] = {}

    def _bot(self, token: str) -> Bot:
        bot = self._bots.get(token)
        if bot is None:
            server = TelegramAPIServer.from_base(self.api_base) if self.api_base else None
            session = AiohttpSession(api=server) if server else AiohttpSession()
            bot = Bot(token, session=session)  # the HTTP session opens on the first request, not here
            self._bots[token] = bot
        return bot

    async def send(self, alert: AlertRaised, destination: AlertDestination, *, delivery_id: str,
                   test: bool = False) -> Outcome:
        try:
            secret = await self.secrets.get(destination.destination_id)
        except SecretUnavailable as exc:
            return Outcome.retry(str(exc))
        token = (secret.tokens.get("bot") or secret.tokens.get("secret") if secret else None) or self.default_token
        if not token:
            return Outcome.retry("no bot token: store one with the destination or set CHORUS_ALERT_TELEGRAM_BOT_TOKEN")
        chat = destination.target.strip()
        chat_id: int | str = int(chat) if chat.lstrip("-").isdigit() else chat
        text = alert_text.message(alert, self.language, test=test)[:MAX_TEXT]
        try:
            bot = self._bot(token)
            message = await bot.send_message(chat_id=chat_id, text=text, parse_mode=None,
                                             request_timeout=max(1, int(self.timeout_s)))
        except TokenValidationError:
            return Outcome.failed("the bot token is malformed")
        except TelegramRetryAfter as exc:
            return Outcome.retry(f"Telegram asks to wait {exc.retry_after} s", float(exc.retry_after))
        except TelegramMigrateToChat as exc:
            return Outcome.failed(f"the group became a supergroup: set the chat id to {exc.migrate_to_chat_id}")
        except (TelegramServerError, TelegramNetworkError) as exc:
            return Outcome.retry(redact(f"Telegram unavailable: {exc.message}", [token]))
        except TelegramAPIError as exc:  # unauthorized, forbidden, chat not found, bad request
            return Outcome.failed(redact(f"Telegram refused: {exc.message}", [token]))
        except (TimeoutError, OSError) as exc:
            return Outcome.retry(redact(f"cannot reach Telegram: {type(exc).__name__}: {exc}", [token]))
        return Outcome.ok(f"message {message.message_id} sent to chat {chat}")

    async def close(self) -> None:
        bots, self._bots = list(self._bots.values()), {}
        for bot in bots:
            await bot.session.close()
