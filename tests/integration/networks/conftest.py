"""Each network test module gets its network's emulator over real HTTP, and its control API reset per test.

The network is the module's: ``test_vk_*.py`` runs against the VK emulator, ``test_x_*.py`` against X, ...
"""
from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from chorus.emulators.control import serving
from chorus.emulators.server import NETWORKS, build_app


def _network(request: pytest.FixtureRequest) -> str:
    name = request.module.__name__.rsplit(".", 1)[-1]
    found = [n for n in NETWORKS if name.startswith(f"test_{n}_")]
    if not found:
        raise pytest.UsageError(f"{name}: name network test modules test_<network>_*.py")
    return found[0]


@pytest.fixture(scope="module")
def emulator(request: pytest.FixtureRequest) -> Any:
    return importlib.import_module(f"chorus.emulators.{_network(request)}").build()


@pytest.fixture(scope="module")
def server(emulator: Any) -> Iterator[str]:
    with serving(build_app([emulator])) as url:
        yield url


@pytest.fixture
async def control(server: str, request: pytest.FixtureRequest) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{server}/_control/{_network(request)}", timeout=10) as http:
        await http.post("/reset")
        yield http
