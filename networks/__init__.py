"""The only code in Chorus that speaks a network's API (see ``base.py`` for the shape of an adapter).

Each network package (``vk``, ``x``, ``telegram``, ``facebook``) exposes
``client(credentials, endpoints) -> AccountClient``.
"""
from __future__ import annotations

import importlib

from chorus.networks.base import AccountClient, Endpoints
from chorus.networks.credentials import Credentials


def client_for(credentials: Credentials, endpoints: Endpoints) -> AccountClient:
    module = importlib.import_module(f"chorus.networks.{credentials.network.value}")
    return module.client(credentials, endpoints)
