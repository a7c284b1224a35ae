"""Backbone throughput, beside raw nats-py figures measured in the same run.

    python bench/backbone.py [--events 20000] [--no-postgres]

Prints: raw JetStream publish (awaited one by one, and pipelined) and pull-consume rates; Chorus's
append rate (``EventStore.append`` one by one, ``append_many`` pipelined) with the ratio to the matching
raw figure; and the projection apply rate on SQLite and PostgreSQL (events/s from first fetch until the
position reaches the end of the log). Goals (issue 2): append >= 50% of raw publish; projection >= 10,000
events/s on SQLite. The server is an embedded nats-server from the wheel, in a temporary folder.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import nats
from nats.js.api import AckPolicy, ConsumerConfig, StorageType, StreamConfig
from sqlalchemy import Column, MetaData, String, Table, select

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))

from chorus.backbone.consumer import ConsumerOptions, subscriptions_for  # noqa: E402
from chorus.backbone.db import make_engine, positions, upsert  # noqa: E402
from chorus.backbone.jetstream import ensure_streams  # noqa: E402
from chorus.backbone.natsserver import EmbeddedNats  # noqa: E402
from chorus.backbone.projection import Projection, ProjectionRunner  # noqa: E402
from chorus.backbone.store import EventStore  # noqa: E402
from chorus.events import Author, CommentReceived, encode, utcnow  # noqa: E402

RAW_STREAM = "BENCH_RAW"


def make_events(n: int, offset: int = 0) -> list[CommentReceived]:
    now = utcnow()
    return [CommentReceived(workspace_id="ws-1", account_id=f"acc-{i % 50}", network="vk",
                            comment_id=f"{offset + i}", post_id=f"p{i % 200}",
                            author=Author(id=str(i % 977), name="Анна"), text=f"Когда будет доставка? #{i}",
                            created_at=now) for i in range(n)]


metadata = MetaData()
rows = Table("bench_comments", metadata, Column("comment_id", String(64), primary_key=True),
             Column("account_id", String(64)), Column("text", String(500)))


class BenchProjection(Projection):
    name = "bench"
    subscriptions = subscriptions_for(CommentReceived)
    metadata = metadata

    def apply(self, conn, event):
        self.apply_many(conn, [event])

    def apply_many(self, conn, events):
        upsert(conn, rows, [{"comment_id": e.comment_id, "account_id": e.account_id, "text": e.text}
                            for e in events], ["comment_id"])


async def raw_publish(js, payloads: list[bytes], pipelined: bool) -> float:
    await js.add_stream(StreamConfig(name=RAW_STREAM, subjects=["bench.raw.>"], storage=StorageType.FILE))
    await js.purge_stream(RAW_STREAM)
    run = "p" if pipelined else "o"  # distinct ids per run, or the duplicate window drops the second run
    start = time.perf_counter()
    if pipelined:
        pending = []
        for i, data in enumerate(payloads):
            pending.append(await js.publish_async("bench.raw.x", data, headers={"Nats-Msg-Id": f"{run}{i}"}))
            if len(pending) >= 1000:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
    else:
        for i, data in enumerate(payloads):
            await js.publish("bench.raw.x", data, headers={"Nats-Msg-Id": f"{run}{i}"})
    return len(payloads) / (time.perf_counter() - start)


async def raw_consume(js, n: int) -> float:
    await js.add_consumer(RAW_STREAM, ConsumerConfig(durable_name="raw", ack_policy=AckPolicy.EXPLICIT))
    sub = await js.pull_subscribe_bind("raw", stream=RAW_STREAM)
    got, start = 0, time.perf_counter()
    while got < n:
        for msg in await sub.fetch(500, timeout=5):
            await msg.ack()
            got += 1
    rate = n / (time.perf_counter() - start)
    await sub.unsubscribe()
    return rate


async def chorus_append(store: EventStore, events: list[CommentReceived], pipelined: bool) -> float:
    start = time.perf_counter()
    if pipelined:
        await store.append_many(events)
    else:
        for event in events:
            await store.append(event)
    return len(events) / (time.perf_counter() - start)


async def projection_rate(js, url: str, last_seq: int) -> float:
    engine = make_engine(url)
    BenchProjection().create_tables(engine)
    runner = ProjectionRunner(BenchProjection(), engine, js, ConsumerOptions(batch=1000, fetch_timeout_s=0.5))
    stop = asyncio.Event()
    start = time.perf_counter()
    task = asyncio.create_task(runner.run(stop))
    stream = CommentReceived.stream.name
    while True:
        with engine.connect() as conn:
            position = conn.execute(select(positions.c.position).where(
                positions.c.projection == "bench", positions.c.stream == stream)).scalar() or 0
        if position >= last_seq:
            break
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - start
    stop.set()
    await task
    engine.dispose()
    return runner.applied / elapsed




async def main(n: int, with_postgres: bool) -> None:
    folder = Path(tempfile.mkdtemp(prefix="chorus-bench-"))
    server = EmbeddedNats(folder / "js")
    server.start()
    nc = await nats.connect(server.url)
    js = nc.jetstream()
    try:
        await ensure_streams(js)
        events = make_events(n)
        payloads = [encode(e) for e in events]
        print(f"{n} events of ~{sum(map(len, payloads)) // n} bytes; nats-server {server.url}\n")
        raw_one = await raw_publish(js, payloads, pipelined=False)
        raw_pipe = await raw_publish(js, payloads, pipelined=True)
        raw_pull = await raw_consume(js, n)
        store = EventStore(js)
        one = await chorus_append(store, events, pipelined=False)
        pipe = await chorus_append(store, make_events(n, offset=n), pipelined=True)
        last_seq = (await js.stream_info(CommentReceived.stream.name)).state.last_seq
        print(f"{'measure':<44} {'events/s':>10} {'vs raw':>8}")
        print(f"{'raw nats-py publish, awaited one by one':<44} {raw_one:>10.0f}")
        print(f"{'raw nats-py publish_async, windows of 1000':<44} {raw_pipe:>10.0f}")
        print(f"{'raw nats-py pull fetch 500 + ack each':<44} {raw_pull:>10.0f}")
        print(f"{'Chorus append, awaited one by one':<44} {one:>10.0f} {one / raw_one:>7.2f}x")
        print(f"{'Chorus append_many (pipelined)':<44} {pipe:>10.0f} {pipe / raw_pipe:>7.2f}x")
        sqlite_rate = await projection_rate(js, f"sqlite:///{folder / 'bench.db'}", last_seq)
        print(f"{'Chorus projection apply, SQLite':<44} {sqlite_rate:>10.0f} {sqlite_rate / raw_pull:>7.2f}x")
        if with_postgres:
            from support.databases import postgres_schema

            with postgres_schema() as url:
                pg_rate = await projection_rate(js, url, last_seq)
            print(f"{'Chorus projection apply, PostgreSQL':<44} {pg_rate:>10.0f} {pg_rate / raw_pull:>7.2f}x")
        print("\nGoals: append >= 0.50x raw publish; projection >= 10000 events/s on SQLite.")
    finally:
        await nc.close()
        server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.events, not args.no_postgres))
