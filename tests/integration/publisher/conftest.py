"""Fixtures of the publisher's integration tests: the emulators of every network, and connected accounts."""
from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from nats.js.errors import BucketNotFoundError, NotFoundError
from publisher_harness import Net

from chorus.backbone.store import EventStore
from chorus.emulators.control import serving
from chorus.emulators.server import build_app, load
from chorus.networks.base import Endpoints
from chorus.networks.credentials import BUCKET, CredentialStore, generate_key


@pytest.fixture(scope="session")
def emulator() -> Iterator[str]:
    with serving(build_app(load())) as url:
        yield url


@pytest.fixture
async def control(emulator: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{emulator}/_control", timeout=30) as http:
        for network in ("vk", "x", "telegram", "facebook"):
            (await http.post(f"/{network}/reset")).raise_for_status()
        yield http


@pytest.fixture
async def net(control: httpx.AsyncClient, store: EventStore, js, emulator: str) -> Net:
    with contextlib.suppress(NotFoundError, BucketNotFoundError):
        await js.delete_key_value(BUCKET)  # the emulators were reset: so are the accounts
    key = generate_key()
    endpoints = Endpoints(vk=emulator, x=emulator, telegram=emulator, facebook=emulator)
    return Net(control, store, CredentialStore(js, key.encode()), endpoints, key)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'publisher.db'}"
