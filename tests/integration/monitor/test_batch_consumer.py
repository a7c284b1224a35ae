"""Batch handlers on a real nats-server: outputs before acks, a poison message isolated and dead-lettered."""
from __future__ import annotations

import asyncio

from chorus import events as ev
from chorus.backbone.consumer import ConsumerOptions, EventConsumer, subscriptions_for
from chorus.backbone.deadletter import list_dead_letters
from monitor_helpers import log_events, running, until

FAST = ConsumerOptions(batch=50, max_deliver=3, backoff=(0.05, 0.1, 0.2), fetch_timeout_s=0.2, ack_wait_s=5)


def comment(n: int, text: str = "ok") -> ev.CommentReceived:
    return ev.CommentReceived(workspace_id="ws-1", account_id="acc-1", network="vk", comment_id=str(n), post_id="p",
                              author=ev.Author(id="u"), text=text, created_at=ev.utcnow(), event_id=f"c-{n}")


def label(event: ev.CommentReceived) -> ev.SentimentClassified:
    ref = ev.ItemRef(kind="comment", network="vk", account_id="acc-1", item_id=event.comment_id)
    return ev.SentimentClassified.caused_by(event, item=ref, source_event_id=event.event_id, label="neutral",
                                            score=0.0, language="ru", classifier_version="t")


async def test_batches_are_handled_whole_and_a_poison_message_is_dead_lettered_alone(js, store):
    sizes: list[int] = []

    async def handler(events):
        sizes.append(len(events))
        if any(e.text == "boom" for e in events):
            raise RuntimeError("cannot handle boom")
        return [label(e) for e in events]

    await store.append_many([comment(n, "boom" if n == 7 else "ok") for n in range(40)])
    consumer = EventConsumer("test-batch", subscriptions_for(ev.CommentReceived), None, js, store, FAST, batch_handler=handler)
    async with running(consumer):
        await until(lambda: consumer.handled == 39 and consumer.dead_lettered == 1)
    assert sizes[0] == 40  # one batch for everything that was waiting
    labelled = {e.source_event_id for e in await log_events(js, ev.SentimentClassified)}
    assert labelled == {f"c-{n}" for n in range(40) if n != 7}
    (dead,) = await list_dead_letters(js, "test-batch")
    assert dead.reason == "handler_failed" and "boom" in dead.error


async def test_a_stopped_consumer_hands_back_what_it_fetched_ahead(js, store):
    seen: list[str] = []

    async def slow(events):
        seen.extend(e.comment_id for e in events)
        await asyncio.sleep(1.0)  # meanwhile the next batch is fetched ahead
        return []

    await store.append_many([comment(n) for n in range(10)])
    consumer = EventConsumer("test-ahead", subscriptions_for(ev.CommentReceived), None, js, store, FAST, batch_handler=slow)
    async with running(consumer):
        await until(lambda: len(seen) == 10)
        await store.append_many([comment(n) for n in range(10, 20)])
        await asyncio.sleep(0.1)
    assert len(seen) == 10  # stopped before handling the batch fetched ahead

    async def quick(events):
        seen.extend(e.comment_id for e in events)
        return []

    again = EventConsumer("test-ahead", subscriptions_for(ev.CommentReceived), None, js, store, FAST, batch_handler=quick)
    async with running(again):
        await until(lambda: len(seen) == 20, timeout=3)  # handed back, not left waiting for ack_wait (5 s)
    assert sorted(seen, key=int) == [str(n) for n in range(20)]
