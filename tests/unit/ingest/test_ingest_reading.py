"""One source's reading loop, with fakes of the store, cursors, status and dead letters."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import timedelta

from ingest_fakes import (
    ACCOUNT,
    CREDENTIALS,
    FakeBoard,
    FakeCursors,
    FakeDeadLetters,
    FakeStore,
    ScriptedReader,
    comment,
    deps,
)

from chorus.events import AccountTokenExpired, IngestGapRecorded, utcnow
from chorus.events.values import Network
from chorus.ingest.adapters.cursors import Checkpoint
from chorus.ingest.domain import State
from chorus.ingest.reading import SourceLoop
from chorus.networks.base import Batch, Gap
from chorus.networks.errors import PermissionMissing, RetryLater, TokenInvalid


def loop_for(script, *, checkpoint=None, account=ACCOUNT, source="long_poll", **overrides):
    stop = asyncio.Event()
    store, board, dead = FakeStore(), FakeBoard(), FakeDeadLetters()
    cursors = FakeCursors(store, checkpoint)
    reader = ScriptedReader(source, script, stop)
    loop = SourceLoop(account, CREDENTIALS, reader, deps(store, cursors, board, dead, **overrides))
    return loop, stop, reader, store, cursors, board, dead


async def run(loop, stop, timeout=5.0) -> State:
    return await asyncio.wait_for(loop.run(stop), timeout)


async def test_a_batch_is_stored_before_its_cursor_moves_and_the_next_poll_starts_there():
    loop, stop, reader, _, cursors, *_ = loop_for([Batch(events=[comment(1), comment(2)], cursor="ts-2"),
                                                       Batch(events=[comment(3)], cursor="ts-3")])
    assert await run(loop, stop) is State.STOPPED
    assert cursors.saves[:2] == [("ts-2", 2), ("ts-3", 3)], "each cursor saved after its events were appended"
    assert reader.cursors[:3] == [None, "ts-2", "ts-3"]


async def test_a_repeated_batch_after_a_crash_is_counted_as_duplicates_not_new_events():
    loop, stop, _, store, _, board, _ = loop_for([Batch(events=[comment(1)], cursor="a"),
                                                  Batch(events=[comment(1), comment(2)], cursor="b")])
    await run(loop, stop)
    record = board.sources[("vk-1", "long_poll")]
    assert (record["events"], record["duplicates"]) == (2, 1) and len(store.events) == 2


async def test_a_rate_limit_is_waited_out_as_long_as_the_network_asks():
    loop, stop, reader, _, _, board, _ = loop_for([RetryLater("slow down", retry_after=0.3),
                                                   Batch(events=[comment(1)], cursor="a")])
    await run(loop, stop)
    assert reader.times[1] - reader.times[0] >= 0.3
    assert "backing off" in board.history and board.history[-1] == "reading"


async def test_an_expired_token_is_reported_once_and_the_source_stops_polling():
    loop, stop, reader, store, *_ = loop_for([TokenInvalid("VK: [5] access_token has expired"),
                                              Batch(events=[comment(1)])])
    assert await run(loop, stop) is State.TOKEN_EXPIRED
    assert len(reader.cursors) == 1, "no poll after the token expired"
    [report] = store.events
    assert isinstance(report, AccountTokenExpired) and report.token_kind == "community"
    again, stop2, *_ = loop_for([TokenInvalid("again")])
    again.deps.store = store
    await run(again, stop2)
    assert len(store.events) == 1, "a second notice of the same expiry is the same event"


async def test_a_missing_permission_stops_this_source_in_a_visible_state():
    loop, stop, _, _, _, board, _ = loop_for([PermissionMissing("VK: [15] access denied")])
    assert await run(loop, stop) is State.PERMISSION_MISSING
    record = board.sources[("vk-1", "long_poll")]
    assert record["state"] == "permission missing" and "access denied" in record["detail"]


async def test_unmappable_payloads_are_kept_and_counted_and_reading_goes_on():
    bad = {"reason": "id is missing", "payload": {"text": "?"}}
    loop, stop, _, store, _, board, dead = loop_for([Batch(events=[comment(1)], rejected=[bad], cursor="a"),
                                                          Batch(events=[comment(2)], cursor="b")])
    await run(loop, stop)
    assert dead.kept == [bad] and len(store.events) == 2
    assert board.sources[("vk-1", "long_poll")]["rejected"] == 1


async def test_a_gap_starts_where_the_source_was_last_read_even_by_another_process():
    last = utcnow() - timedelta(minutes=15)
    now = utcnow()
    gap = Gap(source="long_poll", gap_from=now, gap_to=now, reason="VK long poll history was lost (failed: 1)")
    loop, stop, _, store, *_ = loop_for([Batch(gap=gap, cursor="new")],
                                        checkpoint=Checkpoint("old", last, revision=4))
    await run(loop, stop)
    [event] = [e for e in store.events if isinstance(e, IngestGapRecorded)]
    assert event.gap_from == last and event.gap_to == now and "history" in event.reason


async def test_a_pause_longer_than_the_network_keeps_updates_is_a_gap_before_reading_resumes():
    telegram = replace(ACCOUNT, network=Network.TELEGRAM, token_kinds=("bot",))
    last = utcnow() - timedelta(hours=30)
    loop, stop, _, store, *_ = loop_for([Batch(events=[comment(1, telegram)], cursor="o")], account=telegram,
                                             source="updates", checkpoint=Checkpoint("o", last, revision=1))
    await run(loop, stop)
    first = store.events[0]
    assert isinstance(first, IngestGapRecorded), "recorded before the first poll's events"
    assert first.gap_from == last and abs((first.gap_to - (utcnow() - timedelta(hours=24))).total_seconds()) < 5
    assert sum(isinstance(e, IngestGapRecorded) for e in store.events) == 1


async def test_an_adapter_bug_is_backed_off_not_fatal_and_no_token_reaches_the_log(caplog):
    caplog.set_level(logging.INFO)
    loop, stop, _, store, *_ = loop_for([KeyError("access_token=vk1.a.secret-token broke"),
                                              Batch(events=[comment(1)], cursor="a")])
    await run(loop, stop)
    assert len(store.events) == 1
    assert "secret-token" not in caplog.text and "KeyError" in caplog.text


async def test_a_cursor_moved_by_another_replica_is_reloaded_not_overwritten():
    loop, stop, reader, store, cursors, *_ = loop_for([Batch(events=[comment(1)], cursor="a"),
                                                       Batch(events=[comment(2)], cursor="b")])
    cursors.moved_once = True
    await run(loop, stop)
    assert reader.cursors == [None, None, "b"], "the second poll starts from the reloaded cursor"
    assert cursors.saves[0] == ("b", 2) and len(store.events) == 2
