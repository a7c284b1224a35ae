"""Polling a Facebook Page's comments with httpx over HTTP against the Graph emulator."""
from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from chorus.events import CommentDeleted, CommentEdited, CommentReceived, Network
from chorus.networks import facebook
from chorus.networks.base import Endpoints
from chorus.networks.credentials import Credentials
from chorus.networks.errors import PermissionMissing


async def page(control: httpx.AsyncClient, **settings: Any) -> Credentials:
    created = (await control.post("/pages", json={"name": "Chorus Coffee", "username": "choruscoffee",
                                                  "fan_count": 900, "followers_count": 950})).json()
    return Credentials(account_id="acc-fb", workspace_id="ws", network=Network.FACEBOOK, external_id=created["id"],
                       tokens=created["tokens"], settings=settings)


async def post(control: httpx.AsyncClient, credentials: Credentials, message: str, **fields: Any) -> dict[str, Any]:
    response = await control.post("/posts", json={"page_id": credentials.external_id, "message": message, **fields})
    assert response.status_code == 200, response.text
    return response.json()


async def comment(control: httpx.AsyncClient, message: str, author: str = "Анна", **where: Any) -> dict[str, Any]:
    response = await control.post("/comments", json={"message": message, "author": author, **where})
    assert response.status_code == 200, response.text
    return response.json()


async def poll(credentials: Credentials, server: str, cursor: str | None = None):
    client = facebook.client(credentials, Endpoints(facebook=server, facebook_version="v21.0"))
    try:
        return await client.readers(["ignored"])[0].poll(cursor)
    finally:
        await client.close()


async def test_comments_and_replies_become_comment_events_in_their_thread(control, server):
    credentials = await page(control)
    news = await post(control, credentials, "Открыли новую кофейню")
    question = await comment(control, "Где именно?", post_id=news["id"])
    answer = await comment(control, "На Арбате, я был!", author="Boris", reply_to=question["id"])
    batch = await poll(credentials, server)
    first, second = batch.events
    assert isinstance(first, CommentReceived) and first.comment_id == question["id"]
    assert first.post_id == news["id"] and first.parent_comment_id is None and first.post_text == "Открыли новую кофейню"
    assert first.author.name == "Анна" and first.author.id == question["from"]["id"]
    assert first.url == question["permalink_url"] and first.text == "Где именно?"
    assert second.comment_id == answer["id"] and second.parent_comment_id == question["id"]
    assert first.event_id != second.event_id and not batch.rejected


async def test_a_restarted_reader_neither_misses_nor_repeats_even_on_older_posts(control, server):
    credentials = await page(control)
    old = await post(control, credentials, "Старый пост", created_time=int(time.time()) - 5 * 86400)
    new = await post(control, credentials, "Новый пост")
    seen = [await comment(control, "первый", post_id=old["id"]), await comment(control, "второй", post_id=new["id"])]
    batch = await poll(credentials, server)
    fresh = [await comment(control, "на старом посте", post_id=old["id"]),
             await comment(control, "ответ", reply_to=seen[1]["id"])]
    later = await poll(credentials, server, batch.cursor)  # a new client: the process restarted
    idle = await poll(credentials, server, later.cursor)
    assert {e.comment_id for e in batch.events} == {c["id"] for c in seen}
    assert [e.comment_id for e in later.events] == [c["id"] for c in fresh]
    assert [e for e in idle.events if isinstance(e, CommentReceived)] == []


async def test_a_busy_post_is_read_in_pages_over_several_polls_without_gaps(control, server):
    credentials = await page(control, comments_page_size=3, max_comments_per_poll=4)
    news = await post(control, credentials, "Розыгрыш!")
    written = [(await comment(control, f"участвую {i}", author=f"Fan {i}", post_id=news["id"]))["id"] for i in range(10)]
    cursor, read = None, []
    for _ in range(5):
        batch = await poll(credentials, server, cursor)
        read += [e.comment_id for e in batch.events if isinstance(e, CommentReceived)]
        cursor = batch.cursor
    assert read == written


async def test_edits_and_deletions_are_found_by_the_sweep(control, server):
    credentials = await page(control)
    news = await post(control, credentials, "Пост")
    kept = await comment(control, "Хороший кофе", post_id=news["id"])
    gone = await comment(control, "Спам спам", author="Spammer", post_id=news["id"])
    batch = await poll(credentials, server)
    await control.post(f"/comments/{kept['id']}/edit", json={"message": "Отличный кофе!"})
    await control.delete(f"/comments/{gone['id']}")
    later = await poll(credentials, server, batch.cursor)
    edited = [e for e in later.events if isinstance(e, CommentEdited)]
    deleted = [e for e in later.events if isinstance(e, CommentDeleted)]
    assert [(e.comment_id, e.text, e.post_id) for e in edited] == [(kept["id"], "Отличный кофе!", news["id"])]
    assert [(e.comment_id, e.post_id) for e in deleted] == [(gone["id"], news["id"])]
    again = await poll(credentials, server, later.cursor)
    assert again.events == []  # each change is reported once


async def test_the_pages_own_replies_are_not_inbound(control, server):
    credentials = await page(control)
    news = await post(control, credentials, "Пост")
    question = await comment(control, "Вопрос?", post_id=news["id"])
    client = facebook.client(credentials, Endpoints(facebook=server))
    try:
        await client.reply_to_comment(news["id"], question["id"], "Ответ страницы", key="k")
        batch = await client.readers([])[0].poll(None)
    finally:
        await client.close()
    assert [e.comment_id for e in batch.events] == [question["id"]]


