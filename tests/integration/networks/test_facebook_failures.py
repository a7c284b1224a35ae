"""How Graph API failures reach Chorus: each error code, usage headers, timeouts and broken connections."""
from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from chorus.events import Network
from chorus.networks import facebook
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

FEED = "GET /{page-id}/feed"


async def credentials(control: httpx.AsyncClient, **settings: Any) -> Credentials:
    # a fresh Page token every test: the usage gate is per token and shared by the process
    created = (await control.post("/pages", json={"name": "Brand"})).json()
    return Credentials(account_id="acc", workspace_id="ws", network=Network.FACEBOOK, external_id=created["id"],
                       tokens=created["tokens"], settings=settings)


@pytest.fixture
async def client(control: httpx.AsyncClient, server: str) -> AsyncIterator[Any]:
    page = facebook.client(await credentials(control), Endpoints(facebook=server))
    yield page
    await page.close()


async def fault(control: httpx.AsyncClient, **body: Any) -> None:
    response = await control.post("/faults", json=body)
    assert response.status_code == 200, response.text


async def read(client) -> Any:
    return await client.readers([])[0].poll(None)


@pytest.mark.parametrize(("code", "outcome"), [
    (1, RetryLater), (2, RetryLater), (4, RetryLater), (17, RetryLater), (32, RetryLater), (613, RetryLater),
    (80001, RetryLater), (368, RetryLater), (190, TokenInvalid), (102, TokenInvalid), (463, TokenInvalid),
    (467, TokenInvalid), (10, PermissionMissing), (200, PermissionMissing), (299, PermissionMissing),
    (100, ContentRejected), (506, ContentRejected),
])
async def test_each_graph_error_code_maps_to_its_outcome(control, client, code, outcome):
    await fault(control, method=FEED, error=code)
    with pytest.raises(outcome) as caught:
        await read(client)
    assert type(caught.value) is outcome and caught.value.code == code
    assert caught.value.raw["fbtrace_id"]


async def test_a_missing_object_is_not_found(control, client):
    with pytest.raises(NotFound):
        await client.reply_to_comment("1_2", "3_4", "ответ", key="k")


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80001])
async def test_throttling_waits_as_long_as_facebook_estimates(control, client, code):
    await fault(control, method=FEED, error=code, estimated_time_to_regain_access=3)
    with pytest.raises(RetryLater) as caught:
        await read(client)
    assert caught.value.retry_after == 180  # minutes in the header, seconds for Chorus
    with pytest.raises(RetryLater) as again:
        await read(client)  # the gate holds the token: Facebook is not called again meanwhile
    assert again.value.retry_after > 170
    assert (await control.get("/faults")).json()["faults"] == []


async def test_a_page_at_its_call_volume_limit_is_held_back_for_the_estimated_time(control, client):
    await control.post("/rate_limits", json={"calls": 2, "window": 60, "code": 32, "regain_minutes": 2})
    await client.stats()
    await client.stats()  # the answer reports 100% used, regained in 2 minutes
    with pytest.raises(RetryLater) as caught:
        await client.stats()
    assert 110 < caught.value.retry_after <= 120


async def test_usage_near_the_limit_stops_calls_before_facebook_refuses_them(control, client):
    await control.post("/usage", json={"call_count": 95, "estimated_time_to_regain_access": 5})
    await client.stats()  # succeeds, and reports 95% of the window used
    await control.post("/usage", json={})
    with pytest.raises(RetryLater) as caught:
        await client.stats()
    assert caught.value.retry_after > 290


async def test_a_revoked_token_is_token_invalid_and_never_shows_the_token(control, server):
    page = await credentials(control)
    await control.post("/tokens/revoke", json={"token": page.tokens["page"]})
    client = facebook.client(page, Endpoints(facebook=server))
    try:
        with pytest.raises(TokenInvalid) as caught:
            await client.verify()
    finally:
        await client.close()
    everything = f"{caught.value} {caught.value.detail} {caught.value.raw} {caught.value!r}"
    assert page.tokens["page"] not in everything and caught.value.code == 190


async def test_a_server_error_without_a_graph_body_is_retry_later(control, client):
    await fault(control, method=FEED, http_status=502)
    with pytest.raises(RetryLater):
        await read(client)


async def test_a_timeout_is_retry_later_for_a_read_and_unknown_for_a_write(control, server):
    page = await credentials(control, http_timeout=0.3)
    client = facebook.client(page, Endpoints(facebook=server))
    posted = (await control.post("/posts", json={"page_id": page.external_id, "message": "Пост"})).json()
    try:
        await fault(control, method=FEED, delay=1)
        with pytest.raises(RetryLater):
            await read(client)
        await fault(control, method="POST /{object-id}/comments", delay=1)
        with pytest.raises(OutcomeUnknown):
            await client.reply_to_comment(posted["id"], None, "медленно", key="k")
    finally:
        await client.close()


async def test_a_dropped_connection_is_retry_later_for_a_read(control, client):
    await fault(control, method=FEED, drop=True)
    with pytest.raises(RetryLater):
        await read(client)


async def test_a_refused_connection_is_retry_later_even_for_a_write(control):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    client = facebook.client(await credentials(control), Endpoints(facebook=f"http://127.0.0.1:{closed_port}"))
    try:
        with pytest.raises(RetryLater):
            await client.reply_to_comment("1_2", None, "never sent", key="k")
    finally:
        await client.close()


async def test_every_failure_is_a_network_error_never_a_library_exception(control, client):
    for body in ({"http_status": 503}, {"error": 100, "http_status": 404}, {"drop": True}, {"error": 999}):
        await fault(control, method="*", **body)
        with pytest.raises(NetworkError):
            await read(client)
