"""X (Twitter) over tweepy's API v2 ``AsyncClient``: mentions, brand-keyword search, replies, posts, stats.

``client(credentials, endpoints)`` builds the ``AccountClient``; see ``client.py`` for the token kinds and
settings, ``mapping.py`` for which posts become comments and which mentions, ``readers.py`` for the
cursor format, ``ratelimit.py`` for how Chorus stays under X's rate limits.
"""
from __future__ import annotations

from chorus.networks.base import Endpoints
from chorus.networks.credentials import Credentials
from chorus.networks.x.client import XClient


def client(credentials: Credentials, endpoints: Endpoints) -> XClient:
    """The X ``AccountClient`` for one account; ``endpoints.x`` points it at an emulator or proxy."""
    return XClient(credentials, endpoints)


__all__ = ["XClient", "client"]
