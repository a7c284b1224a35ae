"""Network faults injected in the emulators: lost answers, rate limits, deleted targets, doubled requests."""
from __future__ import annotations

import asyncio

from publisher_harness import environment, outcomes, post, reply, running, soon

from chorus.events import (
    PostDeferred,
    PostFailed,
    PostOutcomeUnknown,
    PostPublished,
    PostReconciled,
    ReplyFailed,
    ReplySent,
    ReplyTarget,
)


async def test_a_dropped_connection_after_the_network_applied_the_post_does_not_double_it(
        db_url, emulator, tmp_path, net, nc, js, store):
    vk, x, fb = await net.vk(), await net.x(), await net.facebook()
    networks = {vk: "vk", x: "x", fb: "facebook"}
    await net.control.post("/vk/faults", json={"method": "wall.post", "drop": True})
    await net.control.post("/x/faults", json={"method": "POST /2/tweets", "drop": True})
    await net.control.post("/facebook/faults", json={"method": "POST /{page-id}/feed", "drop": True})
    async with running(environment(db_url, emulator, tmp_path, net.key), nc, js, store) as publisher:
        scheduled = post([vk, x, fb], networks, "Сегодня до 22:00 работаем!")
        await store.append(scheduled)
        await publisher.wait_post(scheduled.post_id, {"published"})
    texts = await net.published_texts()
    assert [len(texts[n]) for n in ("vk", "x", "facebook")] == [1, 1, 1]
    assert {e.account_id for e in await outcomes(js, PostOutcomeUnknown)} == {vk, x, fb}
    methods = {e.account_id: e.method for e in await outcomes(js, PostReconciled) if e.found}
    assert methods == {vk: "idempotency_key", x: "read_back", fb: "read_back"}
    vk_writes = [s for s in await net.sent("vk") if s["kind"] == "post"]
    assert len(vk_writes) == 2 and vk_writes[1]["deduplicated"] and vk_writes[0]["guid"] == vk_writes[1]["guid"]


async def test_a_lost_telegram_answer_is_found_by_probing_after_the_last_known_post(
        sqlite_url, emulator, tmp_path, net, nc, js, store):
    tg = await net.telegram()
    async with running(environment(sqlite_url, emulator, tmp_path, net.key), nc, js, store) as publisher:
        first = post([tg], {tg: "telegram"}, "Первый пост канала")
        await store.append(first)
        await publisher.wait_post(first.post_id, {"published"})
        await net.control.post("/telegram/faults", json={"method": "sendMessage", "drop": True})
        second = post([tg], {tg: "telegram"}, "Второй пост канала")
        await store.append(second)
        await publisher.wait_post(second.post_id, {"published"})
    assert (await net.published_texts())["telegram"] == ["Первый пост канала", "Второй пост канала"]
    [settled] = await outcomes(js, PostReconciled)
    assert settled.found and settled.method == "read_back"


async def test_injected_rate_limits_only_delay_posts(sqlite_url, emulator, tmp_path, net, nc, js, store):
    vk, x = await net.vk(), await net.vk()
    tw = await net.x()
    networks = {vk: "vk", x: "vk", tw: "x"}
    posts = [post([a], networks, f"Пост {i} для {a}", at=soon(0.5 + i * 0.05))
             for i in range(10) for a in (vk, x, tw)]
    faults = len(posts) // 5  # 20% of the calls are refused with "too many requests"
    await net.control.post("/vk/faults", json={"method": "wall.post", "error": 6, "times": faults - 2})
    await net.control.post("/x/faults", json={"method": "POST /2/tweets", "error": "rate_limit", "times": 2,
                                              "reset_in": 1})
    async with running(environment(sqlite_url, emulator, tmp_path, net.key), nc, js, store) as publisher:
        await store.append_many(posts)
        for scheduled in posts:
            await publisher.wait_post(scheduled.post_id, {"published"}, timeout=60)
    texts = await net.published_texts()
    assert sorted(texts["vk"] + texts["x"]) == sorted(p.targets[0].text for p in posts)
    assert len(await outcomes(js, PostDeferred)) == faults
    assert await outcomes(js, PostFailed) == [] and len(await outcomes(js, PostPublished)) == len(posts)


