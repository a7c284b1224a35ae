"""How Telegram failures reach Chorus: every error class, flood waits, kicked bots, conflicts, broken connections."""
from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from chorus.events.values import Network
from chorus.networks import telegram
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


async def post(control: httpx.AsyncClient, path: str, **body: Any) -> dict[str, Any]:
    answer = await control.post(path, json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.fixture
async def made(control: httpx.AsyncClient) -> dict[str, Any]:
    return await post(control, "/channels", title="Цветы", username="flowers")


def credentials(made: dict[str, Any], token: str | None = None) -> Credentials:
    return Credentials(account_id="acc-tg", workspace_id="ws", network=Network.TELEGRAM,
                       external_id=str(made["channel_id"]), tokens={"bot": token or made["bot_token"]},
                       settings={"discussion_id": made["discussion_id"]})


@pytest.fixture
async def client(made: dict[str, Any], server: str) -> AsyncIterator[telegram.TelegramClient]:
    account = telegram.client(credentials(made), Endpoints(telegram=server), poll_wait=0, timeout=1)
    yield account
    await account.close()


async def reply(control: httpx.AsyncClient, client: telegram.TelegramClient, made: dict[str, Any]) -> Any:
    news = await post(control, f"/channels/{made['channel_id']}/posts", text="Пост")
    created = await post(control, f"/channels/{made['channel_id']}/comments", post_id=news["message_id"],
                         text="?", **{"from": {"id": 42, "first_name": "Анна"}})
    return await client.reply_to_comment(str(news["message_id"]), f"{made['discussion_id']}_{created['message_id']}",
                                         "Ответ", f"key-{created['message_id']}")


def assert_no_token(error: NetworkError, made: dict[str, Any]) -> None:
    secret = made["bot_token"].split(":", 1)[1]
    assert secret not in str(error) and secret not in repr(error.raw) and secret not in error.detail


async def test_a_flood_wait_is_retry_later_after_telegrams_delay(
        control: httpx.AsyncClient, client: telegram.TelegramClient, made: dict[str, Any]) -> None:
    await post(control, "/faults", method="sendMessage", error=429, retry_after=17)
    with pytest.raises(RetryLater) as raised:
        await reply(control, client, made)
    assert raised.value.retry_after == 17 and raised.value.code == 429
    assert_no_token(raised.value, made)


async def test_the_emulators_rate_limit_answers_429_with_retry_after(
        control: httpx.AsyncClient, client: telegram.TelegramClient, made: dict[str, Any]) -> None:
    await post(control, "/rate_limit", per_second=1)
    await client.stats()
    with pytest.raises(RetryLater) as raised:
        await client.stats()
    assert raised.value.retry_after == 1


async def test_a_kicked_bot_is_permission_missing(
        control: httpx.AsyncClient, client: telegram.TelegramClient, made: dict[str, Any]) -> None:
    await post(control, f"/chats/{made['discussion_id']}/kick", bot_id=made["bot_id"])
    with pytest.raises(PermissionMissing, match="bot was kicked") as raised:
        await reply(control, client, made)
    assert raised.value.code == 403
    with pytest.raises(PermissionMissing):
        await client.verify()


async def test_a_revoked_token_is_token_invalid(
        control: httpx.AsyncClient, client: telegram.TelegramClient, made: dict[str, Any]) -> None:
    await post(control, "/tokens/revoke", bot_id=made["bot_id"])
    with pytest.raises(TokenInvalid) as raised:
        await client.verify()
    assert raised.value.code == 401
    assert_no_token(raised.value, made)


async def test_a_malformed_token_is_token_invalid_without_echoing_it(made: dict[str, Any], server: str) -> None:
    with pytest.raises(TokenInvalid) as raised:
        telegram.client(credentials(made, token="not a token"), Endpoints(telegram=server))
    assert "not a token" not in str(raised.value)


@pytest.mark.parametrize(("fault", "outcome"), [
    ({"error": 400, "description": "Bad Request: chat not found"}, NotFound),
    ({"error": 400, "description": "Bad Request: message to be replied not found"}, NotFound),
    ({"error": 400, "description": "Bad Request: message is too long"}, ContentRejected),
    ({"error": 403, "description": "Forbidden: bot was blocked by the user"}, PermissionMissing),
    ({"error": 401}, TokenInvalid),
    ({"error": 500}, RetryLater),
    ({"error": 409}, RetryLater),
    ({"drop": True}, OutcomeUnknown),
    ({"delay": 2}, OutcomeUnknown),
    ({"http_status": 502}, OutcomeUnknown),
])
async def test_each_telegram_failure_of_a_write_becomes_its_outcome(
        control: httpx.AsyncClient, client: telegram.TelegramClient, made: dict[str, Any],
        fault: dict[str, Any], outcome: type[NetworkError]) -> None:
    await post(control, "/faults", method="sendMessage", **fault)
    with pytest.raises(NetworkError) as raised:
        await reply(control, client, made)
    assert type(raised.value) is outcome
    assert_no_token(raised.value, made)


@pytest.mark.parametrize("fault", [{"drop": True}, {"http_status": 502}, {"error": 409}])
async def test_a_broken_read_is_retry_later(control: httpx.AsyncClient, client: telegram.TelegramClient,
                                           fault: dict[str, Any]) -> None:
    await post(control, "/faults", method="getUpdates", **fault)
    with pytest.raises(RetryLater):
        await client.readers([])[0].poll(None)
    assert (await client.readers([])[0].poll(None)).rejected == []


async def test_a_read_that_times_out_is_retry_later(control: httpx.AsyncClient,
                                                   client: telegram.TelegramClient) -> None:
    await post(control, "/faults", method="getChatMemberCount", delay=2)
    with pytest.raises(RetryLater):
        await client.stats()


async def test_an_unreachable_network_is_retry_later_even_for_writes(made: dict[str, Any]) -> None:
    account = telegram.client(credentials(made), Endpoints(telegram="http://127.0.0.1:9"), timeout=2)
    try:
        with pytest.raises(RetryLater, match="cannot connect"):
            await account.publish_post("x", [], None, "k")
    finally:
        await account.close()


async def test_bad_account_settings_fail_clearly(made: dict[str, Any], server: str) -> None:
    with pytest.raises(ValueError, match="bot token"):
        telegram.client(Credentials("a", "ws", Network.TELEGRAM, "-1001", {}), Endpoints(telegram=server))
    with pytest.raises(ValueError, match="numeric chat id"):
        telegram.client(Credentials("a", "ws", Network.TELEGRAM, "@brand", {"bot": made["bot_token"]}),
                        Endpoints(telegram=server))
