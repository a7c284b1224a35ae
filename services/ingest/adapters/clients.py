"""Building an account's network client with ingest's long poll wait (the adapters' own defaults otherwise).

The adapters are imported when ingest starts, not when the first account of a network is read: importing
aiogram or tweepy takes seconds, which inside the event loop would hold up lease renewals.
"""
from __future__ import annotations

from chorus.events.values import Network
from chorus.networks import client_for, facebook, telegram, vk, x
from chorus.networks.base import AccountClient, Endpoints
from chorus.networks.credentials import Credentials

ADAPTERS = {Network.VK: vk, Network.X: x, Network.TELEGRAM: telegram, Network.FACEBOOK: facebook}


def make_client(credentials: Credentials, endpoints: Endpoints, *, long_poll_wait_s: int) -> AccountClient:
    """Raises ``ValueError`` when the stored credentials cannot make a client (a bad id or setting)."""
    if credentials.network is Network.VK:
        return vk.client(credentials, endpoints, long_poll_wait=long_poll_wait_s)
    if credentials.network is Network.TELEGRAM:
        return telegram.client(credentials, endpoints, poll_wait=long_poll_wait_s)
    return client_for(credentials, endpoints)
