"""All network emulators on one local port, for tests, the demo and trying Chorus without accounts.

Each network lives in its own package (``chorus.emulators.vk``, ``.x``, ``.telegram``, ``.facebook``) and
exposes ``build() -> NetworkEmulator``. Their API paths never clash (``/method/`` and ``/lp/`` for VK,
``/2/`` for X, ``/bot<token>/`` for Telegram, ``/v<NN>.<N>/`` for the Graph API), so they share one
server; each one's control API is mounted under ``/_control/<network>/`` (see ``docs/emulators.md``).

Emulators are never imported by services: they are reached over HTTP like the real networks.
"""
from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import random
from collections.abc import AsyncIterator
from typing import Protocol

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route

log = logging.getLogger(__name__)

NETWORKS = ("vk", "x", "telegram", "facebook")


class NetworkEmulator(Protocol):
    name: str

    def api_routes(self) -> list[BaseRoute]:
        """The network's own API, answering in its documented wire format."""
        ...

    def control_routes(self) -> list[BaseRoute]:
        """Inject inbound traffic, list what Chorus sent, inject faults (mounted at /_control/<name>)."""
        ...

    def demo_tick(self, rng: random.Random) -> None:
        """Add one realistic inbound item (a comment, message or mention) for the live demo."""
        ...


def load(names: tuple[str, ...] = NETWORKS) -> list[NetworkEmulator]:
    found = []
    for name in names:
        module = importlib.import_module(f"chorus.emulators.{name}")
        found.append(module.build())
    return found


def build_app(emulators: list[NetworkEmulator], *, demo_rate: float = 0.0, seed: int | None = None) -> Starlette:
    """One ASGI app serving every emulator; ``demo_rate`` inbound items per second when above zero."""

    async def index(_: Request) -> JSONResponse:
        return JSONResponse({"emulators": [e.name for e in emulators], "demo_rate": demo_rate})

    routes: list[BaseRoute] = [Route("/_control", index)]
    for emulator in emulators:
        routes.append(Mount(f"/_control/{emulator.name}", routes=emulator.control_routes()))
    for emulator in emulators:
        routes.extend(emulator.api_routes())

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(_demo(emulators, demo_rate, seed)) if demo_rate > 0 else None
        try:
            yield
        finally:
            if task:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    return Starlette(routes=routes, lifespan=lifespan)


async def _demo(emulators: list[NetworkEmulator], rate: float, seed: int | None) -> None:
    rng = random.Random(seed)
    while True:
        await asyncio.sleep(rng.expovariate(rate))
        emulator = rng.choice(emulators)
        try:
            emulator.demo_tick(rng)
        except Exception:  # the demo must keep going whatever one emulator does
            log.exception("demo traffic for %s failed", emulator.name)
