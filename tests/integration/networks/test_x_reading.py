"""Reading an X account with the real tweepy client over HTTP against the X emulator."""
from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from chorus.events import CommentEdited, CommentReceived, MentionFound, Network
from chorus.networks import x
from chorus.networks.base import Endpoints
from chorus.networks.credentials import Credentials
from chorus.networks.errors import PermissionMissing


async def account(control: httpx.AsyncClient, username: str = "brand", **settings: Any) -> Credentials:
    created = (await control.post("/accounts", json={"username": username, "followers": 120})).json()
    return Credentials(account_id=f"acc-{username}", workspace_id="ws", network=Network.X,
                       external_id=created["id"], tokens=created["tokens"], settings=settings)


async def tweet(control: httpx.AsyncClient, author: str, text: str, **fields: Any) -> dict[str, Any]:
    response = await control.post("/tweets", json={"author": author, "text": text, **fields})
    assert response.status_code == 200, response.text
    return response.json()


async def poll(credentials: Credentials, server: str, cursor: str | None = None, *, reader: int = 0,
               keywords: list[str] | None = None):
    client = x.client(credentials, Endpoints(x=server))
    try:
        return await client.readers(keywords or [])[reader].poll(cursor)
    finally:
        await client.close()


async def test_mentions_become_mention_events_with_the_authors_followers(control, server):
    credentials = await account(control)
    await tweet(control, "ann", "@brand где мой заказ?", followers=777, lang="ru")
    batch = await poll(credentials, server)
    [event] = batch.events
    assert isinstance(event, MentionFound)
    assert event.text == "@brand где мой заказ?" and event.query == "@brand"
    assert event.author.handle == "ann" and event.author.followers == 777
    assert event.url == f"https://x.com/ann/status/{event.mention_id}"
    assert event.raw["lang"] == "ru" and event.account_id == "acc-brand" and not batch.rejected


async def test_replies_in_the_accounts_own_conversation_become_comments_in_its_thread(control, server):
    credentials = await account(control)
    post = await tweet(control, "brand", "Новая коллекция уже в продаже")
    question = await tweet(control, "ann", "А доставка есть?", in_reply_to=post["id"])
    follow_up = await tweet(control, "bob", "Тоже интересно", in_reply_to=question["id"])
    await tweet(control, "carl", "@brand unrelated shout-out")
    batch = await poll(credentials, server)
    comments = {e.comment_id: e for e in batch.events if isinstance(e, CommentReceived)}
    assert set(comments) == {question["id"], follow_up["id"]}
    assert comments[question["id"]].post_id == post["id"] and comments[question["id"]].parent_comment_id is None
    assert comments[question["id"]].post_text == "Новая коллекция уже в продаже"
    assert comments[follow_up["id"]].post_id == post["id"]
    assert comments[follow_up["id"]].parent_comment_id == question["id"]
    assert [type(e) for e in batch.events].count(MentionFound) == 1


async def test_replies_in_someone_elses_conversation_stay_mentions(control, server):
    credentials = await account(control)
    other = await tweet(control, "news", "Кофейни города: рейтинг")
    reply = await tweet(control, "ann", "@brand лучшая!", in_reply_to=other["id"])
    batch = await poll(credentials, server)
    [event] = batch.events
    assert isinstance(event, MentionFound) and event.mention_id == reply["id"]


async def test_keyword_search_hits_are_mentions_carrying_the_keyword_that_matched(control, server):
    credentials = await account(control)
    hit = await tweet(control, "ann", "Chorus Coffee лучший кофе в городе")
    await tweet(control, "bob", "nothing to see here")
    await tweet(control, "brand", "Chorus Coffee: our own announcement")
    batch = await poll(credentials, server, reader=1, keywords=["Chorus Coffee", "латте"])
    [event] = batch.events
    assert isinstance(event, MentionFound) and event.mention_id == hit["id"]
    assert event.query == "Chorus Coffee" and event.author.handle == "ann"


async def test_a_restarted_reader_neither_misses_nor_repeats(control, server):
    credentials = await account(control)
    first = await tweet(control, "ann", "@brand first")
    batch = await poll(credentials, server)
    second = await tweet(control, "bob", "@brand second")
    third = await tweet(control, "carl", "@brand third")
    later = await poll(credentials, server, batch.cursor)  # a new client: the process restarted
    idle = await poll(credentials, server, later.cursor)
    assert [e.mention_id for e in batch.events] == [first["id"]]
    assert [e.mention_id for e in later.events] == [second["id"], third["id"]]
    assert idle.events == [] and idle.cursor == later.cursor


async def test_a_burst_larger_than_one_poll_is_read_over_several_polls_in_order(control, server):
    credentials = await account(control, page_size=10, pages_per_poll=1)
    sent = [(await tweet(control, f"fan{i}", f"@brand message {i}"))["id"] for i in range(23)]
    cursor, seen, polls = None, [], 0
    while True:
        batch = await poll(credentials, server, cursor)
        polls += 1
        seen += [e.mention_id for e in batch.events]
        if not batch.events:
            break
        cursor = batch.cursor
    assert sorted(seen, key=int) == sent and len(set(seen)) == len(seen)
    assert polls == 4  # 10 + 10 + 3, then nothing new
    assert json.loads(cursor)["next"] is None and json.loads(cursor)["since"] == sent[-1]


