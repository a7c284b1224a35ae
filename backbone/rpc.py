"""Request/reply between services over core NATS: FastStream on the answering side, a typed call on the other.

The log carries facts; a few questions need an answer while a person waits (send a test alert, preview a
rule). Those use core NATS request/reply on the subjects of ``chorus.events.rpc``. A service answers with
an ``RpcServer``: a FastStream ``NatsBroker`` whose subscribers are declared per endpoint, in a queue group
so one replica answers, each request handled concurrently. Every request gets a reply: one that cannot
be read, or whose handler fails, is answered with the endpoint's error reply instead of silence.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import nats.errors
from faststream.nats import NatsBroker
from nats.aio.client import Client
from pydantic import BaseModel, ValidationError

from chorus.events.rpc import Endpoint, Rep, Req

log = logging.getLogger(__name__)

Handler = Callable[[Any], Awaitable[BaseModel]]


async def _raw(message: Any) -> bytes:
    # Keep the bytes: the endpoint's own model validates them, so a bad request still gets a reply.
    return message.body


class RpcServer:
    """The endpoints a service answers. A ``Component``."""

    def __init__(self, urls: list[str], service: str) -> None:
        self.name = f"{service}-rpc"
        self._broker = NatsBroker(urls, name=f"chorus-{service}-rpc", logger=None)
        self._queue = f"chorus-{service}"
        self._ready = False

    def handle(self, endpoint: Endpoint[Req, Rep], handler: Callable[[Req], Awaitable[Rep]]) -> None:
        async def answer(body: bytes) -> dict[str, Any]:
            try:
                request = endpoint.request.model_validate_json(body)
            except ValidationError as exc:
                return endpoint.error(f"unreadable request: {exc.errors()[0]['msg'] if exc.errors() else exc}") \
                    .model_dump(mode="json")
            try:
                reply = await handler(request)
            except Exception as exc:
                log.exception("%s: %s failed", self.name, endpoint.subject)
                reply = endpoint.error(f"{type(exc).__name__}: {exc}")
            return reply.model_dump(mode="json")

        self._broker.subscriber(endpoint.subject, queue=self._queue, decoder=_raw,
                                max_workers=16)(answer)

    @property
    def ready(self) -> bool:
        return self._ready

    async def run(self, stop: asyncio.Event) -> None:
        await self._broker.start()
        self._ready = True
        try:
            await stop.wait()
        finally:
            self._ready = False
            await self._broker.stop()


async def call(nc: Client, endpoint: Endpoint[Req, Rep], request: Req, timeout: float) -> Rep:
    """Ask and wait for the reply; a missing or unreadable answer becomes the endpoint's error reply."""
    try:
        msg = await nc.request(endpoint.subject, request.model_dump_json().encode(), timeout=timeout)
    except nats.errors.NoRespondersError:
        return endpoint.error("no service answers this request (is it running?)")
    except (nats.errors.TimeoutError, TimeoutError):
        return endpoint.error(f"no answer within {timeout:.0f} s")
    try:
        return endpoint.reply.model_validate_json(msg.data)
    except ValidationError:
        return endpoint.error("the answer could not be read")
