"""Payloads pushed to ingest: VK Callback API events and Facebook webhook notifications."""
from __future__ import annotations

import hashlib
import hmac
import json

from ingest_fakes import FakeDeadLetters, FakeStore

from chorus.events import AccountConnected, CommentReceived
from chorus.events.values import Network
from chorus.ingest.domain import AccountBook
from chorus.ingest.pushed import (
    VkCallbacks,
    facebook_accounts,
    facebook_challenge,
    facebook_pages_with_news,
    facebook_signature_ok,
)
from chorus.networks.base import Endpoints
from chorus.networks.credentials import Credentials, CredentialStore

SETTINGS = {"callback_secret": "s3cret", "callback_confirmation_code": "c0de"}


class FakeCredentials(CredentialStore):
    def __init__(self, found: dict[str, Credentials]) -> None:
        self.found = found

    async def get(self, account_id: str) -> Credentials | None:
        return self.found.get(account_id)


def callbacks(settings: dict | None = SETTINGS) -> tuple[VkCallbacks, FakeStore, FakeDeadLetters]:
    book = AccountBook()
    book.apply(AccountConnected(workspace_id="ws", account_id="vk-1", network=Network.VK, external_id="501",
                                name="Кофейня", token_kinds=["user"], features=[], connected_by="t"))
    creds = Credentials(account_id="vk-1", workspace_id="ws", network=Network.VK, external_id="501",
                        tokens={"user": "vk1.a.u"}, settings=dict(settings or {}))
    store, dead = FakeStore(), FakeDeadLetters()
    return VkCallbacks(book, FakeCredentials({"vk-1": creds}), Endpoints(), store=store, dead_letters=dead), store, dead


def update(secret: str = "s3cret", **obj) -> dict:
    body = {"id": 41, "from_id": 7, "owner_id": -501, "post_id": 5, "date": 1700000000, "text": "Когда доставка?",
            **obj}
    return {"type": "wall_reply_new", "group_id": 501, "event_id": "e41", "v": "5.199", "secret": secret,
            "object": body}


async def test_the_confirmation_request_is_answered_with_the_code_only_for_the_right_secret():
    handler, *_ = callbacks()
    assert (await handler.handle({"type": "confirmation", "group_id": 501, "secret": "s3cret"})).text == "c0de"
    assert (await handler.handle({"type": "confirmation", "group_id": 501, "secret": "x"})).status == 403


async def test_an_event_with_the_secret_is_stored_once_however_often_vk_sends_it():
    handler, store, _ = callbacks()
    first = await handler.handle(update())
    second = await handler.handle(update())
    assert (first.status, first.text, second.text) == (200, "ok", "ok")
    [event] = store.events
    assert isinstance(event, CommentReceived) and event.comment_id == "-501_5_41" and event.text == "Когда доставка?"


async def test_events_without_the_right_secret_are_refused():
    handler, store, _ = callbacks()
    assert (await handler.handle(update(secret="guess"))).status == 403
    unprotected, unprotected_store, _ = callbacks({"callback_confirmation_code": "c0de"})
    assert (await unprotected.handle(update(secret=""))).status == 403, "no secret configured: nothing accepted"
    assert store.events == [] and unprotected_store.events == []


async def test_unknown_communities_and_malformed_bodies_are_refused():
    handler, *_ = callbacks()
    assert (await handler.handle({**update(), "group_id": 999})).status == 404
    assert (await handler.handle(["not", "an", "object"])).status == 400
    assert (await handler.handle({"type": "wall_reply_new"})).status == 400


async def test_an_unmappable_event_is_kept_without_its_secret_and_answered_ok():
    handler, store, dead = callbacks()
    answer = await handler.handle(update(id="forty-one"))
    assert answer.text == "ok" and store.events == []
    [kept] = dead.kept
    assert "secret" not in json.dumps(kept) and kept["payload"]["object"]["id"] == "forty-one"


def test_the_facebook_subscription_handshake_needs_the_verify_token():
    params = {"hub.mode": "subscribe", "hub.verify_token": "tok", "hub.challenge": "42"}
    assert facebook_challenge(params, "tok").text == "42"
    assert facebook_challenge({**params, "hub.verify_token": "no"}, "tok").status == 403
    assert facebook_challenge(params, None).status == 404


def test_facebook_notifications_need_the_app_secret_signature():
    body = b'{"object": "page"}'
    good = "sha256=" + hmac.new(b"app", body, hashlib.sha256).hexdigest()
    assert facebook_signature_ok(body, good, "app")
    assert not facebook_signature_ok(body + b" ", good, "app")
    assert not facebook_signature_ok(body, None, "app") and not facebook_signature_ok(body, "sha1=00", "app")


def test_only_pages_with_feed_changes_wake_their_readers():
    body = json.dumps({"object": "page", "entry": [
        {"id": "100", "changes": [{"field": "feed", "value": {"item": "comment"}}]},
        {"id": "200", "changes": [{"field": "ratings"}]},
        {"changes": [{"field": "feed"}]}]}).encode()
    assert facebook_pages_with_news(body) == {"100"}
    assert facebook_pages_with_news(b"not json") == set() and facebook_pages_with_news(b"[]") == set()
    book = AccountBook()
    book.apply(AccountConnected(workspace_id="ws", account_id="fb-1", network=Network.FACEBOOK, external_id="100",
                                name="P", token_kinds=["page"], features=[], connected_by="t"))
    assert facebook_accounts(book, {"100", "300"}) == ["fb-1"]
