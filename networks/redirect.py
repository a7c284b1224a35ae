"""Pointing a real client library at another base URL (a local emulator, a proxy, a regional mirror).

The libraries build their URLs from constants (``https://api.vk.ru/method/...``,
``https://api.twitter.com/2/...``); a ``requests`` transport adapter mounted on those prefixes keeps the
path and query and swaps the scheme, host and port. It is configuration, not a test hook: with no
endpoint configured nothing is mounted and the library talks to the real network.
"""
from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter


class RedirectAdapter(HTTPAdapter):
    def __init__(self, target: str, **kwargs: object) -> None:
        super().__init__(**kwargs)
        parts = urlsplit(target)
        self._scheme, self._netloc, self._prefix = parts.scheme, parts.netloc, parts.path.rstrip("/")

    def send(self, request, **kwargs):  # type: ignore[override]
        url = urlsplit(request.url)
        request.url = urlunsplit((self._scheme, self._netloc, self._prefix + url.path, url.query, url.fragment))
        return super().send(request, **kwargs)


def redirected_session(target: str | None, prefixes: Iterable[str],
                       session: requests.Session | None = None) -> requests.Session:
    """A session sending requests for ``prefixes`` to ``target`` (unchanged when ``target`` is None)."""
    session = session or requests.Session()
    if target:
        for prefix in prefixes:
            session.mount(prefix, RedirectAdapter(target))
    return session
