"""How X failures reach Chorus: every error class, rate limits, timeouts and broken connections."""
from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from chorus.events import Network
from chorus.networks import x
from chorus.networks.base import Endpoints
from chorus.networks.credentials import Credentials
from chorus.networks.errors import (
    ContentRejected,
    NetworkError,
    NotFound,
    OutcomeUnknown,
    PermissionMissing,
    RetryLater,
    TokenInvalid,
)

MENTIONS = "GET /2/users/:id/mentions"


async def credentials(control: httpx.AsyncClient, **settings: Any) -> Credentials:
    # fresh tokens every test: the rate limiter is per token and shared by the process
    created = (await control.post("/accounts", json={"username": "brand"})).json()
    return Credentials(account_id="acc", workspace_id="ws", network=Network.X, external_id=created["id"],
                       tokens=created["tokens"], settings=settings)


@pytest.fixture
async def client(control: httpx.AsyncClient, server: str) -> AsyncIterator[Any]:
    account = x.client(await credentials(control), Endpoints(x=server))
    yield account
    await account.close()


async def fault(control: httpx.AsyncClient, **body: Any) -> None:
    response = await control.post("/faults", json=body)
    assert response.status_code == 200, response.text


async def read(client) -> Any:
    return await client.readers([])[0].poll(None)


async def test_a_revoked_token_is_token_invalid_and_never_shows_the_token(control, server):
    account = await credentials(control)
    await control.post("/tokens/revoke", json={"token": account.tokens["bearer"]})
    client = x.client(account, Endpoints(x=server))
    try:
        with pytest.raises(TokenInvalid) as caught:
            await read(client)
    finally:
        await client.close()
    everything = f"{caught.value} {caught.value.detail} {caught.value.raw} {caught.value!r}"
    assert account.tokens["bearer"] not in everything and caught.value.code == 401


async def test_duplicate_content_is_content_rejected(control, client):
    await client.publish_post("Одинаковый текст", [], None, key="a")
    with pytest.raises(ContentRejected, match="duplicate"):
        await client.publish_post("Одинаковый текст", [], None, key="b")
    assert len((await control.get("/sent")).json()["sent"]) == 1


async def test_a_429_is_retry_later_until_the_reset_and_the_next_call_waits_for_it(control, client):
    await fault(control, method=MENTIONS, error="rate_limit", reset_in=1)
    with pytest.raises(RetryLater) as caught:
        await read(client)
    assert 0 < caught.value.retry_after <= 3 and caught.value.code == 429
    started = time.monotonic()
    batch = await read(client)  # the limiter saw remaining=0: it waits for the reset instead of calling
    assert batch.events == [] and 0.2 < time.monotonic() - started < 4


async def test_a_long_rate_limit_window_is_retry_later_without_calling_x_again(control, client):
    await fault(control, method=MENTIONS, error="rate_limit", reset_in=120, times=2)
    with pytest.raises(RetryLater) as first:
        await read(client)
    with pytest.raises(RetryLater) as second:
        await read(client)
    assert first.value.retry_after > 100 and second.value.retry_after > 100
    [left] = (await control.get("/faults")).json()["faults"]
    assert left["times"] == 1  # the second poll stopped before the limit, X never saw it


async def test_the_limiter_stops_before_the_limit_and_resumes_after_the_reset(control, client):
    await control.post("/rate_limits", json={"endpoint": MENTIONS, "limit": 2, "window": 1})
    started = time.monotonic()
    for _ in range(3):
        await read(client)  # never a 429: the third call waits for the window X announced
    assert time.monotonic() - started > 0.2


async def test_an_unknown_post_is_not_found(control, client):
    with pytest.raises(NotFound):
        await client.reply_to_comment("1", "1234567890123", "ответ", key="k")


async def test_a_404_from_x_is_not_found(control, client):
    await fault(control, method="GET /2/users/:id", error="not_found")
    with pytest.raises(NotFound):
        await client.stats()


@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors_are_retry_later(control, client, status):
    await fault(control, method=MENTIONS, http_status=status)
    with pytest.raises(RetryLater) as caught:
        await read(client)
    assert caught.value.retry_after and caught.value.code == status


async def test_an_invalid_request_is_content_rejected(control, client):
    with pytest.raises(ContentRejected):
        await client.publish_post("x" * 281, [], None, key="too-long")


async def test_a_forbidden_action_is_permission_missing(control, client):
    await fault(control, method="POST /2/tweets", error="forbidden", detail="You are not permitted to perform this")
    with pytest.raises(PermissionMissing):
        await client.publish_post("hello", [], None, key="k")


async def test_a_timeout_is_retry_later_for_a_read_and_unknown_for_a_write(control, server):
    account = x.client(await credentials(control, http_timeout=0.3), Endpoints(x=server))
    try:
        await fault(control, method=MENTIONS, delay=1)
        with pytest.raises(RetryLater):
            await read(account)
        await fault(control, method="POST /2/tweets", delay=1)
        with pytest.raises(OutcomeUnknown):
            await account.publish_post("slow", [], None, key="k")
    finally:
        await account.close()


async def test_a_dropped_connection_is_retry_later_for_a_read(control, client):
    await fault(control, method=MENTIONS, drop=True)
    with pytest.raises(RetryLater):
        await read(client)


async def test_a_refused_connection_is_retry_later_even_for_a_write(control):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    account = x.client(await credentials(control), Endpoints(x=f"http://127.0.0.1:{closed_port}"))
    try:
        with pytest.raises(RetryLater):
            await account.publish_post("never sent", [], None, key="k")
    finally:
        await account.close()


async def test_every_failure_is_a_network_error_never_a_library_exception(control, client):
    for body in ({"http_status": 502}, {"error": "invalid"}, {"error": "unauthorized"}, {"drop": True}):
        await fault(control, method="*", **body)
        with pytest.raises(NetworkError):
            await read(client)