async def test_posts_older_than_the_window_are_not_polled(control, server):
    credentials = await page(control, window_days=2)
    ancient = await post(control, credentials, "Давний пост", created_time=int(time.time()) - 10 * 86400)
    await comment(control, "поздний комментарий", post_id=ancient["id"])
    batch = await poll(credentials, server)
    assert batch.events == [] and json.loads(batch.cursor)["p"] == {}


async def test_a_cursor_facebook_no_longer_accepts_falls_back_to_the_watermark(control, server):
    credentials = await page(control)
    news = await post(control, credentials, "Пост")
    first = await comment(control, "раз", post_id=news["id"])
    batch = await poll(credentials, server)
    state = json.loads(batch.cursor)
    state["p"][news["id"]]["a"] = "bm90LWEtY3Vyc29y"  # expired: the emulator refuses it with error 100
    state["p"][news["id"]]["u"] = "stale"
    second = await comment(control, "два", post_id=news["id"])
    later = await poll(credentials, server, json.dumps(state))
    assert [e.comment_id for e in later.events] == [second["id"]] and first["id"] != second["id"]


async def test_long_html_emoji_and_rtl_comments_arrive_intact(control, server):
    credentials = await page(control)
    news = await post(control, credentials, "Пост")
    texts = ["очень длинный отзыв " * 530, "<img src=x onerror=alert(1)> &lt;b&gt; 🎉👍🏽", "مرحبا، متى يفتح المتجر؟ 😊"]
    for text in texts:
        await comment(control, text, post_id=news["id"])
    batch = await poll(credentials, server)
    assert [e.text for e in batch.events] == texts and len(texts[0]) > 10_000


async def test_malformed_comments_are_rejected_and_the_reader_goes_on(control, server):
    credentials = await page(control)
    news = await post(control, credentials, "Пост")
    for payload in ({"message": "no id"}, {"id": "raw_bad_time", "created_time": "yesterday"},
                    {"id": "123_9", "created_time": "2025-01-01T10:00:00+0000", "message": "photo only", "from": "x",
                     "attachment": {"type": "photo", "media": {"image": {"src": "https://x/y.jpg"}}}, "new": [1]}):
        assert (await control.post("/comments/raw", json={"post_id": news["id"], "payload": payload})).status_code == 200
    good = await comment(control, "нормальный", post_id=news["id"])
    batch = await poll(credentials, server)
    assert {e.comment_id for e in batch.events} == {"123_9", good["id"]}
    odd = next(e for e in batch.events if e.comment_id == "123_9")
    assert odd.author.id == "" and odd.attachments[0].kind == "photo"
    assert len(batch.rejected) == 2 and all(r["post_id"] == news["id"] for r in batch.rejected)


async def test_an_unreadable_cursor_reads_the_window_again(control, server):
    credentials = await page(control)
    news = await post(control, credentials, "Пост")
    first = await comment(control, "раз", post_id=news["id"])
    batch = await poll(credentials, server, '{"v": 1, "p": {"x": 5}}')
    assert [e.comment_id for e in batch.events] == [first["id"]]


async def test_verify_describes_the_page_and_its_features(control, server):
    credentials = await page(control)
    client = facebook.client(credentials, Endpoints(facebook=server, facebook_version="v23.0"))
    try:
        profile = await client.verify()
        stats = await client.stats()
    finally:
        await client.close()
    assert (profile.external_id, profile.name, profile.handle) == (credentials.external_id, "Chorus Coffee",
                                                                    "choruscoffee")
    assert profile.token_kinds == ["page"] and "schedule_posts" in profile.features and profile.followers == 950
    assert stats.followers == 950


async def test_verify_refuses_a_token_of_another_page(control, server):
    mine, theirs = await page(control), await page(control)
    mixed = Credentials(account_id="acc", workspace_id="ws", network=Network.FACEBOOK, external_id=mine.external_id,
                        tokens=theirs.tokens)
    client = facebook.client(mixed, Endpoints(facebook=server))
    try:
        with pytest.raises(PermissionMissing, match="not one of Page"):
            await client.verify()
    finally:
        await client.close()


async def test_backfill_reads_comments_since_a_time(control, server):
    credentials = await page(control)
    now = int(time.time())
    news = await post(control, credentials, "Пост", created_time=now - 3 * 86400)
    await comment(control, "давно", post_id=news["id"], created_time=now - 2 * 86400)
    recent = await comment(control, "недавно", post_id=news["id"], created_time=now - 3600)
    client = facebook.client(credentials, Endpoints(facebook=server))
    try:
        batch = await client.backfill(datetime.now(UTC) - timedelta(days=1))
    finally:
        await client.close()
    assert [e.comment_id for e in batch.events] == [recent["id"]]  # on a post older than the backfill start


async def test_demo_traffic_reaches_the_demo_page_with_its_documented_token(control, server, emulator):
    demo = (await control.get("/demo")).json()
    rng = random.Random(7)
    for _ in range(30):
        emulator.demo_tick(rng)
    credentials = Credentials(account_id="demo", workspace_id="ws", network=Network.FACEBOOK,
                              external_id=demo["page_id"], tokens={"page": demo["page_token"]})
    batch = await poll(credentials, server)
    assert len(batch.events) == 30 and not batch.rejected
    assert all(isinstance(e, CommentReceived) and e.author.name and e.text for e in batch.events)
