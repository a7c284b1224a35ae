"""Appending to the log on a real nats-server."""
from __future__ import annotations

from chorus.events import CommentReceived, decode
from support.projection import comment


async def test_event_appended_twice_is_stored_once(store, js):
    event = comment(1)
    first = await store.append(event)
    second = await store.append(event)
    assert not first.duplicate and second.duplicate
    assert second.seq == first.seq
    info = await js.stream_info(CommentReceived.stream.name)
    assert info.state.messages == 1


async def test_append_many_keeps_order_and_deduplicates(store, js):
    events = [comment(n) for n in range(50)]
    acks = await store.append_many(events + events[:10])
    assert [a.duplicate for a in acks] == [False] * 50 + [True] * 10
    assert [a.seq for a in acks[:50]] == list(range(1, 51))
    stored = await js.get_msg(CommentReceived.stream.name, 50)
    assert decode(stored.data, stored.subject) == events[49]


async def test_appended_message_carries_its_id_and_type(store, js):
    event = comment(7)
    await store.append(event)
    stored = await js.get_msg(CommentReceived.stream.name, 1)
    assert stored.headers["Nats-Msg-Id"] == event.event_id
    assert stored.headers["Chorus-Type"] == "comment.received"
    assert stored.subject == "chorus.ingest.comment.received"
