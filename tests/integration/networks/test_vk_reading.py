"""Reading a VK community with vk_api against the emulator: long poll, failures 1/2/3, backfill, mentions."""
from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from chorus.emulators import vk as vk_emulator
from chorus.emulators.control import serving
from chorus.emulators.server import build_app
from chorus.events import CommentDeleted, CommentEdited, CommentReceived, DirectMessageReceived, MentionFound
from chorus.events.values import Network
from chorus.networks import client_for, vk
from chorus.networks.base import Endpoints
from chorus.networks.credentials import Credentials

FAST = {"community": 1000.0, "user": 1000.0}


async def community(control: httpx.AsyncClient, **extra: Any) -> dict[str, Any]:
    answer = await control.post("/communities", json={"name": "Кофейня", "members_count": 321, **extra})
    assert answer.status_code == 200, answer.text
    return answer.json()


def credentials(made: dict[str, Any], *kinds: str) -> Credentials:
    tokens = {"community": made["community_token"], "user": made["user_token"]}
    return Credentials(account_id="acc-vk", workspace_id="ws", network=Network.VK, external_id=str(made["id"]),
                       tokens={k: tokens[k] for k in kinds or ("community", "user")})


@pytest.fixture
async def made(control: httpx.AsyncClient) -> dict[str, Any]:
    return await community(control)


@pytest.fixture
async def client(made: dict[str, Any], server: str) -> AsyncIterator[vk.VkClient]:
    account = vk.client(credentials(made), Endpoints(vk=server), rates=FAST, long_poll_wait=0)
    yield account
    await account.close()


