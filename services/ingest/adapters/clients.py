"""Building an account's network client with ingest's long poll wait (the adapters' own defaults otherwise).

An adapter is imported the first time an account of its network is read, in a worker thread: importing
aiogram takes seconds, which inside the event loop would hold up lease renewals, and importing every
adapter at start would slow every start down for networks nobody connected.
"""
from __future__ import annotations

import asyncio
import importlib
from types import ModuleType

from chorus.events.values import Network
from chorus.networks.base import AccountClient, Endpoints
from chorus.networks.credentials import Credentials

_loaded: dict[Network, ModuleType] = {}
_loading: dict[Network, asyncio.Future] = {}


async def load_adapter(network: Network) -> ModuleType:
    """The adapter package of ``network``, imported off the event loop (once per process)."""
    if network in _loaded:
        return _loaded[network]
    if network not in _loading:
        _loading[network] = asyncio.ensure_future(
            asyncio.to_thread(importlib.import_module, f"chorus.networks.{network.value}"))
    module = await asyncio.shield(_loading[network])
    _loaded[network] = module
    return module


def make_client(credentials: Credentials, endpoints: Endpoints, *, long_poll_wait_s: int) -> AccountClient:
    """The client (``load_adapter`` first). ``ValueError`` when the stored credentials cannot make one."""
    adapter = _loaded[credentials.network]
    if credentials.network is Network.VK:
        return adapter.client(credentials, endpoints, long_poll_wait=long_poll_wait_s)
    if credentials.network is Network.TELEGRAM:
        return adapter.client(credentials, endpoints, poll_wait=long_poll_wait_s)
    return adapter.client(credentials, endpoints)
