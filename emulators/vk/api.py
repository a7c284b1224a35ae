"""The VK API over HTTP: ``/method/<name>``, the Bots Long Poll server and the photo upload server.

Parameters are read from the query string, the form body (urlencoded or multipart) and an
``Authorization: Bearer`` header, as VK accepts them. Every answer is HTTP 200 with ``{"response": ...}``
or ``{"error": ...}``; only injected faults produce other statuses. Checks run in VK's order: token,
version, the method's token types (27 for a community token, 28 for a service token), rate limit,
injected faults, then the method itself.
"""
from __future__ import annotations

import asyncio
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from chorus.emulators.control import (
    DroppedConnection,
    Fault,
    FaultBook,
    RateLimit,
    apply_delay,
)
from chorus.emulators.vk.call import METHODS, Call, MethodSpec
from chorus.emulators.vk.errors import VkError, error_body
from chorus.emulators.vk.methods import groups as _registers_methods  # noqa: F401
from chorus.emulators.vk.world import GROUP, SERVICE, Token, World

LONG_POLL = "longpoll"
MAX_WAIT = 90


async def read_params(request: Request) -> dict[str, str]:
    params = dict(request.query_params)
    if request.method == "POST":
        async with request.form() as form:
            for key, value in form.multi_items():
                if isinstance(value, str):
                    params[key] = value
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer ") and "access_token" not in params:
        params["access_token"] = auth[7:].strip()
    return params


def _authenticate(world: World, params: dict[str, str]) -> Token:
    value = params.get("access_token", "")
    if not value:
        raise VkError(5, "no access_token passed.")
    token = world.tokens.get(value)
    if token is None:
        raise VkError(5, "invalid access_token (4).")
    if token.revoked:
        raise VkError(5, "access_token has expired.")
    return token


def _check_version(params: dict[str, str]) -> None:
    raw = params.get("v", "")
    if not raw:
        raise VkError(8, "v (version) is required")
    try:
        major = float(raw)
    except ValueError:
        raise VkError(8, "invalid v (version) value") from None
    if major < 5:
        raise VkError(8, "versions below 5.0 are no longer supported")


def _check_token_type(spec: MethodSpec, token: Token) -> None:
    if token.kind in spec.token_types:
        return
    if token.kind == GROUP:
        raise VkError(27)
    if token.kind == SERVICE:
        raise VkError(28)
    raise VkError(15, "method is unavailable with user auth")


def _fault_response(fault: Fault | None) -> Response | None:
    if fault is None:
        return None
    if fault.http_status is not None:
        title = f"{fault.http_status} Error"
        return HTMLResponse(f"<html><head><title>{title}</title></head><body><center><h1>{title}</h1></center>"
                            "<hr><center>nginx</center></body></html>", status_code=fault.http_status)
    if fault.error is not None:
        raise VkError(fault.error, fault.extra.get("detail"), captcha_sid=fault.extra.get("captcha_sid", "1"))
    return None


class VkApi:
    """Routes of the VK API over the emulator's ``world``, with its armed ``faults`` and ``rate_limit``."""

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
        routes: list[BaseRoute] = [Route(f"/method/{name}", self._endpoint(spec), methods=["GET", "POST"])
                                   for name, spec in sorted(METHODS.items())]
        routes += [Route("/method/{name}", self._unknown, methods=["GET", "POST"]),
                   Route("/lp/{group_id:int}", self._long_poll, methods=["GET", "POST"]),
                   Route("/vk-upload/photo/{ticket}", self._upload, methods=["POST"])]
        return routes

    def _endpoint(self, spec: MethodSpec):
        async def endpoint(request: Request) -> Response:
            return await self._call(request, spec)

        endpoint.__name__ = spec.name.replace(".", "_")
        return endpoint

    async def _unknown(self, request: Request) -> Response:
        name = request.path_params["name"]
        params = await read_params(request)
        return JSONResponse(error_body(VkError(3, f"no method {name}"), name, params, _base(request)))

    async def _call(self, request: Request, spec: MethodSpec) -> Response:
        params = await read_params(request)
        fault = None
        try:
            token = _authenticate(self.world, params)
            _check_version(params)
            _check_token_type(spec, token)
            if self.rate_limit.exceeded(token.value):
                raise VkError(6)
            fault = self.faults.take(spec.name)
            await apply_delay(fault)
            if (injected := _fault_response(fault)) is not None:
                return injected
            result = spec.handler(Call(spec.name, params, token, self.world, _base(request)))
        except VkError as error:
            return JSONResponse(error_body(error, spec.name, params, _base(request)))
        if fault is not None and fault.drop:
            return DroppedConnection()
        return JSONResponse({"response": result})

    async def _long_poll(self, request: Request) -> Response:
        params = await read_params(request)
        community = self.world.communities.get(request.path_params["group_id"])
        if community is None:
            return JSONResponse({"failed": 2})
        fault = self.faults.take(LONG_POLL)
        await apply_delay(fault)
        if fault is not None and fault.http_status is not None:
            return _fault_response(fault) or Response(status_code=fault.http_status)
        log = community.events
        if params.get("key") not in log.keys:
            return JSONResponse({"failed": 2})
        if log.forced_failure is not None:
            failed, log.forced_failure = log.forced_failure, None
            if failed in (2, 3):
                log.keys.clear()
            if failed in (1, 3):
                log.lose_history()
            return JSONResponse({"failed": 1, "ts": str(log.ts)} if failed == 1 else {"failed": failed})
        try:
            ts = int(params.get("ts", ""))
            wait = min(max(int(params.get("wait", "25")), 0), MAX_WAIT)
        except ValueError:
            return JSONResponse({"failed": 1, "ts": str(log.ts)})
        deadline = time.monotonic() + wait
        while True:
            self.world.publish_due(community)
            updates = log.since(ts)
            if updates is None:
                return JSONResponse({"failed": 1, "ts": str(log.ts)})
            if updates or time.monotonic() >= deadline or await request.is_disconnected():
                break
            await asyncio.sleep(0.05)
        if fault is not None and fault.drop:
            return DroppedConnection()
        return JSONResponse({"ts": str(log.ts), "updates": updates})

    async def _upload(self, request: Request) -> Response:
        async with request.form() as form:
            upload = form.get("photo") or form.get("file1")
            if upload is None or isinstance(upload, str):
                return JSONResponse({"error": "no file uploaded in the photo field"})
            data = await upload.read()
            content_type = upload.content_type or "application/octet-stream"
        answer = self.world.receive_upload(request.path_params["ticket"], data, content_type)
        if answer is None:
            return JSONResponse({"error": "upload url expired"})
        return JSONResponse(answer)


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")
