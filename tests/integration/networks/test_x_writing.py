"""Writing to X (replies, posts, images) and reading back what was sent, against the X emulator."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from chorus.events import Network
from chorus.networks import x
from chorus.networks.base import Endpoints, Media, Target
from chorus.networks.credentials import Credentials
from chorus.networks.errors import (
    ContentRejected,
    OutcomeUnknown,
    PermissionMissing,
    RetryLater,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
async def brand(control: httpx.AsyncClient, server: str) -> AsyncIterator[tuple[Any, Credentials]]:
    created = (await control.post("/accounts", json={"username": "brand"})).json()
    credentials = Credentials(account_id="acc", workspace_id="ws", network=Network.X, external_id=created["id"],
                              tokens=created["tokens"])
    client = x.client(credentials, Endpoints(x=server))
    yield client, credentials
    await client.close()


async def tweet(control: httpx.AsyncClient, author: str, text: str, **fields: Any) -> dict[str, Any]:
    return (await control.post("/tweets", json={"author": author, "text": text, **fields})).json()


async def sent(control: httpx.AsyncClient) -> list[dict[str, Any]]:
    return (await control.get("/sent")).json()["sent"]


async def test_a_reply_is_posted_under_the_comment_it_answers(control, brand):
    client, _ = brand
    post = await tweet(control, "brand", "Анонс")
    comment = await tweet(control, "ann", "Когда?", in_reply_to=post["id"])
    result = await client.reply_to_comment(post["id"], comment["id"], "Завтра в 10:00 🙂", key="reply-1")
    [record] = await sent(control)
    assert record["id"] == result.remote_id and record["in_reply_to_tweet_id"] == comment["id"]
    assert record["requested_text"] == "Завтра в 10:00 🙂"
    assert result.url == f"https://x.com/i/web/status/{result.remote_id}" and result.published_at is not None


async def test_a_post_with_images_uploads_them_first(control, brand):
    client, _ = brand
    result = await client.publish_post("Новое меню", [Media("a.png", "image/png", PNG), Media("b.jpg", "image/jpeg", PNG)],
                                       None, key="post-1")
    [record] = await sent(control)
    assert record["id"] == result.remote_id and len(record["media_ids"]) == 2 and record["text"] == "Новое меню"


async def test_a_post_scheduled_for_later_is_refused_because_x_cannot_schedule(control, brand):
    client, _ = brand
    with pytest.raises(ContentRejected, match="no scheduled posts"):
        await client.publish_post("Позже", [], datetime.now(UTC) + timedelta(hours=2), key="post-2")
    assert await sent(control) == []


async def test_a_reply_whose_answer_was_lost_is_found_by_read_back_and_not_posted_twice(control, brand):
    client, _ = brand
    post = await tweet(control, "brand", "Анонс")
    comment = await tweet(control, "ann", "Есть размер M?", in_reply_to=post["id"])
    before = datetime.now(UTC) - timedelta(seconds=2)
    await control.post("/faults", json={"method": "POST /2/tweets", "drop": True})
    with pytest.raises(OutcomeUnknown):
        await client.reply_to_comment(post["id"], comment["id"], "Да, есть!", key="reply-9")
    found = await client.find_sent("reply-9", "Да, есть!", before)  # the publisher reconciles before retrying
    assert found is not None
    [record] = await sent(control)
    assert found.remote_id == record["id"]


async def test_read_back_does_not_take_the_same_text_sent_to_another_comment(control, brand):
    client, _ = brand
    post = await tweet(control, "brand", "Анонс")
    first = await tweet(control, "ann", "Вопрос 1", in_reply_to=post["id"])
    second = await tweet(control, "bob", "Вопрос 2", in_reply_to=post["id"])
    since = datetime.now(UTC) - timedelta(seconds=2)
    await client.reply_to_comment(post["id"], first["id"], "Спасибо!", key="to-first")
    await control.post("/faults", json={"method": "POST /2/tweets", "error": "server"})
    with pytest.raises(RetryLater):
        await client.reply_to_comment(post["id"], second["id"], "Спасибо!", key="to-second")
    assert await client.find_sent("to-second", "Спасибо!", since) is None
    # another process (after a restart) has no record of the key: the target it passes decides
    assert await client.find_sent("from-another-process", "Спасибо!", since,
                                  Target(post_id=post["id"], comment_id=second["id"])) is None
    found = await client.find_sent("from-another-process", "Спасибо!", since,
                                   Target(post_id=post["id"], comment_id=first["id"]))
    assert found is not None


async def test_read_back_finds_nothing_when_nothing_was_sent(brand):
    client, _ = brand
    assert await client.find_sent("never", "Не отправлялось", datetime.now(UTC) - timedelta(hours=1)) is None


async def test_a_read_only_account_cannot_write(control, server, brand):
    _, credentials = brand
    read_only = Credentials(account_id="acc", workspace_id="ws", network=Network.X,
                            external_id=credentials.external_id, tokens={"bearer": credentials.tokens["bearer"]})
    client = x.client(read_only, Endpoints(x=server))
    try:
        with pytest.raises(PermissionMissing):
            await client.publish_post("hello", [], None, key="k")
    finally:
        await client.close()
    assert await sent(control) == []


async def test_an_app_only_token_given_as_user_token_is_permission_missing(control, server, brand):
    _, credentials = brand
    wrong = Credentials(account_id="acc", workspace_id="ws", network=Network.X, external_id=credentials.external_id,
                        tokens={"user": credentials.tokens["bearer"]})
    client = x.client(wrong, Endpoints(x=server))
    try:
        with pytest.raises(PermissionMissing, match="Unsupported Authentication|OAuth 2.0 Application-Only"):
            await client.publish_post("hello", [], None, key="k")
    finally:
        await client.close()


async def test_direct_messages_are_not_supported(brand):
    client, _ = brand
    with pytest.raises(PermissionMissing, match="not supported"):
        await client.send_message("123", "hi", key="k")


async def test_videos_and_empty_posts_are_refused_before_any_call(control, brand):
    client, _ = brand
    with pytest.raises(ContentRejected, match="only images"):
        await client.publish_post("clip", [Media("a.mp4", "video/mp4", b"x")], None, key="k1")
    with pytest.raises(ContentRejected):
        await client.reply_to_comment("1", None, "   ", key="k2")
    assert await sent(control) == []
