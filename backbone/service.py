"""Running one service: connect, create streams, start its components and HTTP server, stop cleanly.

``chorus service <name>`` calls ``serve``. The service's ``bootstrap`` receives a ``Runtime`` (the NATS
connection, the event store, the SQL engines) and returns a ``Wiring``: the components to run and the
HTTP routes or app to serve. Every service answers ``/healthz`` (the process is alive) and ``/readyz``
(connected to NATS and its database, every component bound), and publishes a heartbeat with the same
facts to the ``chorus_services`` key-value bucket, which ``chorus status`` reads.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import uvicorn
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BucketNotFoundError
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from chorus.backbone.component import Component
from chorus.backbone.db import make_engine, ping
from chorus.backbone.jetstream import StreamLimits, connect, ensure_streams
from chorus.backbone.projection import set_process_instance
from chorus.backbone.settings import CommonSettings
from chorus.backbone.store import EventStore

log = logging.getLogger(__name__)

STATUS_BUCKET = "chorus_services"
HEARTBEAT_S = 2.0
STATUS_TTL_S = 15.0


@dataclass
class Runtime:
    """What the backbone gives a service's bootstrap."""

    settings: CommonSettings
    nc: Client
    js: JetStreamContext
    store: EventStore
    engine: Engine
    read_engine: Engine


@dataclass
class Wiring:
    """What a service's bootstrap returns."""

    components: list[Component] = field(default_factory=list)
    routes: list[BaseRoute] = field(default_factory=list)
    #: A complete ASGI app (the inbox); the health routes are added to it. Exclusive with ``routes``.
    app: Starlette | None = None
    #: Called on shutdown, after components stopped, before NATS is drained.
    on_stop: Callable[[], Awaitable[None]] | None = None


Bootstrap = Callable[[Runtime], Awaitable[Wiring]]


class Health:
    """The facts behind /healthz, /readyz and the heartbeat."""

    def __init__(self, runtime: Runtime, components: list[Component]) -> None:
        self.runtime = runtime
        self.components = components
        self.started_at = datetime.now(UTC)
        self._db_ok: tuple[float, bool, str] = (0.0, False, "not checked")

    def database(self) -> tuple[bool, str]:
        checked, ok, detail = self._db_ok
        if time.monotonic() - checked > 1.0:
            try:
                ping(self.runtime.engine)
                ok, detail = True, "ok"
            except Exception as exc:  # noqa: BLE001 - reported, not raised
                ok, detail = False, f"{type(exc).__name__}: {exc}"[:300]
            self._db_ok = (time.monotonic(), ok, detail)
        return ok, detail

    def report(self, db: tuple[bool, str] | None = None) -> dict[str, Any]:
        db_ok, db_detail = db if db is not None else self._db_ok[1:]
        nats_ok = self.runtime.nc.is_connected
        pending = [c.name for c in self.components if not c.ready]
        s = self.runtime.settings
        return {
            "service": s.service, "instance": s.instance, "pid": os.getpid(), "host": socket.gethostname(),
            "url": f"http://{s.public_host}:{s.http_port}",
            "ready": nats_ok and db_ok and not pending,
            "checks": {"nats": "ok" if nats_ok else "disconnected", "database": db_detail,
                       "components": {c.name: "ready" if c.ready else "binding" for c in self.components},
                       # a component may add facts of its own (counters, states) without changing readiness
                       **{c.name: c.checks() for c in self.components if callable(getattr(c, "checks", None))}},
            "started_at": self.started_at.isoformat(), "updated_at": datetime.now(UTC).isoformat(),
        }


def health_routes(health: Health) -> list[BaseRoute]:
    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "alive", "service": health.runtime.settings.service})

    async def readyz(_: Request) -> JSONResponse:
        db = await asyncio.to_thread(health.database)
        report = health.report(db)
        return JSONResponse(report, status_code=200 if report["ready"] else 503)

    return [Route("/healthz", healthz), Route("/readyz", readyz)]


