"""Reading a Telegram channel through its bot with aiogram against the emulator: comments, edits, messages."""
from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from chorus.emulators import telegram as telegram_emulator
from chorus.emulators.control import serving
from chorus.emulators.server import build_app
from chorus.events import CommentEdited, CommentReceived, DirectMessageReceived
from chorus.events.values import Network
from chorus.networks import client_for, telegram
from chorus.networks.base import Endpoints
from chorus.networks.credentials import Credentials


async def post(control: httpx.AsyncClient, path: str, **body: Any) -> dict[str, Any]:
    answer = await control.post(path, json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.fixture
async def made(control: httpx.AsyncClient) -> dict[str, Any]:
    return await post(control, "/channels", title="Пекарня", username="bakery", members_count=777)


def credentials(made: dict[str, Any], **settings: Any) -> Credentials:
    return Credentials(account_id="acc-tg", workspace_id="ws", network=Network.TELEGRAM,
                       external_id=str(made["channel_id"]), tokens={"bot": made["bot_token"]}, settings=settings)


@pytest.fixture
async def client(made: dict[str, Any], server: str) -> AsyncIterator[telegram.TelegramClient]:
    account = telegram.client(credentials(made), Endpoints(telegram=server), poll_wait=0)
    await account.verify()
    yield account
    await account.close()


def someone(user_id: int, first_name: str, **extra: Any) -> dict[str, Any]:
    return {"from": {"id": user_id, "first_name": first_name, **extra}}


async def test_client_for_builds_the_telegram_adapter_and_verify_finds_the_discussion(
        made: dict[str, Any], server: str) -> None:
    account = client_for(credentials(made), Endpoints(telegram=server))
    try:
        profile = await account.verify()
    finally:
        await account.close()
    assert (profile.network, profile.external_id, profile.name, profile.handle, profile.followers) == (
        Network.TELEGRAM, str(made["channel_id"]), "Пекарня", "bakery", 777)
    assert profile.url == "https://t.me/bakery" and profile.token_kinds == ["bot"]
    assert {"read_comments", "reply_comments", "publish_posts"} <= set(profile.features)


async def test_a_channel_without_a_discussion_group_has_no_comment_features(
        control: httpx.AsyncClient, server: str) -> None:
    lone = await post(control, "/channels", title="Без чата", discussion=False, bot_username="lone_bot")
    account = telegram.client(credentials(lone), Endpoints(telegram=server))
    try:
        profile = await account.verify()
    finally:
        await account.close()
    assert "read_comments" not in profile.features and "publish_posts" in profile.features


async def test_comments_become_events_with_their_channel_post_and_thread(
        control: httpx.AsyncClient, client: telegram.TelegramClient, made: dict[str, Any]) -> None:
    (reader,) = client.readers(["ignored: bots cannot search"])
    channel = made["channel_id"]
    news = await post(control, f"/channels/{channel}/posts", text="Новые круассаны 🥐")
    top = await post(control, f"/channels/{channel}/comments", post_id=news["message_id"], text="А с миндалём есть?",
                     **someone(42, "Анна", last_name="К.", username="anna_k"))
    reply = await post(control, f"/channels/{channel}/comments", reply_to=top["message_id"], text="Тоже интересно",
                       **someone(43, "Олег"))
    await post(control, f"/channels/{channel}/comments", post_id=news["message_id"], text="Мой вопрос",
               **someone(44, "Ира"))
    batch = await reader.poll(None)
    assert [type(e) for e in batch.events] == [CommentReceived] * 3
    first, second, _ = batch.events
    group = made["discussion_id"]
    assert first.comment_id == f"{group}_{top['message_id']}" and first.post_id == str(news["message_id"])
    assert first.author.name == "Анна К." and first.author.handle == "anna_k"
    assert first.url == f"https://t.me/bakery/{news['message_id']}?comment={top['message_id']}"
    assert first.post_text == "Новые круассаны 🥐" and first.parent_comment_id is None
    assert second.post_id == first.post_id and second.parent_comment_id == first.comment_id
    assert second.comment_id == f"{group}_{reply['message_id']}"
    assert (await reader.poll(batch.cursor)).events == [], "the offset confirmed the batch"


async def test_a_restarted_reader_attaches_replies_to_their_post_from_the_cursor(
        control: httpx.AsyncClient, made: dict[str, Any], server: str) -> None:
    channel = made["channel_id"]
    news = await post(control, f"/channels/{channel}/posts", text="Пост")
    top = await post(control, f"/channels/{channel}/comments", post_id=news["message_id"], text="Первый",
                     **someone(42, "Анна"))
    before = telegram.client(credentials(made, discussion_id=made["discussion_id"]), Endpoints(telegram=server),
                             poll_wait=0)
    cursor = (await before.readers([])[0].poll(None)).cursor
    await before.close()
    await post(control, f"/channels/{channel}/comments", reply_to=top["message_id"], text="Ответ на первый",
               **someone(43, "Олег"))
    after = telegram.client(credentials(made, discussion_id=made["discussion_id"]), Endpoints(telegram=server),
                            poll_wait=0)
    try:
        (event,) = (await after.readers([])[0].poll(cursor)).events
    finally:
        await after.close()
    assert event.post_id == str(news["message_id"]) and event.text == "Ответ на первый"


async def test_edits_and_private_messages_become_events_and_channel_posts_do_not(
        control: httpx.AsyncClient, client: telegram.TelegramClient, made: dict[str, Any]) -> None:
    (reader,) = client.readers([])
    channel = made["channel_id"]
    news = await post(control, f"/channels/{channel}/posts", text="Пост")
    top = await post(control, f"/channels/{channel}/comments", post_id=news["message_id"], text="Опечтка",
                     **someone(42, "Анна"))
    await post(control, f"/chats/{made['discussion_id']}/messages/{top['message_id']}/edit", text="Опечатка")
    await post(control, f"/chats/{channel}/messages/{news['message_id']}/edit", text="Пост (обновлён)")
    private = await post(control, f"/bots/{made['bot_id']}/messages", text="Можно заказать торт?",
                         **someone(50, "Пётр", username="petr"))
    batch = await reader.poll(None)
    assert [type(e) for e in batch.events] == [CommentReceived, CommentEdited, DirectMessageReceived]
    _, edited, message = batch.events
    assert edited.text == "Опечатка" and edited.comment_id == batch.events[0].comment_id
    assert message.dialogue_id == str(private["chat_id"]) and message.author.handle == "petr"
    assert message.message_id == f"{private['chat_id']}_{private['message_id']}"


LONG = "Подробный отзыв о выпечке. " * 400


@pytest.mark.parametrize("text", [
    "<b>жирный</b> &amp; <script>alert(1)</script>", LONG[:10_000], "🥐🥐 👍🏽 ❤️\u200d🔥", "שלום, مرحبا — RTL \u200ftext",
])
async def test_unusual_texts_arrive_unchanged(control: httpx.AsyncClient, client: telegram.TelegramClient,
                                              made: dict[str, Any], text: str) -> None:
    await post(control, f"/bots/{made['bot_id']}/messages", text=text, **someone(51, "Ann"))
    (event,) = (await client.readers([])[0].poll(None)).events
    assert event.text == text


async def test_malformed_and_unknown_updates_are_rejected_or_ignored_without_stopping(
        control: httpx.AsyncClient, client: telegram.TelegramClient, made: dict[str, Any]) -> None:
    raw = f"/bots/{made['bot_id']}/updates/raw"
    group = {"id": made["discussion_id"], "type": "supergroup", "title": "Чат"}
    await post(control, raw, type="message", object={"message_id": 1, "text": "no chat, no date"})
    await post(control, raw, type="message", object="not an object")
    await post(control, raw, type="message", object={"message_id": 2, "date": 1, "chat": group, "text": "x",
                                                    "message_thread_id": 1})  # no sender
    await post(control, raw, type="message_reaction", object={"chat": group})  # a kind Chorus does not read
    await post(control, raw, type="message", object={
        "message_id": 3, "date": 1_700_000_000, "chat": {"id": 9, "type": "private", "first_name": "A"},
        "from": {"id": 9, "is_bot": False, "first_name": "A", "brand_new": True}, "text": "новое поле",
        "some_future_field": {"x": [1]}})
    batch = await client.readers([])[0].poll(None)
    assert [e.text for e in batch.events] == ["новое поле"]
    assert len(batch.rejected) == 3 and all("reason" in r and "payload" in r for r in batch.rejected)
    assert (await client.readers([])[0].poll(batch.cursor)).rejected == [], "rejected updates are confirmed too"


async def test_backfill_reports_the_period_as_a_gap_because_bots_have_no_history(
        client: telegram.TelegramClient) -> None:
    since = datetime.now(UTC) - timedelta(hours=2)
    batch = await client.backfill(since)
    assert batch.events == [] and batch.gap is not None and batch.gap.gap_from == since


async def test_stats_report_subscribers(client: telegram.TelegramClient) -> None:
    assert (await client.stats()).followers == 777


async def test_demo_traffic_is_read_without_rejections() -> None:
    emulator = telegram_emulator.build()  # the demo channel exists from the start
    rng = random.Random(5)
    with serving(build_app([emulator])) as url:
        async with httpx.AsyncClient(base_url=f"{url}/_control/telegram") as http:
            demo = (await http.get("/demo")).json()
        account = telegram.client(Credentials("acc-demo", "ws", Network.TELEGRAM, str(demo["channel_id"]),
                                              {"bot": demo["bot_token"]}), Endpoints(telegram=url), poll_wait=0)
        try:
            await account.verify()
            for _ in range(40):
                emulator.demo_tick(rng)
            batch = await account.readers([])[0].poll(None)
        finally:
            await account.close()
    assert batch.rejected == []
    assert {type(e) for e in batch.events} == {CommentReceived, DirectMessageReceived}
    comments = [e for e in batch.events if isinstance(e, CommentReceived)]
    assert all(not e.post_id.startswith("thread-") for e in comments), "every thread's post is known"