async def test_an_edited_comment_becomes_comment_edited_under_its_first_id(control, server):
    credentials = await account(control)
    post = await tweet(control, "brand", "Анонс")
    comment = await tweet(control, "ann", "Когда старт?", in_reply_to=post["id"])
    batch = await poll(credentials, server)
    edited = (await control.post(f"/tweets/{comment['id']}/edit", json={"text": "@brand Когда старт продаж?"})).json()
    later = await poll(credentials, server, batch.cursor)
    again, event = later.events
    # X serves only the newest version, so the reply is announced again under the id it first had:
    # the same event id as the first time, which JetStream drops as a duplicate.
    assert isinstance(again, CommentReceived) and again.event_id == batch.events[-1].event_id
    assert isinstance(event, CommentEdited)
    assert event.comment_id == comment["id"] and event.post_id == post["id"]
    assert event.text == "@brand Когда старт продаж?" and event.raw["id"] == edited["id"]


async def test_long_html_emoji_and_rtl_texts_arrive_intact(control, server):
    credentials = await account(control)
    texts = ["@brand " + "длинный отзыв " * 715, "@brand <b>bold</b> <script>alert(1)</script> &amp; 🎉👍🏽",
             "@brand مرحبا، متى يفتح المتجر؟ 😊"]
    for i, text in enumerate(texts):
        await tweet(control, f"user{i}", text)
    batch = await poll(credentials, server)
    assert sorted(e.text for e in batch.events) == sorted(texts)
    assert len(max(texts, key=len)) > 10_000


async def test_malformed_posts_are_rejected_and_the_reader_goes_on(control, server):
    credentials = await account(control)
    good = await tweet(control, "ann", "@brand all fine")
    for payload in ({"id": "1", "text": "no author"}, {"id": "2", "text": "x", "author_id": "5", "created_at": "soon"},
                    {"id": "3", "text": ["not", "text"], "author_id": "5", "created_at": "2025-01-01T10:00:00.000Z"},
                    {"id": "4", "text": "new fields", "author_id": "5", "created_at": "2025-01-01T10:00:00.000Z",
                     "note_tweet": {"text": 42}, "unknown": {"nested": True}, "referenced_tweets": "odd"}):
        response = await control.post("/tweets/raw", json={"mention_of": credentials.external_id, "payload": payload})
        assert response.status_code == 200
    batch = await poll(credentials, server)
    assert {e.mention_id for e in batch.events} == {good["id"], "4"}
    assert sorted(r["payload"]["id"] for r in batch.rejected) == ["1", "2", "3"]
    assert all(r["source"] == "mentions" and r["reason"] for r in batch.rejected)


async def test_an_unreadable_cursor_restarts_from_the_newest_posts(control, server):
    credentials = await account(control)
    mention = await tweet(control, "ann", "@brand hello")
    batch = await poll(credentials, server, "{not json")
    assert [e.mention_id for e in batch.events] == [mention["id"]]


async def test_verify_describes_the_account_and_what_it_can_do(control, server):
    credentials = await account(control)
    client = x.client(credentials, Endpoints(x=server))
    try:
        profile = await client.verify()
        stats = await client.stats()
    finally:
        await client.close()
    assert (profile.external_id, profile.handle, profile.followers) == (credentials.external_id, "brand", 120)
    assert profile.token_kinds == ["bearer", "user"] and "reply_comments" in profile.features
    assert stats.followers == 120 and stats.posts == 0


async def test_verify_refuses_a_user_token_of_another_account(control, server):
    mine, theirs = await account(control, "brand"), await account(control, "other")
    mixed = Credentials(account_id="acc", workspace_id="ws", network=Network.X, external_id=mine.external_id,
                        tokens={"user": theirs.tokens["user"]})
    client = x.client(mixed, Endpoints(x=server))
    try:
        with pytest.raises(PermissionMissing, match="belongs to X user"):
            await client.verify()
    finally:
        await client.close()


async def test_a_read_only_account_verifies_without_write_features(control, server):
    credentials = await account(control)
    read_only = Credentials(account_id="acc", workspace_id="ws", network=Network.X,
                            external_id=credentials.external_id, tokens={"bearer": credentials.tokens["bearer"]})
    client = x.client(read_only, Endpoints(x=server))
    try:
        profile = await client.verify()
    finally:
        await client.close()
    assert profile.token_kinds == ["bearer"] and "reply_comments" not in profile.features and "mentions" in profile.features


async def test_backfill_reads_the_mentions_since_a_time(control, server):
    credentials = await account(control)
    now = datetime.now(UTC)
    old = await tweet(control, "ann", "@brand old", created_at=(now - timedelta(days=3)).isoformat())
    recent = await tweet(control, "bob", "@brand recent", created_at=(now - timedelta(hours=2)).isoformat())
    client = x.client(credentials, Endpoints(x=server))
    try:
        batch = await client.backfill(now - timedelta(days=1))
    finally:
        await client.close()
    assert [e.mention_id for e in batch.events] == [recent["id"]] and old["id"] != recent["id"]
    assert batch.cursor is None


async def test_demo_traffic_reaches_the_demo_account_with_its_documented_tokens(control, server, emulator):
    demo = (await control.get("/demo")).json()
    rng = random.Random(7)
    for _ in range(40):
        emulator.demo_tick(rng)
    credentials = Credentials(account_id="demo", workspace_id="ws", network=Network.X, external_id=demo["user_id"],
                              tokens={"user": demo["user_token"], "bearer": demo["bearer_token"]})
    mentions = await poll(credentials, server)
    search = await poll(credentials, server, reader=1, keywords=[demo["brand"]])
    kinds = {type(e) for e in mentions.events + search.events}
    assert kinds == {CommentReceived, MentionFound} and not mentions.rejected and not search.rejected
    assert all(e.author.handle and e.text for e in mentions.events)
