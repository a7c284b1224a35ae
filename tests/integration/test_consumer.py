"""Durable pull consumers on a real nats-server: ack after the handler, backoff, dead letters."""
from __future__ import annotations

import asyncio

import pytest
from nats.js.api import Header

from chorus.backbone.consumer import ConsumerOptions, EventConsumer, Retry, subscriptions_for
from chorus.backbone.deadletter import Origin, dead_letter, list_dead_letters, replay_dead_letter
from chorus.events import AlertKind, AlertRaised, CommentReceived, SentimentClassified, derived_id
from support.projection import comment, run_until

FAST = ConsumerOptions(batch=50, max_deliver=3, backoff=(0.05, 0.1, 0.2), fetch_timeout_s=0.2, ack_wait_s=5)


def consumer_for(js, store, handler, name="test-consumer", **kw) -> EventConsumer:
    return EventConsumer(name=name, subscriptions=subscriptions_for(CommentReceived), handler=handler,
                         js=js, store=store, options=kw.pop("options", FAST), **kw)


async def test_each_event_is_handled_and_its_outputs_appended(js, store):
    seen: list[str] = []

    async def handler(event):
        seen.append(event.comment_id)
        return [AlertRaised.caused_by(event, alert_id=event.comment_id, rule_id="r", kind=AlertKind.SPIKE,
                                      severity="info", title="t", summary="s")]

    await store.append_many([comment(n) for n in range(20)])
    consumer = consumer_for(js, store, handler)
    await run_until(consumer, lambda: consumer.handled == 20)
    assert seen == [str(n) for n in range(20)]
    info = await js.stream_info(AlertRaised.stream.name)
    assert info.state.messages == 20


async def test_handler_that_always_fails_is_dead_lettered_and_the_stream_moves_on(js, store):
    handled: list[str] = []

    async def handler(event):
        if event.text == "boom":
            raise RuntimeError("cannot handle this one")
        handled.append(event.comment_id)

    await store.append_many([comment(1), comment(2, text="boom"), comment(3)])
    consumer = consumer_for(js, store, handler)
    await run_until(consumer, lambda: consumer.dead_lettered == 1 and len(handled) == 2)
    assert handled == ["1", "3"]
    [dead] = await list_dead_letters(js)
    assert dead.consumer == "test-consumer" and dead.reason == "handler_failed"
    assert dead.deliveries == FAST.max_deliver and dead.stream_seq == 2
    assert "cannot handle this one" in dead.error


async def test_malformed_message_unknown_type_and_newer_version_are_dead_lettered(js, store, nc):
    handled: list[str] = []

    async def handler(event):
        handled.append(event.comment_id)

    subject = CommentReceived.subject()
    good = comment(1)
    newer = good.model_dump(mode="json") | {"type": good.type, "schema_version": CommentReceived.version + 1,
                                             "event_id": "newer"}
    import orjson
    for data, msg_id in ((b"not json{", "m1"), (b'{"type": "comment.exploded", "schema_version": 1}', "m2"),
                         (orjson.dumps(newer), "m3")):
        await js.publish(subject, data, headers={Header.MSG_ID: msg_id})
    await store.append(good)
    consumer = consumer_for(js, store, handler)
    await run_until(consumer, lambda: consumer.dead_lettered == 3 and handled == ["1"])
    reasons = [d.reason for d in await list_dead_letters(js)]
    assert reasons == ["malformed", "unknown_type", "newer_version"]


async def test_retry_request_delays_without_dead_lettering(js, store):
    attempts: list[float] = []

    async def handler(event):
        attempts.append(asyncio.get_running_loop().time())
        if len(attempts) < 4:  # more than max_deliver, but a Retry is not a failure
            raise Retry(0.05, "rate limited")

    await store.append(comment(1))
    consumer = consumer_for(js, store, handler)
    await run_until(consumer, lambda: consumer.handled == 1)
    assert len(attempts) == 4 and consumer.dead_lettered == 0


async def test_dead_letter_replayed_after_a_fix_is_handled(js, store):
    broken = True
    handled: list[str] = []

    async def handler(event):
        if broken:
            raise RuntimeError("bug")
        handled.append(event.comment_id)

    await store.append(comment(1))
    consumer = consumer_for(js, store, handler)
    await run_until(consumer, lambda: consumer.dead_lettered == 1)
    [dead] = await list_dead_letters(js)
    broken = False
    await replay_dead_letter(js, dead.seq)
    consumer = consumer_for(js, store, handler)
    await run_until(consumer, lambda: handled == ["1"])
    [after] = await list_dead_letters(js)
    assert after.replays == 1


async def test_outputs_are_not_doubled_when_the_input_is_redelivered(js, store):
    """The handler's output has an id derived from its input, so a redelivery re-sends the same event."""
    calls = 0

    async def handler(event):
        nonlocal calls
        calls += 1
        out = SentimentClassified.caused_by(
            event, item={"kind": "comment", "network": "vk", "account_id": "a", "item_id": event.comment_id},
            source_event_id=event.event_id, label="neutral", score=0.0, language="en", classifier_version="t")
        assert out.event_id == derived_id(SentimentClassified.type, event.event_id)
        if calls == 1:
            await store.append(out)  # appended, then the process "crashes" before acking
            raise RuntimeError("crash after append")
        return [out]

    await store.append(comment(1))
    consumer = consumer_for(js, store, handler)
    await run_until(consumer, lambda: consumer.handled == 1)
    info = await js.stream_info(SentimentClassified.stream.name)
    assert calls == 2 and info.state.messages == 1


async def test_a_dead_letter_nobody_can_take_back_is_refused_with_a_reason(js, store):
    await store.append(comment(1))
    info = await js.stream_info(CommentReceived.stream.name)
    msg = await js.get_msg(CommentReceived.stream.name, info.state.last_seq)

    class Raw:  # what a reader that keeps dead letters for diagnosis only writes
        subject, data, headers = msg.subject, msg.data, {}

    await dead_letter(js, Raw, "ingest-vk", Origin("vk", 7, "vk/long_poll", 1), "unmappable", "missing from_id")
    [dead] = await list_dead_letters(js)
    with pytest.raises(LookupError, match="reads no replays"):
        await replay_dead_letter(js, dead.seq)
