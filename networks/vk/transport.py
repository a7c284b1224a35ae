"""Calls to the VK API on vk_api, one ``VkApi`` per token, off the event loop, with Chorus outcomes.

vk_api is blocking, so each call waits for its token's rate limiter on the loop and then runs in a worker
thread (``asyncio.to_thread``). vk_api's own pacing (``RPS_DELAY``) is switched off because ``limiter``
paces per token for the whole process. vk_api's handlers that would retry error 6 forever or ask a
person for a captcha are removed: both become ``RetryLater`` here. vk_api sends no timeout, so the
session adds one: a write that times out is reported as ``OutcomeUnknown``, never silently retried.
"""
from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import requests
import vk_api
from vk_api.exceptions import (
    CAPTCHA_ERROR_CODE,
    NEED_VALIDATION_CODE,
    TOO_MANY_RPS_CODE,
    ApiError,
    ApiHttpError,
)

from chorus.networks.errors import PermissionMissing, RetryLater
from chorus.networks.redirect import redirected_session
from chorus.networks.vk import errors
from chorus.networks.vk.limiter import DEFAULT_RATES, Limiter, limiter_for

API_VERSION = "5.199"
API_PREFIXES = ("https://api.vk.ru/", "https://api.vk.com/")
#: (connect, read) seconds for API calls; long polls add their own ``wait``.
DEFAULT_TIMEOUT = (5.0, 30.0)


class _TimeoutSession(requests.Session):
    """A session that applies a default timeout to every request (vk_api passes none)."""

    def __init__(self, timeout: float | tuple[float, float]) -> None:
        super().__init__()
        self.default_timeout = timeout

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.default_timeout)
        return super().request(method, url, *args, **kwargs)


class VkTransport:
    """The account's tokens (``community``, ``user``) ready to call VK through vk_api."""

    def __init__(self, tokens: Mapping[str, str], endpoint: str | None, *,
                 rates: Mapping[str, float] | None = None,
                 timeout: float | tuple[float, float] = DEFAULT_TIMEOUT) -> None:
        rates = {**DEFAULT_RATES, **(rates or {})}
        self._apis: dict[str, tuple[vk_api.VkApi, Limiter]] = {}
        # Long polls and uploads go to absolute URLs VK hands out, on their own session, so a long poll
        # waiting in one thread never shares a connection pool with API calls in another.
        self._plain = _TimeoutSession(timeout)
        for kind, api_class in (("community", vk_api.VkApiGroup), ("user", vk_api.VkApi)):
            token = tokens.get(kind)
            if not token:
                continue
            session = redirected_session(endpoint, API_PREFIXES, session=_TimeoutSession(timeout))
            api = api_class(token=token, api_version=API_VERSION, session=session)
            api.RPS_DELAY = 0
            for code in (TOO_MANY_RPS_CODE, CAPTCHA_ERROR_CODE, NEED_VALIDATION_CODE):
                api.error_handlers.pop(code, None)
            self._apis[kind] = (api, limiter_for(token, rates[kind]))

    def has(self, kind: str) -> bool:
        return kind in self._apis

    @property
    def kinds(self) -> list[str]:
        return sorted(self._apis)

    def pick(self, *kinds: str, purpose: str) -> str:
        """The first of ``kinds`` this account has a token of, or ``PermissionMissing`` naming the purpose."""
        for kind in kinds:
            if kind in self._apis:
                return kind
        raise PermissionMissing(f"VK: {purpose} needs a {' or '.join(kinds)} token, and the account has none",
                                code="token_kind")

    async def call(self, kind: str, method: str, params: Mapping[str, Any] | None = None, *,
                   write: bool = False) -> Any:
        """``method`` with the ``kind`` token; lists are comma-joined and ``None`` values left out."""
        if kind not in self._apis:
            self.pick(kind, purpose=method)
        api, limiter = self._apis[kind]
        values = {k: ",".join(map(str, v)) if isinstance(v, (list, tuple)) else v
                  for k, v in (params or {}).items() if v is not None}
        await limiter.wait()
        try:
            return await asyncio.to_thread(api.method, method, values)
        except ApiError as error:
            raise errors.from_api_error(error, method, kind) from None
        except ApiHttpError as error:
            raise errors.from_http_error(error, method) from None
        except (requests.RequestException, ValueError, KeyError, TypeError) as error:
            raise errors.from_transport_error(error, method, write=write) from None

    async def get_json(self, url: str, params: Mapping[str, Any], timeout: float) -> Any:
        """A plain GET answered with JSON (the long poll server); failures are ``RetryLater``."""
        try:
            response = await asyncio.to_thread(self._plain.get, url, params=dict(params), timeout=timeout)
            if not response.ok:
                raise RetryLater(f"VK long poll: HTTP {response.status_code}", code=f"http_{response.status_code}",
                                 retry_after=5.0)
            return response.json()
        except (requests.RequestException, ValueError) as error:
            raise RetryLater(f"VK long poll: {type(error).__name__}", code="transport", retry_after=5.0) from None

    async def upload(self, url: str, field: str, name: str, content_type: str, data: bytes) -> Any:
        """A multipart upload to a VK upload server (an absolute URL VK returned)."""
        try:
            response = await asyncio.to_thread(self._plain.post, url, files={field: (name, data, content_type)})
            if not response.ok:
                raise RetryLater(f"VK upload: HTTP {response.status_code}", code=f"http_{response.status_code}",
                                 retry_after=5.0)
            return response.json()
        except (requests.RequestException, ValueError) as error:
            raise RetryLater(f"VK upload: {type(error).__name__}", code="transport", retry_after=5.0) from None

    def close(self) -> None:
        for api, _ in self._apis.values():
            api.http.close()
        self._apis.clear()
        self._plain.close()
