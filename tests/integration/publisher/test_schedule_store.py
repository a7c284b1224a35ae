"""The schedule in SQL on SQLite and PostgreSQL: the projection of the log, its rebuild, the claim and the lease."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from publisher_harness import WORKSPACE, cancel, environment, post, running, soon
from sqlalchemy import select

from chorus.backbone.db import make_engine
from chorus.backbone.projection import rebuild
from chorus.events import PostAttempted, PostEdited, PostTarget
from chorus.publisher.adapters.repository import SqlSchedule
from chorus.publisher.domain import State
from chorus.publisher.replays import REPLAYS
from chorus.publisher.schedule import ScheduleProjection
from chorus.publisher.tables import items

STABLE = [c for c in items.c if c.name not in ("claimed_at",)]


def dump(engine) -> list[tuple]:
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(select(*STABLE)))


@pytest.fixture
def engines(db_url):
    engine, read = make_engine(db_url, write=True), make_engine(db_url, write=False)
    yield engine, read
    engine.dispose()
    read.dispose()


async def test_the_schedule_rebuilt_from_the_log_is_the_one_built_live(db_url, emulator, tmp_path, net, nc, js, store):
    vk, x = await net.vk(), await net.x()
    networks = {vk: "vk", x: "x"}
    await net.control.post("/vk/faults", json={"method": "wall.post", "error": 6, "times": 1})
    await net.control.post("/x/faults", json={"method": "POST /2/tweets", "drop": True})
    async with running(environment(db_url, emulator, tmp_path, net.key), nc, js, store) as publisher:
        published = post([vk, x], networks, "Опубликовано")
        cancelled = post([vk], networks, "Отменено", at=soon(30))
        rejected = post([x], networks, "x" * 400)
        missed = post([vk], networks, "Пропущено", at=datetime(2026, 1, 1, tzinfo=UTC))
        await store.append_many([published, cancelled, rejected, missed, cancel(cancelled.post_id)])
        await publisher.wait_post(published.post_id, {"published"})
        await publisher.wait_post(rejected.post_id, {"failed"})
        await publisher.wait_post(missed.post_id, {"missed"})
        await publisher.wait_post(cancelled.post_id, {"cancelled"})
        engine = publisher.runtime.engine
        live = dump(engine)
        projection = REPLAYS["publisher"][0](settle_s=0.3)
        assert isinstance(projection, ScheduleProjection)
    applied = await rebuild(projection, engine, js)
    rebuilt = dump(engine)
    for a, b in zip(live, rebuilt):
        diff = {c.name: (x, y) for c, x, y in zip(STABLE, a, b) if x != y}
        assert not diff, (a[0], diff)
    assert applied > 10 and rebuilt == live
    engine.dispose()


async def test_an_attempt_logged_without_an_outcome_is_left_sending_for_the_start_to_settle(engines, js, store):
    engine, read = engines
    scheduled = post(["acc-1"], {"acc-1": "x"}, "Текст")
    attempted = PostAttempted(workspace_id=WORKSPACE, post_id=scheduled.post_id, account_id="acc-1", network="x",
                              attempt=1, key=f"{scheduled.post_id}:acc-1")
    await store.append_many([scheduled, attempted])
    await rebuild(ScheduleProjection(), engine, js)
    [row] = await SqlSchedule(engine, read, holder="me").in_flight()
    assert (row.state, row.attempts, row.logged_attempt) == (State.SENDING, 1, 1)


async def test_a_claim_is_refused_once_the_post_is_cancelled_or_edited_or_without_the_lease(engines, js, store):
    engine, read = engines
    schedule, other = SqlSchedule(engine, read, holder="a"), SqlSchedule(engine, read, holder="b")
    schedule.create_tables()
    now = datetime.now(UTC)
    first = post(["acc-1"], {"acc-1": "vk"}, "Первый", at=now)
    second = post(["acc-1"], {"acc-1": "vk"}, "Второй", at=now)
    third = post(["acc-1"], {"acc-1": "vk"}, "Третий", at=now)
    edited = PostEdited(workspace_id=WORKSPACE, post_id=second.post_id, publish_at=now, edited_by="u",
                        targets=[PostTarget(account_id="acc-1", network="vk", text="Второй, правка")])
    await store.append_many([first, second, third])
    await rebuild(ScheduleProjection(), engine, js)
    key = f"{first.post_id}:acc-1"
    read_first, read_second = await schedule.load(key), await schedule.load(f"{second.post_id}:acc-1")
    assert await schedule.take_lease(15, now) and not await other.take_lease(15, now)
    assert await other.claim(read_first, 1, now) is None  # not the lease holder
    await store.append_many([cancel(first.post_id), edited])
    await rebuild(ScheduleProjection(), engine, js)
    assert await schedule.claim(read_first, 1, now) is None  # cancelled after it was read
    assert await schedule.claim(read_second, 1, now) is None  # edited after it was read
    fresh = await schedule.load(f"{third.post_id}:acc-1")
    claimed = await schedule.claim(fresh, 1, now)
    assert claimed is not None and claimed.state == State.SENDING and claimed.intent_at is not None
    assert await schedule.claim(fresh, 1, now) is None  # already claimed
    await schedule.release(claimed, 1)  # its intent never reached the log
    assert (await schedule.load(fresh.key)).state == State.SCHEDULED
    await schedule.drop_lease()
    assert await other.take_lease(15, now + timedelta(seconds=1))


async def test_due_items_are_read_by_time_from_the_index(engines, js, store):
    engine, read = engines
    base = datetime.now(UTC)
    posts = [post(["acc-1"], {"acc-1": "vk"}, f"Пост {i}", at=base + timedelta(minutes=i)) for i in range(50)]
    await store.append_many(posts)
    await rebuild(ScheduleProjection(), engine, js)
    due = await SqlSchedule(engine, read, holder="a").upcoming((base + timedelta(minutes=9.5)).timestamp(), 100)
    assert [d.key for d in due] == [f"{p.post_id}:acc-1" for p in posts[:10]]
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if not sqlite:
            conn.exec_driver_sql("SET enable_seqscan = off")  # a table this small would be scanned anyway
        plan = " ".join(str(r) for r in conn.exec_driver_sql(
            ("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ")
            + "SELECT key FROM publisher_items WHERE state IN ('scheduled', 'unknown') AND due_at <= 1 "
              "ORDER BY due_at LIMIT 10"))
    assert "ix_publisher_items_due" in plan, plan
