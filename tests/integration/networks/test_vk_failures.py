"""How VK failures reach Chorus: every error class, timeouts, dropped connections, rate limits, no token leaks."""
from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from chorus.events.values import Network
from chorus.networks import vk
from chorus.networks.base import Endpoints
from chorus.networks.credentials import Credentials
from chorus.networks.errors import (
    ContentRejected,
    NetworkError,
    OutcomeUnknown,
    PermissionMissing,
    RetryLater,
    TokenInvalid,
)
from chorus.networks.vk.limiter import Limiter
from chorus.networks.vk.transport import VkTransport

FAST = {"community": 1000.0, "user": 1000.0}


async def post(control: httpx.AsyncClient, path: str, **body: Any) -> dict[str, Any]:
    answer = await control.post(path, json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.fixture
async def made(control: httpx.AsyncClient) -> dict[str, Any]:
    return await post(control, "/communities", name="Магазин")


def credentials(made: dict[str, Any]) -> Credentials:
    return Credentials(account_id="acc-vk", workspace_id="ws", network=Network.VK, external_id=str(made["id"]),
                       tokens={"community": made["community_token"], "user": made["user_token"]})


@pytest.fixture
async def client(made: dict[str, Any], server: str) -> AsyncIterator[vk.VkClient]:
    account = vk.client(credentials(made), Endpoints(vk=server), rates=FAST, timeout=(2, 0.5), long_poll_wait=0)
    yield account
    await account.close()


async def reply(control: httpx.AsyncClient, client: vk.VkClient, made: dict[str, Any], key: str = "k") -> Any:
    created = await post(control, f"/communities/{made['id']}/comments", text="?")
    post_id = f"-{made['id']}_{created['post_id']}"
    return await client.reply_to_comment(post_id, f"{post_id}_{created['comment_id']}", "Ответ", key)


def assert_no_token(error: NetworkError, made: dict[str, Any]) -> None:
    for token in (made["community_token"], made["user_token"]):
        assert token not in str(error) and token not in repr(error.raw) and token not in error.detail


@pytest.mark.parametrize(("code", "outcome"), [
    (5, TokenInvalid), (6, RetryLater), (9, RetryLater), (10, RetryLater), (29, RetryLater), (14, RetryLater),
    (7, PermissionMissing), (15, PermissionMissing), (27, PermissionMissing), (203, PermissionMissing),
    (212, PermissionMissing), (213, PermissionMissing), (901, PermissionMissing),
    (100, ContentRejected), (222, ContentRejected), (224, ContentRejected), (914, ContentRejected),
])
async def test_each_vk_error_code_becomes_its_outcome(control: httpx.AsyncClient, client: vk.VkClient,
                                                      made: dict[str, Any], code: int,
                                                      outcome: type[NetworkError]) -> None:
    await post(control, "/faults", method="wall.createComment", error=code)
    with pytest.raises(NetworkError) as raised:
        await reply(control, client, made)
    assert type(raised.value) is outcome and raised.value.code == code
    assert_no_token(raised.value, made)
    if outcome is RetryLater:
        assert raised.value.retry_after and raised.value.retry_after > 0


async def test_too_many_requests_is_not_retried_forever(control: httpx.AsyncClient, client: vk.VkClient,
                                                       made: dict[str, Any]) -> None:
    await post(control, "/faults", method="wall.createComment", error=6, times=3)
    with pytest.raises(RetryLater):
        await reply(control, client, made)
    left = (await control.get("/faults")).json()["faults"]
    assert left and left[0]["times"] == 2, "vk_api's endless retry of error 6 is switched off"


async def test_a_server_error_is_retry_later(control: httpx.AsyncClient, client: vk.VkClient,
                                            made: dict[str, Any]) -> None:
    await post(control, "/faults", method="groups.getById", http_status=502)
    with pytest.raises(RetryLater) as raised:
        await client.verify()
    assert raised.value.code == "http_502"


async def test_a_revoked_community_token_is_token_invalid(control: httpx.AsyncClient, client: vk.VkClient,
                                                         made: dict[str, Any]) -> None:
    await post(control, "/tokens/revoke", community_id=made["id"], kind="community")
    with pytest.raises(TokenInvalid) as raised:
        await client.verify()
    assert "community token" in str(raised.value)
    assert_no_token(raised.value, made)


async def test_a_community_token_of_another_community_fails_verification(
        control: httpx.AsyncClient, made: dict[str, Any], server: str) -> None:
    other = await post(control, "/communities", name="Чужое")
    mixed = Credentials(account_id="a", workspace_id="ws", network=Network.VK, external_id=str(made["id"]),
                        tokens={"community": other["community_token"]})
    account = vk.client(mixed, Endpoints(vk=server), rates=FAST)
    try:
        with pytest.raises(PermissionMissing, match="belongs to community"):
            await account.verify()
    finally:
        await account.close()


async def test_a_community_token_on_a_user_only_method_is_permission_missing(made: dict[str, Any],
                                                                             server: str) -> None:
    transport = VkTransport({"community": made["community_token"]}, server, rates=FAST)
    try:
        with pytest.raises(PermissionMissing, match=r"\[27\]"):
            await transport.call("community", "wall.getComments", {"owner_id": -made["id"], "post_id": 1})
    finally:
        transport.close()


async def test_a_write_that_times_out_is_outcome_unknown_and_a_read_retry_later(
        control: httpx.AsyncClient, client: vk.VkClient, made: dict[str, Any]) -> None:
    await post(control, "/faults", method="wall.createComment", delay=1.5)
    with pytest.raises(OutcomeUnknown):
        await reply(control, client, made)
    await post(control, "/faults", method="groups.getById", delay=1.5)
    with pytest.raises(RetryLater):
        await client.stats()


async def test_a_long_poll_that_breaks_is_retry_later_and_the_next_poll_works(
        control: httpx.AsyncClient, client: vk.VkClient, made: dict[str, Any]) -> None:
    (long_poll,) = client.readers([])
    cursor = (await long_poll.poll(None)).cursor
    await post(control, "/faults", method="longpoll", drop=True)
    with pytest.raises(RetryLater):
        await long_poll.poll(cursor)
    await post(control, f"/communities/{made['id']}/comments", text="После сбоя")
    assert [e.text for e in (await long_poll.poll(cursor)).events] == ["После сбоя"]


async def test_an_unreachable_network_is_retry_later_even_for_writes(made: dict[str, Any]) -> None:
    account = vk.client(credentials(made), Endpoints(vk="http://127.0.0.1:9"), rates=FAST)
    try:
        with pytest.raises(RetryLater, match="cannot connect"):
            await account.send_message("1", "x", "k")
    finally:
        await account.close()


async def test_the_client_limiter_stays_under_the_networks_rate_limit(control: httpx.AsyncClient,
                                                                     made: dict[str, Any], server: str) -> None:
    await post(control, "/rate_limit", per_second=5)
    paced = VkTransport({"community": made["community_token"]}, server, rates={"community": 4.0})
    unpaced = VkTransport({"community": made["user_token"]}, server, rates={"community": 1000.0})
    try:
        for _ in range(6):
            await paced.call("community", "groups.getById", {"group_id": made["id"]})
        with pytest.raises(RetryLater, match=r"\[6\]"):
            for _ in range(6):
                await unpaced.call("community", "groups.getById", {"group_id": made["id"]})
    finally:
        paced.close()
        unpaced.close()


async def test_the_limiter_spaces_calls_evenly() -> None:
    limiter = Limiter(20.0)
    started = time.monotonic()
    for _ in range(5):
        await limiter.wait()
    assert 0.19 <= time.monotonic() - started < 2.0  # 0.2 s by the pace; the bound only catches a wrong pace


async def test_bad_account_settings_fail_clearly(made: dict[str, Any], server: str) -> None:
    with pytest.raises(ValueError, match="numeric id"):
        vk.client(Credentials("a", "ws", Network.VK, "brand", {"community": "t"}), Endpoints(vk=server))
    with pytest.raises(ValueError, match="community token"):
        vk.client(Credentials("a", "ws", Network.VK, "1", {}), Endpoints(vk=server))