async def _heartbeat(health: Health, stop: asyncio.Event) -> None:
    """Publish the health report every few seconds, and at once when readiness changes."""
    js = health.runtime.js
    key = f"{health.runtime.settings.service}.{health.runtime.settings.instance}".replace(" ", "_")
    kv, sent_ready, sent_at = None, None, 0.0
    while not stop.is_set():
        try:
            db = await asyncio.to_thread(health.database)
            report = health.report(db)
            if report["ready"] != sent_ready or time.monotonic() - sent_at >= HEARTBEAT_S:
                if kv is None:
                    kv = await status_bucket(js)
                await kv.put(key, json.dumps(report).encode())
                sent_ready, sent_at = report["ready"], time.monotonic()
        except Exception as exc:  # noqa: BLE001 - a missed heartbeat shows as stale in `chorus status`
            log.debug("heartbeat failed: %s", exc)
            kv, sent_ready = None, None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.25)
    if kv is not None:
        with contextlib.suppress(Exception):
            await kv.delete(key)


async def status_bucket(js: JetStreamContext):
    try:
        return await js.key_value(STATUS_BUCKET)
    except BucketNotFoundError:
        return await js.create_key_value(KeyValueConfig(
            bucket=STATUS_BUCKET, description="Heartbeats of running Chorus services", history=1,
            ttl=STATUS_TTL_S, storage=StorageType.MEMORY))


async def _supervise(component: Component, stop: asyncio.Event) -> None:
    """Run a component; if it crashes, log it and start it again with backoff, until stopped."""
    delay = 0.5
    while not stop.is_set():
        started = time.monotonic()
        try:
            await component.run(stop)
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("component %s crashed; restarting in %.1fs", component.name, delay)
        if time.monotonic() - started > 60:
            delay = 0.5
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        delay = min(delay * 2, 30.0)


async def serve(settings: CommonSettings, bootstrap: Bootstrap, *, stop: asyncio.Event | None = None) -> None:
    """Run a service until SIGTERM/SIGINT (or ``stop`` is set)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)

    set_process_instance(f"{settings.service}-{settings.instance}")
    nc = await connect(settings.nats_urls, f"chorus-{settings.service}-{settings.instance}")
    js = nc.jetstream()
    await ensure_streams(js, StreamLimits(duplicate_window_s=settings.duplicate_window_s,
                                          max_bytes=settings.stream_max_bytes))
    engine = make_engine(settings.database_url, write=True)
    read_engine = make_engine(settings.database_url, write=False)
    runtime = Runtime(settings, nc, js, EventStore(js), engine, read_engine)
    wiring = await bootstrap(runtime)
    health = Health(runtime, wiring.components)

    app = wiring.app or Starlette(routes=wiring.routes)
    for route in reversed(health_routes(health)):
        app.router.routes.insert(0, route)
    server = uvicorn.Server(uvicorn.Config(app, host=settings.http_host, port=settings.http_port,
                                           log_level="warning", access_log=False, lifespan="on"))
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]  # signals are ours, above

    tasks = [asyncio.create_task(_supervise(c, stop), name=c.name) for c in wiring.components]
    tasks.append(asyncio.create_task(_heartbeat(health, stop), name="heartbeat"))
    http = asyncio.create_task(server.serve(), name="http")
    log.info("%s started (instance %s, http %s:%s)", settings.service, settings.instance,
             settings.http_host, settings.http_port)
    stopper = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({stopper, http}, return_when=asyncio.FIRST_COMPLETED)
    if http in done and not stop.is_set():
        stop.set()  # the HTTP server failed (port taken?): stop the rest and report it
        log.error("%s: HTTP server stopped: %s", settings.service, http.exception() or "exited")
    log.info("%s stopping", settings.service)
    _, pending = await asyncio.wait(tasks, timeout=15)
    for task in pending:
        task.cancel()
    server.should_exit = True
    with contextlib.suppress(Exception):
        await asyncio.wait_for(http, 10)
    if wiring.on_stop is not None:
        await wiring.on_stop()
    with contextlib.suppress(Exception):
        await nc.drain()
    engine.dispose()
    read_engine.dispose()
    stopper.cancel()
    if http.done() and not http.cancelled() and http.exception() is not None:
        raise RuntimeError(f"{settings.service}: HTTP server failed: {http.exception()}")
