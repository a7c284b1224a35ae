"""The projection runner on SQLite and PostgreSQL, against a real nats-server."""
from __future__ import annotations

import asyncio
from datetime import timedelta

from chorus.backbone.consumer import ConsumerOptions
from chorus.backbone.db import make_engine
from chorus.backbone.deadletter import list_dead_letters, replay_dead_letter
from chorus.backbone.projection import ProjectionRunner, rebuild
from chorus.events import CommentDeleted, utcnow
from support.projection import CommentCounts, comment, dump, run_until

FAST = ConsumerOptions(batch=100, max_deliver=3, backoff=(0.05, 0.1), fetch_timeout_s=0.2)



def read(engine):
    with engine.connect() as conn:
        return dump(conn)


async def test_projection_applies_each_event_once(js, store, db_url):
    engine = make_engine(db_url)
    events = [comment(n, account=f"acc-{n % 3}") for n in range(30)]
    await store.append_many(events)
    runner = ProjectionRunner(CommentCounts(), engine, js, FAST)
    await run_until(runner, lambda: runner.applied == 30)
    state = read(engine)
    assert len(state["comments"]) == 30
    assert state["counts"] == [("acc-0", 10), ("acc-1", 10), ("acc-2", 10)]
    engine.dispose()


async def test_same_event_twice_in_the_log_is_applied_once(js, store, db_url, nc):
    """Beyond the duplicate window JetStream stores a re-sent event again; the projection still applies it once."""
    engine = make_engine(db_url)
    event = comment(1)
    await store.append(event)
    from chorus.events import encode
    await js.publish(event.subject(), encode(event), headers={"Nats-Msg-Id": "resent-after-window"})
    await store.append(comment(2))
    runner = ProjectionRunner(CommentCounts(), engine, js, FAST)
    await run_until(runner, lambda: runner.applied == 2 and read(engine)["counts"] == [("acc-1", 2)])
    await asyncio.sleep(0.3)
    assert read(engine)["counts"] == [("acc-1", 2)]
    engine.dispose()


async def test_restarted_runner_resumes_from_its_position(js, store, db_url):
    engine = make_engine(db_url)
    await store.append_many([comment(n) for n in range(10)])
    runner = ProjectionRunner(CommentCounts(), engine, js, FAST)
    await run_until(runner, lambda: runner.applied == 10)
    await store.append_many([comment(n) for n in range(10, 15)])
    runner = ProjectionRunner(CommentCounts(), engine, js, FAST)
    await run_until(runner, lambda: read(engine)["counts"] == [("acc-1", 15)])
    assert runner.applied == 5
    engine.dispose()


async def test_poison_event_is_dead_lettered_and_later_events_still_apply(js, store, db_url):
    engine = make_engine(db_url)
    await store.append_many([comment(1), comment(2, text="boom"), comment(3),
                             CommentDeleted(workspace_id="ws-1", account_id="acc-1", network="vk", comment_id="1",
                                            post_id="p1", deleted_at=utcnow())])
    runner = ProjectionRunner(CommentCounts(), engine, js, FAST)
    await run_until(runner, lambda: runner.applied == 3)
    state = read(engine)
    assert [c[0] for c in state["comments"]] == ["3"] and state["counts"] == [("acc-1", 1)]
    [dead] = await list_dead_letters(js)
    assert dead.consumer == "projection-test-counts" and dead.stream_seq == 2 and dead.reason == "handler_failed"
    engine.dispose()


async def test_rebuild_equals_the_live_read_model(js, store, db_url):
    engine = make_engine(db_url)
    await store.append_many([comment(n, account=f"acc-{n % 4}") for n in range(200)])
    await store.append_many([CommentDeleted(workspace_id="ws-1", account_id=f"acc-{n % 4}", network="vk",
                                            comment_id=str(n), post_id="p1", deleted_at=utcnow())
                             for n in range(0, 200, 7)])
    runner = ProjectionRunner(CommentCounts(), engine, js, FAST)
    await run_until(runner, lambda: runner.applied == 229)
    live = read(engine)
    seen: list[tuple[int, int]] = []
    applied = await rebuild(CommentCounts(), engine, js, progress=lambda done, total: seen.append((done, total)))
    assert applied == 229
    assert read(engine) == live
    assert seen[-1] == (229, 229)
    engine.dispose()


