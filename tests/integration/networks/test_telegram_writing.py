"""Writing to a Telegram channel through its bot with aiogram against the emulator: replies, messages, posts,
and the read-back that keeps a retried send from doubling."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from chorus.events.values import Network
from chorus.networks import telegram
from chorus.networks.base import Endpoints, Media
from chorus.networks.credentials import Credentials
from chorus.networks.errors import ContentRejected, NotFound, OutcomeUnknown, PermissionMissing

JPEG = b"\xff\xd8\xff\xe0" + b"1" * 64


async def post(control: httpx.AsyncClient, path: str, **body: Any) -> dict[str, Any]:
    answer = await control.post(path, json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.fixture
async def made(control: httpx.AsyncClient) -> dict[str, Any]:
    return await post(control, "/channels", title="Пекарня", username="bakery")


def credentials(made: dict[str, Any]) -> Credentials:
    return Credentials(account_id="acc-tg", workspace_id="ws", network=Network.TELEGRAM,
                       external_id=str(made["channel_id"]), tokens={"bot": made["bot_token"]},
                       settings={"discussion_id": made["discussion_id"]})


@pytest.fixture
async def client(made: dict[str, Any], server: str) -> AsyncIterator[telegram.TelegramClient]:
    account = telegram.client(credentials(made), Endpoints(telegram=server), poll_wait=0, timeout=2)
    await account.verify()
    yield account
    await account.close()


async def comment(control: httpx.AsyncClient, made: dict[str, Any], text: str = "Вопрос?") -> tuple[str, str]:
    news = await post(control, f"/channels/{made['channel_id']}/posts", text="Пост")
    created = await post(control, f"/channels/{made['channel_id']}/comments", post_id=news["message_id"], text=text,
                         **{"from": {"id": 42, "first_name": "Анна"}})
    return str(news["message_id"]), f"{made['discussion_id']}_{created['message_id']}"


async def sent(control: httpx.AsyncClient) -> list[dict[str, Any]]:
    return (await control.get("/sent")).json()["sent"]


async def test_a_reply_answers_the_comment_in_its_thread(
        control: httpx.AsyncClient, client: telegram.TelegramClient, made: dict[str, Any]) -> None:
    post_id, comment_id = await comment(control, made)
    reply = await client.reply_to_comment(post_id, comment_id, "С миндалём — по пятницам 🥐", "reply-1")
    assert reply.remote_id.startswith(f"{made['discussion_id']}_") and reply.url.endswith(
        "?comment=" + reply.remote_id.rsplit("_", 1)[-1])
    chat = (await control.get(f"/chats/{made['discussion_id']}")).json()
    ours = chat["messages"][-1]
    assert ours["text"] == "С миндалём — по пятницам 🥐" and ours["from"]["is_bot"]
    assert ours["reply_to_message"]["message_id"] == int(comment_id.rsplit("_", 1)[-1])
    assert ours["message_thread_id"] == chat["messages"][-2]["message_thread_id"]
    again = await client.reply_to_comment(post_id, comment_id, "С миндалём — по пятницам 🥐", "reply-1")
    assert again == reply and len(await sent(control)) == 1, "a retry of a known success does not re-send"


async def test_a_reply_whose_answer_was_lost_is_found_and_not_sent_twice(
        control: httpx.AsyncClient, client: telegram.TelegramClient, made: dict[str, Any]) -> None:
    post_id, comment_id = await comment(control, made)
    await post(control, "/faults", method="sendMessage", drop=True)
    with pytest.raises(OutcomeUnknown):
        await client.reply_to_comment(post_id, comment_id, "Уже печём!", "reply-2")
    await comment(control, made, "Ещё вопрос от другого человека")  # the chat moves on meanwhile
    found = await client.find_sent("reply-2", "Уже печём!", datetime.now(UTC) - timedelta(minutes=1))
    retried = await client.reply_to_comment(post_id, comment_id, "Уже печём!", "reply-2")
    assert found is not None and retried.remote_id == found.remote_id
    records = await sent(control)
    assert [r["text"] for r in records] == ["Уже печём!"], "Telegram got the reply once"
    assert retried.remote_id == f"{made['discussion_id']}_{records[0]['message_id']}"


async def test_a_reply_that_never_arrived_is_sent_on_retry(
        control: httpx.AsyncClient, client: telegram.TelegramClient, made: dict[str, Any]) -> None:
    post_id, comment_id = await comment(control, made)
    await post(control, "/faults", method="sendMessage", http_status=502)  # a proxy's page, not Telegram's answer
    with pytest.raises(OutcomeUnknown):
        await client.reply_to_comment(post_id, comment_id, "Ответ", "reply-3")
    assert await client.find_sent("reply-3", "Ответ", datetime.now(UTC)) is None
    retried = await client.reply_to_comment(post_id, comment_id, "Ответ", "reply-3")
    assert [r["text"] for r in await sent(control)] == ["Ответ"]
    assert retried.remote_id.endswith(f"_{(await sent(control))[0]['message_id']}")


async def test_a_private_answer_after_a_lost_response_is_not_doubled(
        control: httpx.AsyncClient, client: telegram.TelegramClient, made: dict[str, Any]) -> None:
    incoming = await post(control, f"/bots/{made['bot_id']}/messages", text="Здравствуйте",
                          **{"from": {"id": 60, "first_name": "Пётр"}})
    await client.readers([])[0].poll(None)  # the reader saw the message: probing starts after it
    await post(control, "/faults", method="sendMessage", drop=True)
    with pytest.raises(OutcomeUnknown):
        await client.send_message(str(incoming["chat_id"]), "Добрый день!", "msg-1")
    retried = await client.send_message(str(incoming["chat_id"]), "Добрый день!", "msg-1")
    assert retried.remote_id == f"{incoming['chat_id']}_{incoming['message_id'] + 1}"
    assert len(await sent(control)) == 1


async def test_a_lost_send_with_no_known_starting_point_stays_unknown(
        control: httpx.AsyncClient, client: telegram.TelegramClient, made: dict[str, Any]) -> None:
    incoming = await post(control, f"/bots/{made['bot_id']}/messages", text="Привет",
                          **{"from": {"id": 61, "first_name": "Ира"}})
    await post(control, "/faults", method="sendMessage", drop=True)
    with pytest.raises(OutcomeUnknown):
        await client.send_message(str(incoming["chat_id"]), "Здравствуйте!", "msg-2")
    with pytest.raises(OutcomeUnknown, match="by hand"):
        await client.send_message(str(incoming["chat_id"]), "Здравствуйте!", "msg-2")
    assert len(await sent(control)) == 1
    with pytest.raises(OutcomeUnknown, match="no record"):
        await client.find_sent("never-tried", "x", datetime.now(UTC))


async def test_two_unexplained_bot_messages_make_the_read_back_ambiguous(
        control: httpx.AsyncClient, client: telegram.TelegramClient, made: dict[str, Any], server: str) -> None:
    post_id, comment_id = await comment(control, made)
    await post(control, "/faults", method="sendMessage", drop=True)
    with pytest.raises(OutcomeUnknown):
        await client.reply_to_comment(post_id, comment_id, "Ответ", "reply-4")
    other = telegram.client(credentials(made), Endpoints(telegram=server), timeout=2)
    try:  # another process sent with the same bot in the same thread
        await other.reply_to_comment(post_id, comment_id, "Чужой ответ", "reply-other")
    finally:
        await other.close()
    with pytest.raises(OutcomeUnknown, match="check by hand"):
        await client.find_sent("reply-4", "Ответ", datetime.now(UTC))


async def test_posts_go_to_the_channel_with_or_without_a_photo(
        control: httpx.AsyncClient, client: telegram.TelegramClient, made: dict[str, Any]) -> None:
    text = await client.publish_post("Завтра дегустация!", [], None, "post-1")
    photo = await client.publish_post("Новый хлеб", [Media("bread.jpg", "image/jpeg", JPEG)], None, "post-2")
    assert text.url == f"https://t.me/bakery/{text.remote_id}" and photo.remote_id == str(int(text.remote_id) + 1)
    channel = (await control.get(f"/chats/{made['channel_id']}")).json()["messages"]
    assert channel[-1]["caption"] == "Новый хлеб" and channel[-1]["photo"][-1]["file_size"] == len(JPEG)
    group = (await control.get(f"/chats/{made['discussion_id']}")).json()["messages"]
    assert group[-1]["is_automatic_forward"] and group[-1]["forward_origin"]["message_id"] == int(photo.remote_id)


async def test_what_the_bot_api_cannot_do_is_refused_clearly(
        control: httpx.AsyncClient, client: telegram.TelegramClient, made: dict[str, Any]) -> None:
    with pytest.raises(ContentRejected, match="schedule"):
        await client.publish_post("Позже", [], datetime.now(UTC) + timedelta(days=1), "post-3")
    with pytest.raises(ContentRejected, match="one photo"):
        await client.publish_post("Альбом", [Media("a.jpg", "image/jpeg", JPEG)] * 2, None, "post-4")
    with pytest.raises(ContentRejected, match="caption"):
        await client.publish_post("я" * 2000, [Media("a.jpg", "image/jpeg", JPEG)], None, "post-5")
    with pytest.raises(ContentRejected, match="needs the comment"):
        await client.reply_to_comment("999", None, "x", "reply-5")
    assert await sent(control) == []


async def test_a_reply_to_a_missing_comment_is_not_found_and_a_stranger_cannot_be_messaged(
        control: httpx.AsyncClient, client: telegram.TelegramClient, made: dict[str, Any]) -> None:
    with pytest.raises(NotFound, match="message to be replied not found"):
        await client.reply_to_comment("1", f"{made['discussion_id']}_9999", "x", "reply-6")
    await comment(control, made)  # Анна (42) wrote in the group but never opened a chat with the bot
    with pytest.raises(PermissionMissing, match="initiate"):
        await client.send_message("42", "Привет", "msg-3")
    with pytest.raises(NotFound, match="chat not found"):
        await client.send_message("123456", "Привет", "msg-4")


async def test_a_ten_thousand_character_reply_is_refused_and_four_thousand_goes_whole(
        control: httpx.AsyncClient, client: telegram.TelegramClient, made: dict[str, Any]) -> None:
    post_id, comment_id = await comment(control, made)
    with pytest.raises(ContentRejected, match="too long"):
        await client.reply_to_comment(post_id, comment_id, "я" * 10_000, "reply-7")
    text = ("Спасибо 🙏 שלום مرحبا <b>&amp;</b> " * 200)[:4096]
    await client.reply_to_comment(post_id, comment_id, text, "reply-8")
    assert (await sent(control))[-1]["text"] == text