async def test_a_reply_requested_twice_is_sent_once(db_url, emulator, tmp_path, net, nc, js, store):
    vk = await net.vk()
    community = net.accounts[vk]["id"]
    made = (await net.control.post(f"/vk/communities/{community}/comments", json={"text": "Когда доставка?"})).json()
    target = ReplyTarget(kind="comment", post_id=f"-{community}_{made['post_id']}",
                         comment_id=f"-{community}_{made['post_id']}_{made['comment_id']}")
    first = reply(vk, "vk", target, "Завтра до 18:00")
    again = first.model_copy(update={"event_id": "another-request"})  # the same reply_id, asked twice
    async with running(environment(db_url, emulator, tmp_path, net.key), nc, js, store) as publisher:
        await store.append(first)
        await store.append(again)
        found = await publisher.wait_reply(first.reply_id, {"published"})
        await store.append(again.model_copy(update={"event_id": "a-third-request"}))
        await asyncio.sleep(0.5)
    comments = [s for s in await net.sent("vk") if s["kind"] == "comment"]
    assert len(comments) == 1 and comments[0]["reply_to_comment"] == made["comment_id"]
    [sent] = await outcomes(js, ReplySent)
    assert sent.remote_id == found["remote_id"] and sent.reply_id == first.reply_id


async def test_a_reply_to_a_deleted_comment_fails_with_not_found(sqlite_url, emulator, tmp_path, net, nc, js,
                                                                 store):
    vk, tw = await net.vk(), await net.x()
    community = net.accounts[vk]["id"]
    made = (await net.control.post(f"/vk/communities/{community}/comments", json={"text": "Спам"})).json()
    await net.control.post(f"/vk/communities/{community}/comments/{made['comment_id']}/delete", json={})
    tweet = (await net.control.post("/x/tweets", json={"author": "ann", "text": "Вопрос"})).json()
    await net.control.delete(f"/x/tweets/{tweet['id']}")
    to_vk = reply(vk, "vk", ReplyTarget(kind="comment", post_id=f"-{community}_{made['post_id']}",
                                        comment_id=str(made["comment_id"])), "Ответ")
    to_x = reply(tw, "x", ReplyTarget(kind="comment", post_id=tweet["id"], comment_id=tweet["id"]), "Ответ")
    async with running(environment(sqlite_url, emulator, tmp_path, net.key), nc, js, store) as publisher:
        await store.append(to_vk)
        await store.append(to_x)
        for request in (to_vk, to_x):
            status = await publisher.wait_reply(request.reply_id, {"failed"})
            assert status["failure"] == "not_found"
    failed = await outcomes(js, ReplyFailed)
    assert {(e.reply_id, e.failure) for e in failed} == {(to_vk.reply_id, "not_found"), (to_x.reply_id, "not_found")}
    assert [s for s in await net.sent("vk") if s["kind"] == "comment"] == []


async def test_a_telegram_post_refused_with_a_rate_limit_goes_out_after_the_delay(sqlite_url, emulator, tmp_path,
                                                                                  net, nc, js, store):
    tg = await net.telegram()
    await net.control.post("/telegram/faults", json={"method": "sendMessage", "error": 429, "retry_after": 1})
    async with running(environment(sqlite_url, emulator, tmp_path, net.key), nc, js, store) as publisher:
        scheduled = post([tg], {tg: "telegram"}, "Пост после паузы")
        await store.append(scheduled)
        status = await publisher.wait_post(scheduled.post_id, {"published", "failed"})
    assert [t["state"] for t in status["targets"]] == ["published"], status
    assert (await net.published_texts())["telegram"] == ["Пост после паузы"]
