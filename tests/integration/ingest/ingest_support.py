"""Ingest against the emulators: a real nats-server, real adapters over HTTP, ingest in-process or as processes.

- ``Emulators``: every network emulator behind one uvicorn server on a free port, counting the API requests
  it answers (``calls``), which a test may stop (an outage) and start again on the same port;
- ``running_ingest``: ingest in this process (``serve`` + ``bootstrap``, HTTP included);
- ``IngestProcess``: ingest as a real child process, which a test may SIGKILL;
- ``connect``: the real account connection flow (verify against the emulator, store, announce);
- ``log_events``: every event in CHORUS_INGEST / CHORUS_ACCOUNTS, to count by id.
"""
from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from chorus.backbone.natsserver import free_port
from chorus.backbone.service import serve
from chorus.emulators.control import BackgroundServer
from chorus.emulators.server import build_app, load
from chorus.events import Event, decode
from chorus.events.values import Network
from chorus.ingest import bootstrap as ingest_bootstrap
from chorus.ingest import config as ingest_config
from chorus.ingest.adapters.kv import CURSORS, LEASES, STATUS
from chorus.networks.accounts import connect_account
from chorus.networks.base import Endpoints
from chorus.networks.credentials import BUCKET as CREDENTIALS_BUCKET
from chorus.networks.credentials import CredentialStore

BUCKETS = (CURSORS, LEASES, STATUS, CREDENTIALS_BUCKET)


class Counting:
    """ASGI wrapper counting the API requests (not the control ones) an emulator answers."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.calls: Counter[str] = Counter()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and not scope["path"].startswith("/_control"):
            self.calls[scope["path"]] += 1
        await self.app(scope, receive, send)

    def total(self, prefix: str = "") -> int:
        return sum(n for path, n in self.calls.items() if path.startswith(prefix))


class Emulators:
    """The emulators behind one server that a test may stop (an outage) and start again on the same port."""

    def __init__(self) -> None:
        self.networks = {e.name: e for e in load()}
        self.app = Counting(build_app(list(self.networks.values())))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: BackgroundServer | None = None

    @property
    def calls(self) -> Counter[str]:
        return self.app.calls

    def requests(self, prefix: str = "/") -> int:
        """API requests answered so far whose path starts with ``prefix``."""
        return self.app.total(prefix)

    def start(self) -> None:
        self._server = BackgroundServer(self.app, port=self.port)
        self._server.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def control(self, network: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=f"{self.url}/_control/{network}", timeout=10)

    async def post(self, network: str, path: str, body: dict | None = None) -> dict:
        async with self.control(network) as http:
            answer = await http.post(path, json=body or {})
        assert answer.status_code == 200, answer.text
        return answer.json()

    async def reset(self) -> None:
        for network in ("vk", "x", "telegram", "facebook"):
            async with self.control(network) as http:
                await http.post("/reset")
                await http.delete("/faults")
        self.calls.clear()


def http_url(env: dict[str, str]) -> str:
    return f"http://127.0.0.1:{env['CHORUS_HTTP_PORT']}"


async def wait_ready(env: dict[str, str], timeout: float = 30.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=2) as http:
        while True:
            assert process is None or process.poll() is None, f"ingest exited with {process.returncode}"
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(f"{http_url(env)}/readyz")).status_code == 200:
                    return
            assert time.monotonic() < deadline, "ingest did not become ready"
            await asyncio.sleep(0.1)


@contextlib.asynccontextmanager
async def running_ingest(env: dict[str, str], **bootstrap_args: Any) -> AsyncIterator[dict[str, Any]]:
    """Ingest in this process until the block ends; yields a dict the bootstrap's pieces can be found in."""
    settings = ingest_config.load(env)
    stop = asyncio.Event()
    found: dict[str, Any] = {}

    async def boot(runtime):
        wiring = await ingest_bootstrap.bootstrap(settings, runtime, **bootstrap_args)
        found["wiring"], found["runtime"] = wiring, runtime
        return wiring

    task = asyncio.create_task(serve(settings.common, boot, stop=stop))
    try:
        await wait_ready(env)
        yield found
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


class IngestProcess:
    """``chorus service ingest`` as a child process (a real crash is a SIGKILL of it)."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.process: subprocess.Popen | None = None

    async def start(self) -> IngestProcess:
        out = self.log.open("ab")
        self.process = subprocess.Popen([sys.executable, "-m", "chorus.cli", "service", "ingest"], env=self.env,  # noqa: ASYNC220
                                        stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        out.close()
        await wait_ready(self.env, timeout=60, process=self.process)
        return self

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def terminate(self) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


async def connect(js, env: dict[str, str], network: Network, tokens: dict[str, str], *, external_id: str = "",
                  settings: dict[str, Any] | None = None, workspace_id: str = "ws-1"):
    """The real connection flow: verify the tokens against the emulator, store them, append AccountConnected."""
    from chorus.backbone.store import EventStore
    from chorus.networks.credentials import load_key

    return await connect_account(
        store=EventStore(js), credentials=CredentialStore(js, load_key(env["CHORUS_SECRET_KEY"])),
        endpoints=Endpoints.from_env(env), workspace_id=workspace_id, network=network, tokens=tokens,
        settings=settings, external_id=external_id, connected_by="test")


async def log_events(js, stream: str = "CHORUS_INGEST") -> list[Event]:
    """Every event in a stream, in order (read with a throw-away consumer)."""
    info = await js.stream_info(stream)
    if info.state.messages == 0:
        return []
    sub = await js.pull_subscribe(">", stream=stream, config=ConsumerConfig(
        deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE, inactive_threshold=10))
    found: list[Event] = []
    try:
        while len(found) < info.state.messages:
            for msg in await sub.fetch(500, timeout=5):
                found.append(decode(msg.data, msg.subject))
    finally:
        await sub.unsubscribe()
    return found


def ids_of(events: list[Event], kind: type[Event] | None = None) -> Counter[str]:
    return Counter(e.event_id for e in events if kind is None or isinstance(e, kind))


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 20.0, interval: float = 0.1) -> Any:
    """Call ``check`` until it returns something truthy (returned) or ``timeout`` passes (the test fails)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"not true within {timeout}s (last: {last!r})")


async def source_status(js, account_id: str, source: str) -> dict[str, Any] | None:
    from chorus.ingest.adapters.status import StatusBoard

    return await StatusBoard(js).get_source(account_id, source)


async def polled(js, account_id: str, source: str, timeout: float = 20.0) -> dict[str, Any]:
    """Wait until ``source`` of the account finished a poll (so what is injected next is news to it)."""
    async def check():
        record = await source_status(js, account_id, source)
        return record if record and record.get("polled_at") and record.get("state") == "reading" else None

    return await eventually(check, timeout)
