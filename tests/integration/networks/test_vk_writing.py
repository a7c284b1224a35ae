"""Writing to a VK community with vk_api against the emulator: replies, messages, posts, idempotency, read-back."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from chorus.events.values import Network
from chorus.networks import vk
from chorus.networks.base import Endpoints, Media
from chorus.networks.credentials import Credentials
from chorus.networks.errors import ContentRejected, NotFound, OutcomeUnknown, PermissionMissing, RetryLater
from chorus.networks.vk.writes import guid_for, random_id_for

FAST = {"community": 1000.0, "user": 1000.0}
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 64


async def post(control: httpx.AsyncClient, path: str, **body: Any) -> dict[str, Any]:
    answer = await control.post(path, json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.fixture
async def made(control: httpx.AsyncClient) -> dict[str, Any]:
    return await post(control, "/communities", name="Пекарня")


def credentials(made: dict[str, Any], *kinds: str) -> Credentials:
    tokens = {"community": made["community_token"], "user": made["user_token"]}
    return Credentials(account_id="acc-vk", workspace_id="ws", network=Network.VK, external_id=str(made["id"]),
                       tokens={k: tokens[k] for k in kinds or ("community", "user")})


@pytest.fixture
async def client(made: dict[str, Any], server: str) -> AsyncIterator[vk.VkClient]:
    account = vk.client(credentials(made), Endpoints(vk=server), rates=FAST, timeout=(2, 2), long_poll_wait=0)
    yield account
    await account.close()


async def comment(control: httpx.AsyncClient, made: dict[str, Any], text: str = "Вопрос") -> tuple[str, str]:
    created = await post(control, f"/communities/{made['id']}/comments", text=text, first_name="Анна")
    return f"-{made['id']}_{created['post_id']}", f"-{made['id']}_{created['post_id']}_{created['comment_id']}"


async def sent(control: httpx.AsyncClient, kind: str) -> list[dict[str, Any]]:
    return (await control.get("/sent", params={"kind": kind})).json()["sent"]


async def test_a_reply_lands_in_the_thread_and_is_read_back_as_the_communitys(
        control: httpx.AsyncClient, client: vk.VkClient, made: dict[str, Any]) -> None:
    (long_poll,) = client.readers([])
    cursor = (await long_poll.poll(None)).cursor
    post_id, comment_id = await comment(control, made)
    reply = await client.reply_to_comment(post_id, comment_id, "Завтра с 9:00 ☕", "reply-1")
    assert reply.remote_id.startswith(post_id + "_") and "reply=" in reply.url and "thread=" in reply.url
    events = (await long_poll.poll(cursor)).events
    ours = [e for e in events if e.comment_id == reply.remote_id]
    assert len(ours) == 1 and ours[0].from_account and ours[0].parent_comment_id == comment_id
    (record,) = await sent(control, "comment")
    assert record["guid"] == guid_for("reply-1") and record["text"] == "Завтра с 9:00 ☕"
    found = await client.find_sent("reply-1", "Завтра с 9:00 ☕", datetime.now(UTC) - timedelta(minutes=1))
    assert found is not None and found.remote_id == reply.remote_id


async def test_a_reply_whose_answer_was_lost_is_not_posted_twice(
        control: httpx.AsyncClient, client: vk.VkClient, made: dict[str, Any]) -> None:
    post_id, comment_id = await comment(control, made)
    await post(control, "/faults", method="wall.createComment", drop=True)
    with pytest.raises(OutcomeUnknown):
        await client.reply_to_comment(post_id, comment_id, "Уже едет!", "reply-2")
    found = await client.find_sent("reply-2", "Уже едет!", datetime.now(UTC) - timedelta(minutes=1))
    retried = await client.reply_to_comment(post_id, comment_id, "Уже едет!", "reply-2")
    assert found is not None and found.remote_id == retried.remote_id
    records = await sent(control, "comment")
    assert [r["deduplicated"] for r in records] == [False, True], "VK kept one comment for the guid"
    thread = (await control.get(f"/communities/{made['id']}")).json()["comments"]
    assert sum(c["text"] == "Уже едет!" for c in thread) == 1


async def test_a_message_whose_answer_was_lost_is_not_sent_twice(
        control: httpx.AsyncClient, client: vk.VkClient, made: dict[str, Any]) -> None:
    peer = (await post(control, f"/communities/{made['id']}/messages", text="Здравствуйте!"))["peer_id"]
    await post(control, "/faults", method="messages.send", drop=True)
    with pytest.raises(OutcomeUnknown):
        await client.send_message(str(peer), "Добрый день! Чем помочь?", "msg-1")
    found = await client.find_sent("msg-1", "Добрый день! Чем помочь?", datetime.now(UTC) - timedelta(minutes=1))
    retried = await client.send_message(str(peer), "Добрый день! Чем помочь?", "msg-1")
    assert found is not None and found.remote_id == retried.remote_id
    records = await sent(control, "message")
    assert [r["random_id"] for r in records] == [random_id_for("msg-1")] * 2
    assert [r["deduplicated"] for r in records] == [False, True]


async def test_a_message_that_was_never_applied_is_not_found(
        control: httpx.AsyncClient, client: vk.VkClient, made: dict[str, Any]) -> None:
    peer = (await post(control, f"/communities/{made['id']}/messages", text="Алло"))["peer_id"]
    await post(control, "/faults", method="messages.send", http_status=502)
    with pytest.raises(RetryLater):
        await client.send_message(str(peer), "Ответ", "msg-2")
    assert await client.find_sent("msg-2", "Ответ", datetime.now(UTC) - timedelta(minutes=1)) is None


async def test_a_scheduled_post_with_a_photo_waits_in_the_postponed_list(
        control: httpx.AsyncClient, client: vk.VkClient, made: dict[str, Any]) -> None:
    at = datetime.now(UTC) + timedelta(days=1)
    result = await client.publish_post("Скоро новое меню 🍰", [Media("menu.jpg", "image/jpeg", JPEG)], at, "post-1")
    assert result.remote_id.startswith(f"-{made['id']}_") and result.published_at == at
    state = (await control.get(f"/communities/{made['id']}")).json()
    scheduled = [p for p in state["posts"] if p["postponed"]]
    assert len(scheduled) == 1 and scheduled[0]["attachments"][0]["type"] == "photo"
    (record,) = await sent(control, "post")
    assert record["publish_date"] == int(at.timestamp()) and record["guid"] == guid_for("post-1")
    found = await client.find_sent("post-1", "Скоро новое меню 🍰", datetime.now(UTC) - timedelta(minutes=1))
    assert found is not None and found.remote_id == result.remote_id


async def test_a_post_for_now_is_published_at_once(
        control: httpx.AsyncClient, client: vk.VkClient, made: dict[str, Any]) -> None:
    result = await client.publish_post("Открыты!", [], None, "post-2")
    again = await client.publish_post("Открыты!", [], None, "post-2")
    assert again.remote_id == result.remote_id, "the guid makes a re-sent post land once"
    state = (await control.get(f"/communities/{made['id']}")).json()
    assert sum(p["text"] == "Открыты!" and not p["postponed"] for p in state["posts"]) == 1


async def test_posting_needs_the_administrators_user_token(made: dict[str, Any], server: str) -> None:
    account = vk.client(credentials(made, "community"), Endpoints(vk=server), rates=FAST)
    try:
        with pytest.raises(PermissionMissing, match="user"):
            await account.publish_post("Пост", [], None, "post-3")
        with pytest.raises(PermissionMissing):
            await account.backfill(datetime.now(UTC))
    finally:
        await account.close()


async def test_a_reply_to_a_deleted_comment_is_not_found(
        control: httpx.AsyncClient, client: vk.VkClient, made: dict[str, Any]) -> None:
    post_id, comment_id = await comment(control, made)
    number = comment_id.rsplit("_", 1)[-1]
    await post(control, f"/communities/{made['id']}/comments/{number}/delete")
    with pytest.raises(NotFound):
        await client.reply_to_comment(post_id, comment_id, "Ответ", "reply-3")


async def test_bad_targets_and_texts_are_rejected_clearly(
        control: httpx.AsyncClient, client: vk.VkClient, made: dict[str, Any]) -> None:
    with pytest.raises(ContentRejected, match="post id"):
        await client.reply_to_comment("not-a-post", None, "x", "reply-4")
    peer = (await post(control, f"/communities/{made['id']}/messages", text="?"))["peer_id"]
    with pytest.raises(ContentRejected, match="914"):
        await client.send_message(str(peer), "я" * 5000, "msg-3")
    with pytest.raises(PermissionMissing, match="901"):
        await client.send_message("424242", "Вы нам не писали", "msg-4")


async def test_a_ten_thousand_character_reply_with_emoji_and_rtl_is_sent_whole(
        control: httpx.AsyncClient, client: vk.VkClient, made: dict[str, Any]) -> None:
    post_id, comment_id = await comment(control, made)
    text = ("Спасибо 🙏 שלום مرحبا <b>&amp;</b> " * 400)[:10_000]
    await client.reply_to_comment(post_id, comment_id, text, "reply-5")
    (record,) = await sent(control, "comment")
    assert record["text"] == text
