"""Ingest's HTTP routes (served beside ``/healthz`` and ``/readyz``): decode, call, answer; nothing else.

| route | what |
| --- | --- |
| ``POST /callback/vk`` | VK Callback API events of every connected community (see ``pushed``) |
| ``GET /webhooks/facebook`` | Facebook's subscription handshake (``hub.challenge``) |
| ``POST /webhooks/facebook`` | Facebook's signed notifications: wake the Page's reader |
| ``GET /ingest/status`` | this replica: accounts it reads, dead letters kept, callbacks received |
"""
from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from chorus.ingest.pushed import (
    NUDGE_PREFIX,
    VkCallbacks,
    facebook_challenge,
    facebook_pages_with_news,
    facebook_signature_ok,
)
from chorus.ingest.reading import describe

log = logging.getLogger(__name__)


def routes(*, callbacks: VkCallbacks, accounts_for_pages: Callable[[set[str]], list[str]],
           publish: Callable[[str, bytes], Awaitable[None]], status: Callable[[], dict[str, Any]],
           facebook_verify_token: str | None, facebook_app_secret: str | None) -> list[BaseRoute]:
    async def vk_callback(request: Request) -> Response:
        try:
            body = json.loads(await request.body())
        except ValueError:
            return PlainTextResponse("the body is not JSON", 400)
        try:
            answer = await callbacks.handle(body)
        except Exception as exc:  # noqa: BLE001 - NATS unreachable: VK delivers the event again
            log.warning("ingest: VK callback not stored: %s", describe(exc))
            return PlainTextResponse("not stored, send it again", 503)
        return PlainTextResponse(answer.text, answer.status)

    async def facebook_verify(request: Request) -> Response:
        answer = facebook_challenge(dict(request.query_params), facebook_verify_token)
        return PlainTextResponse(answer.text, answer.status)

    async def facebook_notify(request: Request) -> Response:
        if not facebook_app_secret:
            return PlainTextResponse("the Facebook webhook is not configured (CHORUS_FACEBOOK_APP_SECRET)", 404)
        body = await request.body()
        if not facebook_signature_ok(body, request.headers.get("x-hub-signature-256"), facebook_app_secret):
            return PlainTextResponse("bad signature", 403)
        for account_id in accounts_for_pages(facebook_pages_with_news(body)):
            await publish(f"{NUDGE_PREFIX}.{account_id}", b"")
        return PlainTextResponse("EVENT_RECEIVED")

    async def ingest_status(_: Request) -> Response:
        return JSONResponse(status())

    return [Route("/callback/vk", vk_callback, methods=["POST"]),
            Route("/webhooks/facebook", facebook_verify, methods=["GET"]),
            Route("/webhooks/facebook", facebook_notify, methods=["POST"]),
            Route("/ingest/status", ingest_status, methods=["GET"])]

