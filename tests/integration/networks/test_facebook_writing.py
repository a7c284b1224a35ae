"""Writing to a Facebook Page (replies, posts, photos, native scheduling) and reading back what was sent."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from chorus.events import Network
from chorus.networks import facebook
from chorus.networks.base import Endpoints, Media
from chorus.networks.credentials import Credentials
from chorus.networks.errors import (
    ContentRejected,
    NotFound,
    OutcomeUnknown,
    PermissionMissing,
)

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
async def brand(control: httpx.AsyncClient, server: str) -> AsyncIterator[tuple[Any, str]]:
    created = (await control.post("/pages", json={"name": "Chorus Coffee"})).json()
    credentials = Credentials(account_id="acc", workspace_id="ws", network=Network.FACEBOOK,
                              external_id=created["id"], tokens=created["tokens"])
    client = facebook.client(credentials, Endpoints(facebook=server))
    yield client, created["id"]
    await client.close()


async def post(control: httpx.AsyncClient, page_id: str, message: str) -> dict[str, Any]:
    return (await control.post("/posts", json={"page_id": page_id, "message": message})).json()


async def comment(control: httpx.AsyncClient, post_id: str, message: str) -> dict[str, Any]:
    return (await control.post("/comments", json={"post_id": post_id, "message": message, "author": "Анна"})).json()


async def sent(control: httpx.AsyncClient) -> list[dict[str, Any]]:
    return (await control.get("/sent")).json()["sent"]


async def test_a_reply_is_posted_under_the_comment_it_answers(control, brand):
    client, page_id = brand
    news = await post(control, page_id, "Пост")
    question = await comment(control, news["id"], "Вы работаете в воскресенье?")
    result = await client.reply_to_comment(news["id"], question["id"], "Да, с 9 до 21 ☕", key="r1")
    [record] = await sent(control)
    assert (record["kind"], record["id"], record["target"]) == ("comment", result.remote_id, question["id"])
    assert record["message"] == "Да, с 9 до 21 ☕" and result.url.endswith(result.remote_id)


async def test_a_reply_to_the_post_itself_is_a_top_level_comment(control, brand):
    client, page_id = brand
    news = await post(control, page_id, "Пост")
    result = await client.reply_to_comment(news["id"], None, "Спасибо всем!", key="r2")
    [record] = await sent(control)
    assert record["target"] == news["id"] and record["id"] == result.remote_id


async def test_a_post_for_later_uses_native_scheduling_and_can_be_found_again(control, brand):
    client, _ = brand
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=3)
    since = datetime.now(UTC) - timedelta(seconds=2)
    result = await client.publish_post("Скоро открытие!", [], when, key="p1")
    [record] = await sent(control)
    assert record["published"] is False and record["scheduled_publish_time"] == int(when.timestamp())
    assert result.published_at == when
    found = await client.find_sent("p1", "Скоро открытие!", since)
    assert found is not None and found.remote_id == result.remote_id and found.published_at == when


async def test_a_post_sooner_than_ten_minutes_ahead_is_refused(control, brand):
    client, _ = brand
    with pytest.raises(ContentRejected, match="10 minutes to 30 days"):
        await client.publish_post("Почти сейчас", [], datetime.now(UTC) + timedelta(minutes=5), key="p2")
    assert await sent(control) == []


async def test_one_photo_is_posted_with_its_caption(control, brand):
    client, _ = brand
    result = await client.publish_post("Новое меню", [Media("menu.jpg", "image/jpeg", JPEG)], None, key="p3")
    [record] = await sent(control)
    assert record["id"] == result.remote_id and len(record["photo_ids"]) == 1 and record["message"] == "Новое меню"


async def test_several_photos_are_uploaded_unpublished_then_attached_to_one_post(control, brand):
    client, _ = brand
    media = [Media(f"{i}.jpg", "image/jpeg", JPEG) for i in range(3)]
    result = await client.publish_post("Галерея", media, None, key="p4")
    [record] = await sent(control)
    assert record["id"] == result.remote_id and len(record["photo_ids"]) == 3 and record["published"] is True


async def test_a_reply_whose_answer_was_lost_is_found_by_read_back_and_not_posted_twice(control, brand):
    client, page_id = brand
    news = await post(control, page_id, "Пост")
    question = await comment(control, news["id"], "Есть доставка?")
    since = datetime.now(UTC) - timedelta(seconds=2)
    await control.post("/faults", json={"method": "POST /{object-id}/comments", "drop": True})
    with pytest.raises(OutcomeUnknown):
        await client.reply_to_comment(news["id"], question["id"], "Да, через приложение", key="r9")
    found = await client.find_sent("r9", "Да, через приложение", since)
    assert found is not None
    [record] = await sent(control)
    assert found.remote_id == record["id"]


async def test_read_back_by_another_process_finds_a_reply_under_recent_posts(control, server, brand):
    client, page_id = brand
    news = await post(control, page_id, "Пост")
    question = await comment(control, news["id"], "Вопрос")
    since = datetime.now(UTC) - timedelta(seconds=2)
    result = await client.reply_to_comment(news["id"], question["id"], "Ответ", key="r10")
    assert (await client.find_sent("unknown-key", "Ответ", since)).remote_id == result.remote_id
    assert await client.find_sent("unknown-key", "Другой текст", since) is None


async def test_a_reply_to_a_deleted_comment_is_not_found(control, brand):
    client, page_id = brand
    news = await post(control, page_id, "Пост")
    question = await comment(control, news["id"], "удалю")
    await control.delete(f"/comments/{question['id']}")
    with pytest.raises(NotFound):
        await client.reply_to_comment(news["id"], question["id"], "поздно", key="r11")


async def test_private_messages_are_not_supported(brand):
    client, _ = brand
    with pytest.raises(PermissionMissing, match="not supported"):
        await client.send_message("1", "hi", key="m")
