"""Ingest reading X, Facebook and Telegram accounts through their emulators (VK: ``test_ingest_vk``)."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json

import httpx
from ingest_support import (
    connect,
    eventually,
    http_url,
    ids_of,
    log_events,
    polled,
    running_ingest,
    source_status,
)

from chorus.backbone.store import EventStore
from chorus.events import (
    AccountTokenExpired,
    BrandRule,
    BrandRulesChanged,
    CommentDeleted,
    CommentEdited,
    CommentReceived,
    DirectMessageReceived,
    IngestGapRecorded,
    MentionFound,
)
from chorus.events.values import Network


async def x_account(emulators, js, env, username: str = "chorus_coffee"):
    created = await emulators.post("x", "/accounts", {"username": username, "name": "Chorus Coffee"})
    connected = await connect(js, env, Network.X, created["tokens"], external_id=created["id"])
    return created, connected.account_id


async def test_x_replies_mentions_and_keyword_hits_become_events_once_and_edits_follow(js, emulators, ingest_env):
    _, account = await x_account(emulators, js, ingest_env)
    await EventStore(js).append(BrandRulesChanged(workspace_id="ws-1", changed_by="test", rules=[
        BrandRule(rule_id="r1", name="brand", include=["флэтуайт"])]))
    root = await emulators.post("x", "/tweets", {"author": "chorus_coffee", "text": "Новое меню"})
    async with running_ingest(ingest_env):
        await polled(js, account, "mentions")
        await polled(js, account, "search")
        reply = await emulators.post("x", "/tweets", {"author": "anna", "text": "Круто!", "in_reply_to": root["id"]})
        await emulators.post("x", "/tweets", {"author": "boris", "text": "@chorus_coffee вы открыты?"})
        await emulators.post("x", "/tweets", {"author": "vera", "text": "лучший флэтуайт в городе"})

        async def received():
            return [e for e in await log_events(js) if isinstance(e, CommentReceived)] or None

        await eventually(received)
        await emulators.post("x", f"/tweets/{reply['id']}/edit", {"text": "Очень круто!"})

        async def arrived():
            events = await log_events(js)
            mentions = {e.text for e in events if isinstance(e, MentionFound)}
            done = {"@chorus_coffee вы открыты?", "лучший флэтуайт в городе"} <= mentions
            return events if done and any(isinstance(e, CommentEdited) for e in events) else None

        events = await eventually(arrived)
    # X puts the @mention of the replied-to account in front of a reply's text
    received = [(e.text.removeprefix("@chorus_coffee "), e.comment_id) for e in events if isinstance(e, CommentReceived)]
    assert received == [("Круто!", reply["id"])]
    edited = [(e.text.removeprefix("@chorus_coffee "), e.comment_id) for e in events if isinstance(e, CommentEdited)]
    assert edited == [("Очень круто!", reply["id"])]
    queries = {e.text: e.query for e in events if isinstance(e, MentionFound)}
    assert queries["лучший флэтуайт в городе"] == "флэтуайт"
    assert max(ids_of(events).values()) == 1


async def test_x_mentions_written_before_the_account_was_connected_are_read(js, emulators, ingest_env):
    created = await emulators.post("x", "/accounts", {"username": "early_bird"})
    await emulators.post("x", "/tweets", {"author": "gleb", "text": "@early_bird вчерашний вопрос"})
    connected = await connect(js, ingest_env, Network.X, created["tokens"], external_id=created["id"])
    async with running_ingest(ingest_env):
        async def arrived():
            return [e for e in await log_events(js) if isinstance(e, MentionFound)] or None

        events = await eventually(arrived)
        await eventually(lambda: _state(js, connected.account_id, "backfill", "done"))
    assert [e.text for e in events] == ["@early_bird вчерашний вопрос"]


async def test_x_revoked_token_is_reported_once_and_polling_stops(js, emulators, ingest_env):
    created, account = await x_account(emulators, js, ingest_env, "revoked_x")
    async with running_ingest(ingest_env):
        await polled(js, account, "mentions")
        await emulators.post("x", "/tokens/revoke", {"token": created["tokens"]["bearer"]})

        async def reported():
            return [e for e in await log_events(js, "CHORUS_ACCOUNTS") if isinstance(e, AccountTokenExpired)] or None

        reports = await eventually(reported)
        await eventually(lambda: _state(js, account, "mentions", "token expired"))
        before = emulators.requests("/2/")
        await asyncio.sleep(2)
        assert emulators.requests("/2/") == before
    assert [r.token_kind for r in reports] == ["bearer"]


async def facebook_page(emulators, js, env, name: str = "Chorus Coffee"):
    created = await emulators.post("facebook", "/pages", {"name": name})
    connected = await connect(js, env, Network.FACEBOOK, created["tokens"], external_id=created["id"])
    return created, connected.account_id


async def test_facebook_comments_become_events_once_and_edits_and_deletions_follow(js, emulators, ingest_env):
    page, account = await facebook_page(emulators, js, ingest_env)
    post = await emulators.post("facebook", "/posts", {"page_id": page["id"], "message": "Открыли кофейню"})
    early = await emulators.post("facebook", "/comments", {"post_id": post["id"], "message": "Давно ждали",
                                                            "author": "Анна"})
    async with running_ingest(ingest_env):
        await polled(js, account, "feed")
        late = await emulators.post("facebook", "/comments", {"post_id": post["id"], "message": "Где это?",
                                                               "author": "Борис"})
        answer = await emulators.post("facebook", "/comments", {"reply_to": late["id"], "message": "На Арбате",
                                                                  "author": "Вера"})

        async def read():
            texts = {e.text for e in await log_events(js) if isinstance(e, CommentReceived)}
            return {"Давно ждали", "Где это?", "На Арбате"} <= texts

        await eventually(read)
        await emulators.post("facebook", f"/comments/{early['id']}/edit", {"message": "Очень давно ждали"})
        async with emulators.control("facebook") as http:
            assert (await http.delete(f"/comments/{late['id']}")).status_code == 200

        async def arrived():
            events = await log_events(js)
            kinds = {type(e) for e in events}
            return events if {CommentEdited, CommentDeleted} <= kinds else None

        events = await eventually(arrived, timeout=30)
    received = {e.text: e for e in events if isinstance(e, CommentReceived)}
    assert set(received) == {"Давно ждали", "Где это?", "На Арбате"}
    assert received["На Арбате"].parent_comment_id == late["id"]
    assert [e.text for e in events if isinstance(e, CommentEdited)] == ["Очень давно ждали"]
    # deleting a comment deletes the replies under it, on Facebook as in the emulator
    assert sorted(e.comment_id for e in events if isinstance(e, CommentDeleted)) == sorted([late["id"], answer["id"]])
    assert max(ids_of(events).values()) == 1


async def test_facebook_webhook_checks_the_handshake_and_signature(js, emulators, ingest_env):
    env = {**ingest_env, "CHORUS_FACEBOOK_VERIFY_TOKEN": "verify-me", "CHORUS_FACEBOOK_APP_SECRET": "app-secret",
           "CHORUS_FACEBOOK_POLL_INTERVAL_S": "60"}
    page, account = await facebook_page(emulators, js, env)
    post = await emulators.post("facebook", "/posts", {"page_id": page["id"], "message": "Пост"})
    async with running_ingest(env), httpx.AsyncClient(base_url=http_url(env)) as http:
        challenge = {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "12345"}
        assert (await http.get("/webhooks/facebook", params=challenge)).text == "12345"
        wrong = await http.get("/webhooks/facebook", params={**challenge, "hub.verify_token": "nope"})
        assert wrong.status_code == 403
        await polled(js, account, "feed")
        await emulators.post("facebook", "/comments", {"post_id": post["id"], "message": "Срочно!", "author": "Ия"})
        body = json.dumps({"object": "page", "entry": [{"id": page["id"], "time": 1, "changes": [
            {"field": "feed", "value": {"item": "comment", "verb": "add", "post_id": post["id"]}}]}]}).encode()
        forged = await http.post("/webhooks/facebook", content=body, headers={"X-Hub-Signature-256": "sha256=00"})
        assert forged.status_code == 403
        signature = "sha256=" + hmac.new(b"app-secret", body, hashlib.sha256).hexdigest()
        assert (await http.post("/webhooks/facebook", content=body,
                                headers={"X-Hub-Signature-256": signature})).text == "EVENT_RECEIVED"

        async def arrived():
            return [e for e in await log_events(js) if isinstance(e, CommentReceived)] or None

        events = await eventually(arrived, timeout=10)  # well before the 60 s poll interval
    assert [e.text for e in events] == ["Срочно!"]


async def telegram_channel(emulators, js, env, title: str = "Зерно"):
    created = await emulators.post("telegram", "/channels", {"title": title, "username": "zerno_news"})
    connected = await connect(js, env, Network.TELEGRAM, {"bot": created["bot_token"]},
                              external_id=str(created["channel_id"]))
    return created, connected.account_id


async def test_telegram_comments_and_private_messages_become_events_once_and_edits_follow(
        js, emulators, ingest_env):
    channel, account = await telegram_channel(emulators, js, ingest_env)
    async with running_ingest(ingest_env):
        await polled(js, account, "updates")
        post = await emulators.post("telegram", f"/channels/{channel['channel_id']}/posts", {"text": "Новый сорт"})
        comment = await emulators.post("telegram", f"/channels/{channel['channel_id']}/comments", {
            "post_id": post["message_id"], "text": "А без кофеина есть?", "from": {"id": 9001, "first_name": "Ира"}})
        await emulators.post("telegram", f"/bots/{channel['bot_id']}/messages", {
            "text": "Можно заказать?", "from": {"id": 9002, "first_name": "Олег"}})
        await emulators.post("telegram", f"/chats/{comment['chat_id']}/messages/{comment['message_id']}/edit",
                             {"text": "А без кофеина бывает?"})

        async def arrived():
            events = await log_events(js)
            kinds = {type(e) for e in events}
            return events if {CommentReceived, DirectMessageReceived, CommentEdited} <= kinds else None

        events = await eventually(arrived)
    assert [(e.text, e.post_id) for e in events if isinstance(e, CommentReceived)] == [
        ("А без кофеина есть?", str(post["message_id"]))]
    assert [e.text for e in events if isinstance(e, CommentEdited)] == ["А без кофеина бывает?"]
    assert [e.text for e in events if isinstance(e, DirectMessageReceived)] == ["Можно заказать?"]
    gaps = [e for e in events if isinstance(e, IngestGapRecorded)]
    assert [g.source for g in gaps] == ["updates"], "the Bot API has no history: the backfill period is a gap"
    assert max(ids_of(events).values()) == 1


async def _state(js, account_id, source, state):
    record = await source_status(js, account_id, source)
    return record if record and record["state"] == state else None
