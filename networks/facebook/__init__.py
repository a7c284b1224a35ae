"""Facebook Pages over the Graph API with httpx: comment polling, replies, posts, native scheduling, stats.

``client(credentials, endpoints)`` builds the ``AccountClient``; see ``client.py`` for the token and
settings, ``reader.py`` for how comments are polled and what the cursor trades off, ``outcomes.py``
for the error codes, ``usage.py`` for how Chorus stays under the Graph API's limits.
"""
from __future__ import annotations

from chorus.networks.base import Endpoints
from chorus.networks.credentials import Credentials
from chorus.networks.facebook.client import FacebookClient


def client(credentials: Credentials, endpoints: Endpoints) -> FacebookClient:
    """The ``AccountClient`` for one Page; ``endpoints.facebook`` (+ ``facebook_version``) says where Graph is."""
    return FacebookClient(credentials, endpoints)


__all__ = ["FacebookClient", "client"]
