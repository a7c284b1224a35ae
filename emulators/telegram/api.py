"""The Bot API over HTTP: ``/bot<token>/<method>``, answering ``{"ok": ...}`` with the matching status.

Order of checks: the token (401), the method (404), the rate limit (429 with ``retry_after``), injected
faults, then the method. Method names are matched case-insensitively, as Telegram does.
"""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from chorus.emulators.control import (
    DroppedConnection,
    FaultBook,
    RateLimit,
    apply_delay,
)
from chorus.emulators.telegram.errors import TelegramError, error_body
from chorus.emulators.telegram.methods import METHODS, Ctx, Handler
from chorus.emulators.telegram.params import Params, read_params
from chorus.emulators.telegram.world import Bot, World

_BY_LOWER = {name.lower(): name for name in METHODS}


class TelegramApi:
    """Routes of the Bot API over the emulator's ``world``, with its armed ``faults`` and ``rate_limit``."""

    def __init__(self, emulator: Any) -> None:
        self._emulator = emulator

    @property
    def world(self) -> World:
        return self._emulator.world

    @property
    def faults(self) -> FaultBook:
        return self._emulator.faults

    @property
    def rate_limit(self) -> RateLimit:
        return self._emulator.rate_limit

    def routes(self) -> list[BaseRoute]:
        routes: list[BaseRoute] = [Route("/bot{token}/" + name, self._endpoint(name, handler), methods=["GET", "POST"])
                                   for name, handler in sorted(METHODS.items())]
        routes.append(Route("/bot{token}/{method}", self._other, methods=["GET", "POST"]))
        return routes

    def _endpoint(self, name: str, handler: Handler):
        async def endpoint(request: Request) -> Response:
            return await self._call(request, name, handler)

        endpoint.__name__ = name
        return endpoint

    async def _other(self, request: Request) -> Response:
        name = _BY_LOWER.get(request.path_params["method"].lower())
        if name is None:
            return _error(TelegramError(404))
        return await self._call(request, name, METHODS[name])

    def _bot(self, token: str) -> Bot:
        bot = next((b for b in self.world.bots.values() if b.token == token), None)
        if bot is None or bot.revoked:
            raise TelegramError(401)
        return bot

    async def _call(self, request: Request, name: str, handler: Handler) -> Response:
        try:
            bot = self._bot(request.path_params["token"])
            if self.rate_limit.exceeded(bot.token):
                raise TelegramError(429, retry_after=1)
            fault = self.faults.take(name)
            await apply_delay(fault)
            if fault is not None and fault.http_status is not None:
                return HTMLResponse(f"<html><body><h1>{fault.http_status}</h1></body></html>",
                                    status_code=fault.http_status)
            if fault is not None and fault.error is not None:
                raise TelegramError(fault.error, fault.extra.get("description"),
                                    retry_after=fault.extra.get("retry_after"))
            result = await handler(Ctx(self.world, bot, Params(await read_params(request))))
        except TelegramError as error:
            return _error(error)
        if fault is not None and fault.drop:
            return DroppedConnection()
        return JSONResponse({"ok": True, "result": result})


def _error(error: TelegramError) -> JSONResponse:
    return JSONResponse(error_body(error), status_code=error.code)
