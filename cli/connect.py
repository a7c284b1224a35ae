"""Connecting a command to the running system's NATS (from ``NATS_URL`` or the run file)."""
from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from nats.aio.client import Client

from chorus.backbone.jetstream import connect
from chorus.backbone.settings import DEFAULT_NATS_URL, env_str, nats_urls
from chorus.cli import runfile


def nats_url() -> str:
    return env_str(runfile.environment(), "NATS_URL", DEFAULT_NATS_URL)


@contextlib.asynccontextmanager
async def nats_connection(name: str) -> AsyncIterator[Client]:
    nc = await connect(nats_urls(nats_url()), name, attempts=2)
    try:
        yield nc
    finally:
        await nc.close()