async def test_live_runner_pauses_while_a_rebuild_runs_and_catches_up_after(js, store, db_url):
    engine = make_engine(db_url)
    await store.append_many([comment(n) for n in range(50)])
    stop = asyncio.Event()
    runner = ProjectionRunner(CommentCounts(), engine, js, FAST)
    task = asyncio.create_task(runner.run(stop))
    try:
        async with asyncio.timeout(10):
            while runner.applied < 50:
                await asyncio.sleep(0.05)
        await rebuild(CommentCounts(), engine, js)
        await store.append_many([comment(n) for n in range(50, 60)])
        async with asyncio.timeout(10):
            while read(engine)["counts"] != [("acc-1", 60)]:
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
    assert len(read(engine)["comments"]) == 60
    engine.dispose()


async def test_replayed_dead_letter_is_applied_once(js, store, db_url, monkeypatch):
    engine = make_engine(db_url)
    await store.append_many([comment(1), comment(2, text="boom")])
    runner = ProjectionRunner(CommentCounts(), engine, js, FAST)
    await run_until(runner, lambda: runner.applied == 1 and runner._applier.dead_lettered == 1)
    [dead] = await list_dead_letters(js)
    # The bug is fixed: "boom" is now an ordinary comment.
    monkeypatch.setattr(CommentCounts, "apply", _apply_without_boom)
    await replay_dead_letter(js, dead.seq)
    await replay_dead_letter(js, dead.seq)  # asked twice: still applied once
    runner = ProjectionRunner(CommentCounts(), engine, js, FAST)
    await run_until(runner, lambda: read(engine)["counts"] == [("acc-1", 2)])
    await asyncio.sleep(0.5)
    assert read(engine)["counts"] == [("acc-1", 2)]
    engine.dispose()


_original_apply = CommentCounts.apply


def _apply_without_boom(self, conn, event):
    if getattr(event, "text", None) == "boom":
        event = event.model_copy(update={"text": "fixed"})
    _original_apply(self, conn, event)


async def test_two_runners_on_one_database_apply_once_and_the_standby_takes_over(js, store, db_url):
    """Replicas sharing a database: one applies, the other waits, and takes over when the first stops."""
    engine = make_engine(db_url)
    await store.append_many([comment(n) for n in range(100)])

    class Quick(ProjectionRunner):
        OWNER_TTL = timedelta(seconds=1.5)

    first = Quick(CommentCounts(), engine, js, FAST, instance="replica-1")
    second = Quick(CommentCounts(), engine, js, FAST, instance="replica-2")
    stop_first, stop_second = asyncio.Event(), asyncio.Event()
    task_first = asyncio.create_task(first.run(stop_first))
    await asyncio.sleep(0.5)
    task_second = asyncio.create_task(second.run(stop_second))
    try:
        async with asyncio.timeout(15):
            while read(engine)["counts"] != [("acc-1", 100)] or not second.standby:
                await asyncio.sleep(0.05)
        assert second.standby and second.ready and second.applied == 0
        stop_first.set()  # the owner goes away (and releases its claim)
        await asyncio.wait_for(task_first, 10)
        await store.append_many([comment(n) for n in range(100, 150)])
        async with asyncio.timeout(15):
            while read(engine)["counts"] != [("acc-1", 150)]:
                await asyncio.sleep(0.05)
        assert second.applied == 50 and not second.standby
    finally:
        stop_first.set()
        stop_second.set()
        await asyncio.wait_for(asyncio.gather(task_first, task_second, return_exceptions=True), 10)
    engine.dispose()
