"""Building an account's network client with ingest's long poll wait (the adapters' own defaults otherwise)."""
from __future__ import annotations

from chorus.events.values import Network
from chorus.networks import client_for
from chorus.networks.base import AccountClient, Endpoints
from chorus.networks.credentials import Credentials


def make_client(credentials: Credentials, endpoints: Endpoints, *, long_poll_wait_s: int) -> AccountClient:
    """Raises ``ValueError`` when the stored credentials cannot make a client (a bad id or setting)."""
    if credentials.network is Network.VK:
        from chorus.networks import vk

        return vk.client(credentials, endpoints, long_poll_wait=long_poll_wait_s)
    if credentials.network is Network.TELEGRAM:
        from chorus.networks import telegram

        return telegram.client(credentials, endpoints, poll_wait=long_poll_wait_s)
    return client_for(credentials, endpoints)
