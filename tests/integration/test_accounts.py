"""Connecting accounts: verified against the network, tokens encrypted at rest, never in the log."""
from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from chorus.emulators.control import serving
from chorus.emulators.server import build_app, load
from chorus.events import AccountConnected, AccountDisconnected, AccountTokenExpired, decode
from chorus.events.values import Network
from chorus.networks.accounts import connect_account, disconnect_account, report_token_expired
from chorus.networks.base import Endpoints
from chorus.networks.credentials import BUCKET, CredentialStore, Secret, destination_secret_name, generate_key, load_key
from chorus.networks.errors import TokenInvalid


@pytest.fixture(scope="module")
def emulators() -> Iterator[str]:
    with serving(build_app(load())) as url:
        yield url


def demo(url: str, network: str) -> dict:
    return httpx.get(f"{url}/_control/{network}/demo").json()


async def log_bytes(js, stream: str) -> bytes:
    info = await js.stream_info(stream)
    return b"".join([(await js.get_msg(stream, seq)).data for seq in range(1, info.state.last_seq + 1)])


async def test_connecting_verifies_stores_encrypted_and_announces_without_the_token(emulators, js, store):
    key = load_key(generate_key())
    credentials = CredentialStore(js, key)
    vk = demo(emulators, "vk")
    event = await connect_account(store=store, credentials=credentials, endpoints=Endpoints(vk=emulators),
                                  workspace_id="ws-1", network=Network.VK, external_id=str(vk["community_id"]),
                                  tokens={"community": vk["community_token"], "user": vk["user_token"]},
                                  connected_by="user-1")
    assert event.name == vk["name"] and event.external_id == str(vk["community_id"])
    assert {"community", "user"} <= set(event.token_kinds) and event.features
    stored = await credentials.get(event.account_id)
    assert stored.tokens["community"] == vk["community_token"]
    raw = (await (await js.key_value(BUCKET)).get(event.account_id)).value
    assert vk["community_token"].encode() not in raw, "tokens are encrypted at rest"
    log = await log_bytes(js, AccountConnected.stream.name)
    assert vk["community_token"].encode() not in log and vk["user_token"].encode() not in log
    assert isinstance(decode(log), AccountConnected)
    assert vk["community_token"] not in repr(stored)


async def test_a_refused_token_stores_nothing_and_says_why(emulators, js, store):
    credentials = CredentialStore(js, load_key(generate_key()))
    with pytest.raises(TokenInvalid) as caught:
        await connect_account(store=store, credentials=credentials, endpoints=Endpoints(vk=emulators),
                              workspace_id="ws-1", network=Network.VK, external_id="100100",
                              tokens={"community": "vk1.a.wrong-token"}, connected_by="user-1")
    assert "vk1.a.wrong-token" not in str(caught.value)
    assert await credentials.all() == []
    assert (await js.stream_info(AccountConnected.stream.name)).state.messages == 0


async def test_telegram_connection_keeps_the_discussion_group_it_found(emulators, js, store):
    credentials = CredentialStore(js, load_key(generate_key()))
    tg = demo(emulators, "telegram")
    event = await connect_account(store=store, credentials=credentials, endpoints=Endpoints(telegram=emulators),
                                  workspace_id="ws-1", network=Network.TELEGRAM, external_id=str(tg["channel_id"]),
                                  tokens={"bot": tg["bot_token"]}, connected_by="user-1")
    stored = await credentials.get(event.account_id)
    assert stored.settings.get("discussion_id"), "readers built later must know the discussion group"


async def test_reconnecting_keeps_the_account_id_and_token_expiry_is_reported_once_per_connection(
        emulators, js, store):
    credentials = CredentialStore(js, load_key(generate_key()))
    fb = demo(emulators, "facebook")
    args = dict(store=store, credentials=credentials, endpoints=Endpoints(facebook=emulators), workspace_id="ws-1",
                network=Network.FACEBOOK, external_id=fb["page_id"], tokens={"page": fb["page_token"]},
                connected_by="user-1")
    first = await connect_account(**args)
    account = await credentials.get(first.account_id)
    for detector in ("ingest", "publisher"):  # both notice the same expiry
        await report_token_expired(store=store, account=account, token_kind="page", reason="expired",
                                   detected_by=detector)
    second = await connect_account(**args)
    assert second.account_id == first.account_id and second.event_id != first.event_id
    await report_token_expired(store=store, account=await credentials.get(first.account_id), token_kind="page",
                               reason="expired again", detected_by="ingest")
    expired = [e for e in map(decode, await _events(js)) if isinstance(e, AccountTokenExpired)]
    assert len(expired) == 2, "once for each connection"
    await disconnect_account(store=store, credentials=credentials, account_id=first.account_id, reason="",
                             disconnected_by="user-1")
    assert await credentials.get(first.account_id) is None
    assert any(isinstance(decode(m), AccountDisconnected) for m in await _events(js))


async def _events(js) -> list[bytes]:
    info = await js.stream_info(AccountConnected.stream.name)
    return [(await js.get_msg(AccountConnected.stream.name, s)).data for s in range(1, info.state.last_seq + 1)]


async def test_other_secrets_are_kept_apart_from_accounts(js):
    credentials = CredentialStore(js, load_key(generate_key()))
    name = destination_secret_name("d1")
    await credentials.put_secret(Secret(name=name, workspace_id="ws-1", values={"secret": "s3cr3t"}))
    assert await credentials.all() == [], "a destination's secret is not an account"
    assert (await credentials.get_secret(name)).values == {"secret": "s3cr3t"}
    assert "s3cr3t" not in repr(await credentials.get_secret(name))
    await credentials.delete_secret(name)
    assert await credentials.get_secret(name) is None
