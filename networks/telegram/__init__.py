"""Telegram channels through a bot, on aiogram: ``client(credentials, endpoints)`` gives the ``AccountClient``.

Credentials: ``external_id`` is the channel's chat id (``-100...``); the token kind is ``bot``; settings
``channel_id`` and ``discussion_id`` (optional, see ``client``). Ids and the cursor are described in
``mapping`` and ``updates``; what the Bot API cannot do and what the adapter does instead in ``client``
and ``readback``.
"""
from __future__ import annotations

from chorus.networks.base import Endpoints
from chorus.networks.credentials import Credentials
from chorus.networks.telegram.client import TelegramClient
from chorus.networks.telegram.features import FEATURES, features_for
from chorus.networks.telegram.transport import DEFAULT_TIMEOUT


def client(credentials: Credentials, endpoints: Endpoints, *, timeout: float = DEFAULT_TIMEOUT,
           poll_wait: int = 25) -> TelegramClient:
    """The Telegram ``AccountClient`` for one channel.

    ``timeout`` is the seconds one API call may take; ``poll_wait`` how long one getUpdates long poll waits.
    """
    return TelegramClient(credentials, endpoints, timeout=timeout, poll_wait=poll_wait)


__all__ = ["FEATURES", "TelegramClient", "client", "features_for"]
