"""Calls to the Bot API on aiogram, with Chorus outcomes (see ``errors``).

The ``Bot`` is pointed at ``endpoints.telegram`` when one is set (``TelegramAPIServer.from_base``), at the
real Bot API otherwise. ``RawMethod`` asks for any method's result as plain JSON, through the same session
and error handling: the reader parses updates one by one, so one malformed update is rejected on its own
instead of failing the whole batch.
"""
from __future__ import annotations

from typing import Any, ClassVar

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import AiogramError
from aiogram.methods import TelegramMethod
from aiogram.utils.token import TokenValidationError
from pydantic import ValidationError

from chorus.networks.errors import ContentRejected, TokenInvalid
from chorus.networks.telegram import errors

DEFAULT_TIMEOUT = 30.0


class RawGetUpdates(TelegramMethod[list[dict[str, Any]]]):
    """``getUpdates`` answered as raw update objects (aiogram would validate the whole list at once)."""

    __returning__: ClassVar = list[dict[str, Any]]
    __api_method__: ClassVar[str] = "getUpdates"

    offset: int | None = None
    limit: int | None = None
    timeout: int | None = None
    allowed_updates: list[str] | None = None


class TelegramTransport:
    def __init__(self, token: str, endpoint: str | None, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        api = TelegramAPIServer.from_base(endpoint) if endpoint else None
        session = AiohttpSession(api=api, timeout=timeout) if api else AiohttpSession(timeout=timeout)
        try:
            self.bot = Bot(token, session=session)
        except TokenValidationError:
            raise TokenInvalid("Telegram: the bot token is malformed (expected <bot id>:<secret>)",
                               code="malformed") from None
        self.timeout = timeout

    async def call(self, method: TelegramMethod[Any], *, write: bool = False, timeout: float | None = None) -> Any:
        name = type(method).__api_method__
        try:
            return await self.bot(method, request_timeout=int(timeout or self.timeout))
        except AiogramError as error:
            raise errors.outcome(error, name, write=write) from None
        except ValidationError as error:  # an answer aiogram cannot read as the method's type
            raise ContentRejected(f"Telegram {name}: unexpected answer ({error.error_count()} problems)",
                                  code="bad_answer") from None

    async def close(self) -> None:
        await self.bot.session.close()
