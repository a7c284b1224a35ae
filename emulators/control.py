"""What every emulator's control side shares: JSON control routes, fault injection, and a background server.

A fault is armed through a network's control API (``POST /_control/<network>/faults``) with a JSON body:

``{"method": "wall.createComment", "times": 2, "error": 9}``
    answer the next 2 calls of that method with the network's error 9 instead of applying them;
``{"method": "*", "times": "always", "http_status": 502}``
    answer every call with a bare HTTP 502 until the faults are cleared;
``{"method": "sendMessage", "drop": true}``
    apply the next call, then drop the connection before the client reads the answer;
``{"delay": 3}``
    answer the next call of any method 3 seconds late (combine with the others).

Networks add their own keys (``retry_after``, ``description``, ...) and render ``error`` in their own
wire format; this module only decides *which* call a fault hits.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

ANY = "*"


class ControlError(ValueError):
    """A control request that cannot be honoured; answered with HTTP 400 and the message."""


async def read_json(request: Request) -> dict[str, Any]:
    """The control request's JSON object body (``{}`` when empty)."""
    body = await request.body()
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise ControlError(f"the body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ControlError("the body must be a JSON object")
    return data


def control_route(path: str, handler: Callable[[Request], Awaitable[Any]], methods: list[str]) -> Route:
    """A control endpoint: the handler returns JSON-able data; a ``ControlError`` becomes a 400."""

    async def endpoint(request: Request) -> Response:
        try:
            result = await handler(request)
        except ControlError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        if isinstance(result, Response):
            return result
        return JSONResponse(result)

    return Route(path, endpoint, methods=methods)


def need(data: dict[str, Any], key: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
    """``data[key]`` checked against ``kind``; a clear ``ControlError`` when missing or of the wrong type."""
    if key not in data or data[key] is None:
        if default is ...:
            raise ControlError(f"{key!r} is required")
        return default
    value = data[key]
    if isinstance(value, bool) and kind in (int, float, (int, float)):
        raise ControlError(f"{key!r} must be a number")
    if not isinstance(value, kind):
        raise ControlError(f"{key!r} has the wrong type ({type(value).__name__})")
    return value


@dataclass
class Fault:
    method: str = ANY
    #: How many calls it still hits; ``None``: every call until cleared.
    times: int | None = 1
    error: Any = None
    http_status: int | None = None
    delay: float = 0.0
    drop: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        return {"method": self.method, "times": "always" if self.times is None else self.times,
                "error": self.error, "http_status": self.http_status, "delay": self.delay, "drop": self.drop,
                **self.extra}


_FAULT_KEYS = {"method", "times", "error", "http_status", "delay", "drop"}


def parse_fault(data: dict[str, Any], extra_keys: tuple[str, ...] = ()) -> Fault:
    """A ``Fault`` from a control request body (see the module docstring)."""
    unknown = set(data) - _FAULT_KEYS - set(extra_keys)
    if unknown:
        raise ControlError(f"unknown fault keys: {sorted(unknown)}")
    times_raw = data.get("times", 1)
    if times_raw == "always":
        times = None
    elif isinstance(times_raw, int) and not isinstance(times_raw, bool) and times_raw >= 1:
        times = times_raw
    else:
        raise ControlError("'times' must be a positive integer or \"always\"")
    fault = Fault(method=need(data, "method", str, ANY), times=times, error=data.get("error"),
                  http_status=need(data, "http_status", int, None), delay=float(need(data, "delay", (int, float), 0)),
                  drop=need(data, "drop", bool, False), extra={k: data[k] for k in extra_keys if k in data})
    if fault.http_status is not None and not 400 <= fault.http_status <= 599:
        raise ControlError("'http_status' must be an HTTP error status (400-599)")
    if fault.delay < 0 or fault.delay > 600:
        raise ControlError("'delay' must be between 0 and 600 seconds")
    if fault.error is None and fault.http_status is None and not fault.drop and not fault.delay:
        raise ControlError("a fault needs 'error', 'http_status', 'drop' or 'delay'")
    return fault


class FaultBook:
    """Armed faults, in the order they were armed; each API call takes the first one matching its method."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def arm(self, fault: Fault) -> None:
        self._faults.append(fault)

    def take(self, method: str) -> Fault | None:
        for fault in self._faults:
            if fault.method in (ANY, method):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        self._faults.clear()

    def describe(self) -> list[dict[str, Any]]:
        return [f.describe() for f in self._faults]


class RateLimit:
    """At most ``per_second`` calls per key in any one-second window; off when ``per_second`` is None."""

    def __init__(self) -> None:
        self.per_second: int | None = None
        self._calls: dict[str, deque[float]] = {}

    def exceeded(self, key: str) -> bool:
        if self.per_second is None:
            return False
        now = time.monotonic()
        calls = self._calls.setdefault(key, deque())
        while calls and now - calls[0] >= 1.0:
            calls.popleft()
        if len(calls) >= self.per_second:
            return True
        calls.append(now)
        return False

    def reset(self) -> None:
        self.per_second = None
        self._calls.clear()


def fault_routes(faults: FaultBook, rate_limit: RateLimit, *, extra_keys: tuple[str, ...] = (),
                 check_error: Callable[[Any], str | None] | None = None) -> list[Route]:
    """The fault and rate-limit part of a control API: ``POST|GET|DELETE /faults``, ``POST /rate_limit``.

    ``extra_keys`` are the network's own fault keys; ``check_error`` returns a message when ``error`` is not
    an error that network can give.
    """

    async def arm(request: Request) -> dict[str, Any]:
        fault = parse_fault(await read_json(request), extra_keys)
        if fault.error is not None and check_error is not None and (problem := check_error(fault.error)):
            raise ControlError(problem)
        faults.arm(fault)
        return {"armed": fault.describe()}

    async def listed(_: Request) -> dict[str, Any]:
        return {"faults": faults.describe(), "rate_limit": rate_limit.per_second}

    async def cleared(_: Request) -> dict[str, Any]:
        faults.clear()
        rate_limit.reset()
        return {"faults": []}

    async def limit(request: Request) -> dict[str, Any]:
        per_second = need(await read_json(request), "per_second", int, None)
        if per_second is not None and per_second < 1:
            raise ControlError("'per_second' must be at least 1 (or null to switch the limit off)")
        rate_limit.reset()
        rate_limit.per_second = per_second
        return {"per_second": per_second}

    return [control_route("/faults", arm, ["POST"]), control_route("/faults", listed, ["GET"]),
            control_route("/faults", cleared, ["DELETE"]), control_route("/rate_limit", limit, ["POST"])]


class DroppedConnection(Response):
    """Starts an answer and never finishes it, so the server closes the socket mid-response.

    The ASGI server logs "returned without completing response"; the client sees its connection broken
    after the request was applied, which is exactly the case idempotency keys exist for.
    """

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")]})


async def apply_delay(fault: Fault | None) -> None:
    if fault is not None and fault.delay:
        await asyncio.sleep(fault.delay)


class BackgroundServer:
    """Serves an ASGI app with uvicorn on a free local port in a thread, for tests and tools.

    Real client libraries need real HTTP; this gives them a base URL and stops cleanly on exit.
    """

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self._config = uvicorn.Config(app, host=host, port=port, log_level="warning", ws="none",
                                      lifespan="on", timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(self._config)
        self._thread = threading.Thread(target=self._server.run, name="emulators", daemon=True)
        self.url = ""

    def start(self) -> str:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the emulator server did not start")
            time.sleep(0.01)
        sock = self._server.servers[0].sockets[0]
        host, port = sock.getsockname()[:2]
        self.url = f"http://{host}:{port}"
        return self.url

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


@contextlib.contextmanager
def serving(app: Any) -> Iterator[str]:
    """``with serving(app) as url:`` the app answers at ``url`` until the block ends."""
    server = BackgroundServer(app)
    try:
        yield server.start()
    finally:
        server.stop()
