"""The Graph API as Chorus calls it: httpx (async), a configurable base URL and version, one Page token.

The token travels in the ``Authorization: Bearer`` header, never in the URL, so no URL that might reach
a log or an exception carries it. Every call passes the usage gate first, and every answer (errors too)
feeds the gate its usage headers. Nothing httpx raises leaves this module: see ``outcomes.py``.
"""
from __future__ import annotations

import hashlib
import re
from typing import Any

import httpx

from chorus.networks.errors import NetworkError, NotFound, PermissionMissing
from chorus.networks.facebook import usage
from chorus.networks.facebook.outcomes import THROTTLED, graph_error, transport_error

GRAPH_URL = "https://graph.facebook.com"
_NODE = re.compile(r"^[A-Za-z0-9_]{1,80}$")


class GraphApi:
    def __init__(self, token: str | None, *, base_url: str | None, version: str, timeout_s: float = 20.0,
                 max_wait: float = 30.0, gate: usage.UsageGate = usage.shared) -> None:
        if not re.fullmatch(r"v\d+\.\d+", version):
            raise ValueError(f"a Graph API version looks like 'v21.0', not {version!r}")
        self._token = token
        self._key = hashlib.sha256((token or "").encode()).hexdigest()[:16]
        self._gate = gate
        self._max_wait = max_wait
        self._base = f"{(base_url or GRAPH_URL).rstrip('/')}/{version}/"
        self._timeout = httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0))
        self._http: httpx.AsyncClient | None = None

    async def get(self, node: str, edge: str | None = None, **params: Any) -> dict[str, Any]:
        return await self._request("GET", node, edge, params=params, write=False)

    async def post(self, node: str, edge: str | None = None, *, data: dict[str, Any] | None = None,
                   files: dict[str, tuple[str, bytes, str]] | None = None) -> dict[str, Any]:
        return await self._request("POST", node, edge, data=data, files=files, write=True)

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def _request(self, method: str, node: str, edge: str | None, *, params: dict[str, Any] | None = None,
                       data: dict[str, Any] | None = None, files: dict[str, Any] | None = None,
                       write: bool) -> dict[str, Any]:
        if not self._token:
            raise PermissionMissing("this Facebook account has no 'page' token")
        if not _NODE.match(node):
            raise NotFound(f"{node[:80]!r} is not a Facebook object id")
        path = f"{node}/{edge}" if edge else node
        await self._gate.acquire(self._key, self._max_wait)
        try:
            response = await self._client().request(method, path, params=_plain(params), data=_plain(data),
                                                    files=files)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise transport_error(type(exc).__name__, sent=False, write=write) from None
        except httpx.TransportError as exc:  # read/write timeouts, protocol errors, a dropped connection
            raise transport_error(type(exc).__name__, sent=True, write=write) from None
        self._gate.observe(self._key, response.headers)
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400 or (isinstance(body, dict) and isinstance(body.get("error"), dict)):
            error = graph_error(response.status_code, body, response.headers)
            self._throttled(error)
            raise error
        if not isinstance(body, dict):
            raise transport_error("an answer that is not a JSON object", sent=True, write=write)
        return body

    def _throttled(self, error: NetworkError) -> None:
        if error.code in THROTTLED and error.retry_after:
            self._gate.block(self._key, error.retry_after)

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(base_url=self._base, timeout=self._timeout,
                                           headers={"Authorization": f"Bearer {self._token}"},
                                           follow_redirects=False)
        return self._http


def _plain(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """Graph parameters as strings (booleans as ``true``/``false``); ``None`` values left out."""
    if values is None:
        return None
    out = {}
    for key, value in values.items():
        if value is None:
            continue
        out[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return out
