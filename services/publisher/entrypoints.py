"""The publisher's HTTP routes (beside /healthz and /readyz): read-only state of posts, replies and the queue.

The inbox shows outcomes from the events; these routes are for operators and tests (``curl`` a post to see
each account's state, attempts and reason).
"""
from __future__ import annotations

import asyncio

from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from chorus.publisher import views


def routes(engine: Engine) -> list[BaseRoute]:
    async def post(request: Request) -> JSONResponse:
        found = await asyncio.to_thread(views.post_status, engine, request.path_params["post_id"])
        return JSONResponse(found) if found else JSONResponse({"error": "no such post"}, status_code=404)

    async def reply(request: Request) -> JSONResponse:
        found = await asyncio.to_thread(views.reply_status, engine, request.path_params["reply_id"])
        return JSONResponse(found) if found else JSONResponse({"error": "no such reply"}, status_code=404)

    async def schedule(_: Request) -> JSONResponse:
        return JSONResponse(await asyncio.to_thread(views.overview, engine))

    return [Route("/posts/{post_id}", post), Route("/replies/{reply_id}", reply), Route("/schedule", schedule)]
