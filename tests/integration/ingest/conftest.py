"""Fixtures of the ingest integration tests; the helpers they use live in ``ingest_support``."""
from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator

import pytest
from cryptography.fernet import Fernet
from ingest_support import BUCKETS, Emulators, IngestProcess
from nats.js.errors import NotFoundError

from chorus.backbone.natsserver import free_port


@pytest.fixture(scope="module")
def emulator_server() -> Iterator[Emulators]:
    emulators = Emulators()
    emulators.start()
    yield emulators
    emulators.stop()


@pytest.fixture
async def emulators(emulator_server: Emulators) -> Emulators:
    if emulator_server._server is None:  # a test stopped it (an outage) and failed before starting it again
        emulator_server.start()
    await emulator_server.reset()
    return emulator_server


@pytest.fixture
def secret_key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture
async def clean_buckets(js) -> None:
    for name in BUCKETS:
        with contextlib.suppress(NotFoundError):
            await js.delete_key_value(name)


@pytest.fixture
def ingest_env(nats_server, emulators, secret_key, tmp_path, clean_buckets) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHORUS_", "NATS_URL", "DATABASE_URL"))}
    env.update({
        "NATS_URL": nats_server.url, "CHORUS_SECRET_KEY": secret_key, "CHORUS_DATA_DIR": str(tmp_path / "data"),
        "CHORUS_HTTP_PORT": str(free_port()), "CHORUS_INSTANCE": "ingest-a",
        "CHORUS_VK_API_URL": emulators.url, "CHORUS_X_API_URL": emulators.url,
        "CHORUS_TELEGRAM_API_URL": emulators.url, "CHORUS_FACEBOOK_API_URL": emulators.url,
        "CHORUS_INGEST_POLL_INTERVAL_S": "0.3", "CHORUS_INGEST_LONG_POLL_WAIT_S": "1",
        "CHORUS_INGEST_POLL_TIMEOUT_S": "15", "CHORUS_INGEST_BACKOFF_MIN_S": "0.2",
        "CHORUS_INGEST_BACKOFF_MAX_S": "1", "CHORUS_INGEST_LEASE_TTL_S": "2", "CHORUS_INGEST_LEASE_RENEW_S": "0.5",
        "CHORUS_INGEST_STATUS_INTERVAL_S": "0.2", "CHORUS_INGEST_THREADS": "32",
    })
    return env


@pytest.fixture
def ingest_processes(tmp_path) -> Iterator[Callable[[dict[str, str]], IngestProcess]]:
    made: list[IngestProcess] = []

    def make(env: dict[str, str]) -> IngestProcess:
        made.append(IngestProcess(env, tmp_path / f"ingest-{len(made)}.log"))
        return made[-1]

    yield make
    for process in made:
        process.kill()
