"""Helpers for the monitor's integration tests: a real webhook receiver, in-memory secrets, running components."""
from __future__ import annotations

import asyncio
import contextlib
import inspect
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from aiohttp import web

from chorus import events as ev
from chorus.monitor.adapters.senders import DestinationSecret, Secrets


class MemorySecrets(Secrets):
    def __init__(self, secrets: dict[str, DestinationSecret] | None = None) -> None:
        self.secrets = secrets or {}

    async def get(self, destination_id: str) -> DestinationSecret | None:
        return self.secrets.get(destination_id)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    status: int


@dataclass
class WebhookReceiver:
    """An HTTP endpoint on a free port: answers with the next status of ``script`` (then 200s), or hangs."""

    script: list[int] = field(default_factory=list)
    hang: bool = False
    requests: list[Received] = field(default_factory=list)
    url: str = ""

    @property
    def accepted(self) -> list[Received]:
        return [r for r in self.requests if 200 <= r.status < 300]

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        if self.hang:
            self.requests.append(Received(dict(request.headers), body, 0))
            await asyncio.sleep(30)
        status = self.script.pop(0) if self.script else 200
        self.requests.append(Received(dict(request.headers), body, status))
        return web.Response(status=status, text="ok" if status < 300 else "try later")


@contextlib.asynccontextmanager
async def receiving(receiver: WebhookReceiver) -> AsyncIterator[WebhookReceiver]:
    app = web.Application()
    app.router.add_post("/hook", receiver._handle)
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    receiver.url = f"http://127.0.0.1:{port}/hook"
    try:
        yield receiver
    finally:
        await runner.cleanup()


async def until(condition: Callable[[], object], timeout: float = 30.0, step: float = 0.02) -> None:
    """Wait until ``condition()`` (a value or an awaitable) is true."""
    async with asyncio.timeout(timeout):
        while True:
            result = condition()
            if inspect.isawaitable(result):
                result = await result
            if result:
                return
            await asyncio.sleep(step)


@contextlib.asynccontextmanager
async def running(*components) -> AsyncIterator[asyncio.Event]:
    """Run components until the block ends, then stop them and wait for them."""
    stop = asyncio.Event()
    tasks = [asyncio.create_task(c.run(stop), name=c.name) for c in components]
    try:
        yield stop
    finally:
        stop.set()
        done, pending = await asyncio.wait(tasks, timeout=20)
        for task in pending:
            task.cancel()
        for task in done:
            if not task.cancelled() and task.exception() is not None:
                raise task.exception()


async def log_events(js, cls: type[ev.Event]) -> list[ev.Event]:
    """Every event of a type in its stream, in order (an ephemeral ordered read)."""
    from chorus.backbone.consumer import subscriptions_for
    from chorus.monitor.adapters import log_reader

    found: list[ev.Event] = []
    for sub in subscriptions_for(cls):
        async for events in log_reader.read(js, sub):
            found += events
    return found


def alert(n: int = 1, *, ws: str = "ws-1", rule_id: str = "r1") -> ev.AlertRaised:
    return ev.AlertRaised(workspace_id=ws, alert_id=f"alert-{n}", rule_id=rule_id, kind=ev.AlertKind.NEGATIVE_MENTION,
                          severity="warning", title="Негативное упоминание: Анна", summary="«Всё плохо» (vk)",
                          account_id="acc-1", event_id=f"raised-{n}")
