"""Posts through the real publisher and the real adapters, against the emulators and a real nats-server."""
from __future__ import annotations

import asyncio

from publisher_harness import cancel, environment, outcomes, post, running, soon

from chorus.events import AccountTokenExpired, PostAttempted, PostFailed, PostPublished
from chorus.networks.utm import DEFAULT_PRESET


async def test_a_cross_post_appears_once_on_each_network(db_url, emulator, tmp_path, net, nc, js, store):
    accounts = [await net.vk(), await net.x(), await net.telegram(), await net.facebook()]
    networks = {a: net.accounts[a]["network"] for a in accounts}
    async with running(environment(db_url, emulator, tmp_path, net.key), nc, js, store) as publisher:
        scheduled = post(accounts, networks, "Открытие магазина в субботу!", at=soon(0.5))
        await store.append(scheduled)
        status = await publisher.wait_post(scheduled.post_id, {"published"})
    texts = await net.published_texts()
    assert {n: t.count("Открытие магазина в субботу!") for n, t in texts.items()} == \
        {"vk": 1, "x": 1, "telegram": 1, "facebook": 1}
    assert all(t["remote_id"] and t["url"] for t in status["targets"])
    published = await outcomes(js, PostPublished)
    assert sorted(e.account_id for e in published) == sorted(accounts)


async def test_a_post_is_not_sent_before_its_time_and_goes_out_within_a_second(sqlite_url, emulator, tmp_path,
                                                                                 net, nc, js, store):
    account = await net.vk()
    async with running(environment(sqlite_url, emulator, tmp_path, net.key), nc, js, store) as publisher:
        due = soon(1.5)
        scheduled = post([account], {account: "vk"}, "Ровно в срок", at=due)
        await store.append(scheduled)
        await asyncio.sleep(1.0)
        assert (await net.published_texts())["vk"] == []
        await publisher.wait_post(scheduled.post_id, {"published"})
    [attempt] = await outcomes(js, PostAttempted)
    assert 0 <= (attempt.occurred_at - due).total_seconds() < 1.0


async def test_a_cancelled_post_never_goes_out(sqlite_url, emulator, tmp_path, net, nc, js, store):
    account = await net.vk()
    async with running(environment(sqlite_url, emulator, tmp_path, net.key), nc, js, store) as publisher:
        early = post([account], {account: "vk"}, "Отменено заранее", at=soon(1.0))
        last_second = post([account], {account: "vk"}, "Отменено в последний момент", at=soon(0.3))
        await store.append(early)
        await store.append(last_second)
        await store.append(cancel(early.post_id))
        await store.append(cancel(last_second.post_id))  # lands a moment before the due time
        await publisher.wait_post(early.post_id, {"cancelled"})
        await publisher.wait_post(last_second.post_id, {"cancelled"})
        await asyncio.sleep(1.5)
    assert (await net.published_texts())["vk"] == []
    assert await outcomes(js, PostAttempted) == []


async def test_an_expired_token_fails_the_post_visibly_and_is_reported_once(sqlite_url, emulator, tmp_path,
                                                                             net, nc, js, store):
    account = await net.x()
    token = net.accounts[account]["tokens"]["user"]
    await net.control.post("/x/tokens/revoke", json={"token": token})
    async with running(environment(sqlite_url, emulator, tmp_path, net.key), nc, js, store) as publisher:
        first = post([account], {account: "x"}, "Первый пост")
        second = post([account], {account: "x"}, "Второй пост")
        await store.append(first)
        await store.append(second)
        for scheduled in (first, second):
            status = await publisher.wait_post(scheduled.post_id, {"failed"})
            [target] = status["targets"]
            assert target["failure"] == "token_invalid" and "reconnect" in target["reason"]
    failed = await outcomes(js, PostFailed)
    assert {e.post_id for e in failed} == {first.post_id, second.post_id}
    assert all(e.failure == "token_invalid" for e in failed)
    [expired] = await outcomes(js, AccountTokenExpired)
    assert expired.account_id == account and expired.detected_by == "publisher" and expired.token_kind == "user"
    assert len(await outcomes(js, PostAttempted)) == 1  # the second post did not call X with a dead token


async def test_links_in_the_published_text_carry_utm_parameters_once(sqlite_url, emulator, tmp_path, net,
                                                                     nc, js, store):
    vk, tg = await net.vk(), await net.telegram()
    raw = "Распродажа https://shop.ru/sale?color=red#top и пример.рф, а тут уже https://shop.ru/?utm_source=mail!"
    texts = {a: DEFAULT_PRESET.apply(raw, network=n, account=a, campaign="spring")
             for a, n in ((vk, "vk"), (tg, "telegram"))}
    async with running(environment(sqlite_url, emulator, tmp_path, net.key), nc, js, store) as publisher:
        scheduled = post([vk, tg], {vk: "vk", tg: "telegram"}, texts, campaign="spring")
        await store.append(scheduled)
        await publisher.wait_post(scheduled.post_id, {"published"})
    published = await net.published_texts()
    [on_vk], [on_tg] = published["vk"], published["telegram"]
    assert "https://shop.ru/sale?color=red&utm_source=vk&utm_medium=social&utm_campaign=spring#top" in on_vk
    assert "пример.рф/?utm_source=vk&utm_medium=social&utm_campaign=spring," in on_vk
    assert "https://shop.ru/?utm_source=mail&utm_medium=social&utm_campaign=spring!" in on_vk
    assert on_vk.count("utm_source") == 3 and on_tg.count("utm_source=telegram") == 2