async def post(control: httpx.AsyncClient, path: str, **body: Any) -> dict[str, Any]:
    answer = await control.post(path, json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_client_for_builds_the_vk_adapter_and_verify_reports_features(made: dict[str, Any], server: str) -> None:
    account = client_for(credentials(made, "community"), Endpoints(vk=server))
    try:
        profile = await account.verify()
    finally:
        await account.close()
    assert (profile.network, profile.external_id, profile.name, profile.followers) == (
        Network.VK, str(made["id"]), "Кофейня", 321)
    assert profile.token_kinds == ["community"]
    assert "read_comments" in profile.features and "publish_posts" not in profile.features
    assert {f.name for f in vk.FEATURES} >= set(profile.features)


async def test_a_new_comment_arrives_with_its_author_thread_and_link(
        control: httpx.AsyncClient, client: vk.VkClient, made: dict[str, Any]) -> None:
    (long_poll, _) = client.readers(["кофейня"])
    first = await long_poll.poll(None)
    gid = made["id"]
    news = await post(control, f"/communities/{gid}/posts", text="Открываемся в субботу!")
    top = await post(control, f"/communities/{gid}/comments", text="Когда откроетесь?", first_name="Анна",
                     last_name="Иванова", post_id=news["post_id"])
    await post(control, f"/communities/{gid}/comments", reply_to=top["comment_id"], text="Тоже жду",
               first_name="Олег")
    batch = await long_poll.poll(first.cursor)
    assert [type(e) for e in batch.events] == [CommentReceived, CommentReceived], "wall_post_new is no event"
    comment, reply = batch.events
    assert comment.comment_id == f"-{gid}_{top['post_id']}_{top['comment_id']}"
    assert comment.post_id == f"-{gid}_{top['post_id']}"
    assert comment.author.name == "Анна Иванова" and comment.author.id == str(top["from_id"])
    assert comment.url == f"https://vk.com/wall-{gid}_{top['post_id']}?reply={top['comment_id']}"
    assert comment.post_text == "Открываемся в субботу!", "wall_post_new taught the reader the post's text"
    assert reply.parent_comment_id == comment.comment_id and not reply.from_account
    assert batch.cursor and int(batch.cursor) > int(first.cursor)
    again = await long_poll.poll(batch.cursor)
    assert again.events == [], "a confirmed ts does not deliver the same events again"


async def test_edits_deletions_restorations_and_messages_become_events(
        control: httpx.AsyncClient, client: vk.VkClient, made: dict[str, Any]) -> None:
    (long_poll, _) = client.readers(["x"])
    cursor = (await long_poll.poll(None)).cursor
    gid = made["id"]
    created = await post(control, f"/communities/{gid}/comments", text="Сыро")
    cid = created["comment_id"]
    await post(control, f"/communities/{gid}/comments/{cid}/edit", text="Сыро, но вкусно")
    await post(control, f"/communities/{gid}/comments/{cid}/delete", deleter_id=created["from_id"])
    await post(control, f"/communities/{gid}/comments/{cid}/restore")
    sent = await post(control, f"/communities/{gid}/messages", text="Где мой заказ?", first_name="Ира")
    batch = await long_poll.poll(cursor)
    kinds = [type(e) for e in batch.events]
    assert kinds == [CommentReceived, CommentEdited, CommentDeleted, CommentReceived, DirectMessageReceived]
    received, edited, deleted, restored, message = batch.events
    assert edited.text == "Сыро, но вкусно" and edited.comment_id == received.comment_id
    assert deleted.deleted_by == str(created["from_id"])
    assert restored.comment_id == received.comment_id and restored.event_id != received.event_id
    assert message.dialogue_id == str(sent["peer_id"]) and message.author.name == "Ира"


async def test_a_redelivered_event_keeps_its_event_id(
        control: httpx.AsyncClient, client: vk.VkClient, made: dict[str, Any]) -> None:
    (long_poll,) = client.readers([])  # no keywords: no mentions reader
    cursor = (await long_poll.poll(None)).cursor
    await post(control, f"/communities/{made['id']}/comments", text="Дубль?")
    first = await long_poll.poll(cursor)
    events = (await control.get(f"/communities/{made['id']}/events")).json()["events"]
    await post(control, f"/communities/{made['id']}/longpoll/redeliver", event_id=events[-1]["event_id"])
    second = await long_poll.poll(first.cursor)
    assert [e.event_id for e in second.events] == [e.event_id for e in first.events]


async def test_history_lost_is_a_gap_and_reading_goes_on_from_the_new_ts(
        control: httpx.AsyncClient, client: vk.VkClient, made: dict[str, Any]) -> None:
    (long_poll,) = client.readers([])
    cursor = (await long_poll.poll(None)).cursor
    await post(control, f"/communities/{made['id']}/comments", text="Этот пропадёт")
    await post(control, f"/communities/{made['id']}/longpoll/fail", failed=1)
    lost = await long_poll.poll(cursor)
    assert lost.events == [] and lost.gap is not None and "failed: 1" in lost.gap.reason
    assert int(lost.cursor) > int(cursor)
    await post(control, f"/communities/{made['id']}/comments", text="А этот дойдёт")
    after = await long_poll.poll(lost.cursor)
    assert [e.text for e in after.events] == ["А этот дойдёт"]


async def test_an_expired_key_is_renewed_keeping_the_ts(
        control: httpx.AsyncClient, client: vk.VkClient, made: dict[str, Any]) -> None:
    (long_poll,) = client.readers([])
    cursor = (await long_poll.poll(None)).cursor
    await post(control, f"/communities/{made['id']}/comments", text="Не потеряется")
    await post(control, f"/communities/{made['id']}/longpoll/fail", failed=2)
    renewed = await long_poll.poll(cursor)
    assert renewed.gap is None and renewed.cursor == cursor
    batch = await long_poll.poll(renewed.cursor)
    assert [e.text for e in batch.events] == ["Не потеряется"]


async def test_key_and_history_lost_is_a_gap_with_a_fresh_ts(
        control: httpx.AsyncClient, client: vk.VkClient, made: dict[str, Any]) -> None:
    (long_poll,) = client.readers([])
    cursor = (await long_poll.poll(None)).cursor
    await post(control, f"/communities/{made['id']}/comments", text="Пропадёт")
    await post(control, f"/communities/{made['id']}/longpoll/fail", failed=3)
    lost = await long_poll.poll(cursor)
    assert lost.gap is not None and "failed: 3" in lost.gap.reason and lost.events == []
    assert int(lost.cursor) > int(cursor)
    await post(control, f"/communities/{made['id']}/comments", text="Дойдёт")
    assert [e.text for e in (await long_poll.poll(lost.cursor)).events] == ["Дойдёт"]


async def test_a_restarted_reader_continues_from_the_persisted_ts(
        control: httpx.AsyncClient, made: dict[str, Any], server: str) -> None:
    first = vk.client(credentials(made), Endpoints(vk=server), rates=FAST, long_poll_wait=0)
    cursor = (await first.readers([])[0].poll(None)).cursor
    await first.close()
    await post(control, f"/communities/{made['id']}/comments", text="Пока нас не было")
    second = vk.client(credentials(made), Endpoints(vk=server), rates=FAST, long_poll_wait=0)
    try:
        batch = await second.readers([])[0].poll(cursor)
    finally:
        await second.close()
    assert [e.text for e in batch.events] == ["Пока нас не было"]


LONG = "Очень подробный отзыв. " * 450


@pytest.mark.parametrize("text", [
    "<b>жирный</b> &amp; <script>alert(1)</script>", LONG[:10_000], "🔥🔥🔥 👍🏽 ❤️\u200d🔥", "שלום, مرحبا — RTL \u200ftext",
])
async def test_unusual_texts_arrive_unchanged(control: httpx.AsyncClient, client: vk.VkClient,
                                              made: dict[str, Any], text: str) -> None:
    (long_poll,) = client.readers([])
    cursor = (await long_poll.poll(None)).cursor
    await post(control, f"/communities/{made['id']}/comments", text=text)
    (event,) = (await long_poll.poll(cursor)).events
    assert event.text == text


async def test_malformed_and_unknown_updates_are_rejected_or_ignored_without_stopping(
        control: httpx.AsyncClient, client: vk.VkClient, made: dict[str, Any]) -> None:
    (long_poll,) = client.readers([])
    cursor = (await long_poll.poll(None)).cursor
    gid = made["id"]
    raw = f"/communities/{gid}/events/raw"
    await post(control, raw, type="wall_reply_new", object={"id": 5, "text": "no author, no date"})
    await post(control, raw, type="wall_reply_new", object="not an object")
    await post(control, raw, type="message_new", object={"message": {"id": "seven"}})
    await post(control, raw, type="photo_new", object={"id": 1})  # a type Chorus does not read
    await post(control, raw, type="wall_reply_new", object={
        "id": 77, "from_id": 9, "date": 1_700_000_000, "text": "новое поле", "post_id": 1, "owner_id": -gid,
        "brand_new_field": {"nested": [1, 2]}, "likes": "unexpected shape"})
    batch = await long_poll.poll(cursor)
    assert [e.text for e in batch.events] == ["новое поле"]
    assert len(batch.rejected) == 3
    assert all("reason" in r and "payload" in r for r in batch.rejected)


async def test_backfill_reads_comments_written_since_including_long_threads(
        control: httpx.AsyncClient, client: vk.VkClient, made: dict[str, Any]) -> None:
    gid = made["id"]
    top = await post(control, f"/communities/{gid}/comments", text="Корень")
    for n in range(12):  # more than the 10 replies VK previews in a thread
        await post(control, f"/communities/{gid}/comments", reply_to=top["comment_id"], text=f"ответ {n}")
    batch = await client.backfill(datetime.now(UTC) - timedelta(minutes=5))
    texts = sorted(e.text for e in batch.events)
    assert texts == sorted(["Корень", *(f"ответ {n}" for n in range(12))])
    assert all(e.post_text == "Welcome!" for e in batch.events)
    assert len({e.event_id for e in batch.events}) == 13
    later = await client.backfill(datetime.now(UTC) + timedelta(minutes=5))
    assert later.events == []


async def test_mentions_page_through_next_from_and_skip_the_communitys_own_posts(
        control: httpx.AsyncClient, client: vk.VkClient, made: dict[str, Any]) -> None:
    for n in range(130):
        await post(control, "/mentions", text=f"Кофейня Brandissimo #{n}", first_name="Автор")
    await post(control, f"/communities/{made['id']}/posts", text="Кофейня Brandissimo: наш собственный пост")
    (_, mentions) = client.readers(["brandissimo"])
    first = await mentions.poll(None)
    # 131 results (the community's own post among them), newest first, 100 a page
    assert 99 <= len(first.events) <= 100 and all(isinstance(e, MentionFound) for e in first.events)
    assert '"next"' in first.cursor and "brandissimo" in first.cursor
    second = await mentions.poll(first.cursor)
    assert len(first.events) + len(second.events) == 130
    found = {e.mention_id for e in first.events + second.events}
    assert len(found) == 130 and all(e.query == "brandissimo" for e in second.events)
    assert all("наш собственный" not in e.text for e in first.events + second.events)
    assert first.events[0].url.startswith("https://vk.com/wall") and first.events[0].author.name == "Автор"
    third = await mentions.poll(second.cursor)
    assert {e.mention_id for e in third.events} <= found, "a new sweep finds nothing new"


async def test_stats_report_members_reach_and_activity(client: vk.VkClient) -> None:
    stats = await client.stats()
    assert stats.followers == 321 and stats.posts == 1
    assert stats.reach is not None and stats.impressions is not None and stats.period_to is not None


async def test_stats_with_only_a_community_token_report_followers(made: dict[str, Any], server: str) -> None:
    account = vk.client(credentials(made, "community"), Endpoints(vk=server), rates=FAST)
    try:
        stats = await account.stats()
    finally:
        await account.close()
    assert stats.followers == 321 and stats.reach is None


async def test_demo_traffic_is_read_without_rejections() -> None:
    emulator = vk_emulator.build()  # the demo community exists from the start
    rng = random.Random(5)
    with serving(build_app([emulator])) as url:
        async with httpx.AsyncClient(base_url=f"{url}/_control/vk") as http:
            accounts = (await http.get("/demo")).json()
        made = {"id": accounts["community_id"], "community_token": accounts["community_token"],
                "user_token": accounts["user_token"]}
        account = vk.client(credentials(made), Endpoints(vk=url), rates=FAST, long_poll_wait=0)
        try:
            long_poll, mentions = account.readers([accounts["brand"]])
            cursor = (await long_poll.poll(None)).cursor
            for _ in range(60):
                emulator.demo_tick(rng)
            batch = await long_poll.poll(cursor)
            found = await mentions.poll(None)
        finally:
            await account.close()
    assert batch.rejected == [] and found.rejected == []
    kinds = {type(e) for e in batch.events} | {type(e) for e in found.events}
    assert kinds == {CommentReceived, DirectMessageReceived, MentionFound}
    assert all(e.author.name for e in batch.events), "demo authors have names"
