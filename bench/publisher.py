"""Publisher precision and throughput: 100,000 pending posts, 1,000 of them due within the same minute.

    python bench/publisher.py [--pending 100000] [--due 1000] [--accounts 50] [--window 60]
                              [--networks vk,x,facebook,telegram] [--database-url postgresql://...]

Everything is real and local: an embedded nats-server (from the wheel), the network emulators in their own
process, and ``chorus service publisher`` as its own process with its default per-account rates. The due
posts are spread at random over ``--window`` seconds across ``--accounts`` accounts (round robin over the
networks); the other pending posts are due in the following weeks and sit in the same schedule table.

Prints: the raw nats-py pipelined publish rate of this run (the ceiling for appending events), how long the
schedule took to load, and for the due posts the lateness of the attempt (``post.attempted`` minus the
post's time) and of the publication (``post.published`` minus the post's time) as p50/p99/max, posts/s,
and duplicates counted in the emulators (a text published twice). Goal (issue 6): p99 under 1 s, zero
duplicates.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import nats
from nats.js.api import StorageType, StreamConfig

from chorus.backbone.jetstream import ensure_streams
from chorus.backbone.natsserver import EmbeddedNats, free_port
from chorus.backbone.store import EventStore
from chorus.events import Network, PostAttempted, PostPublished, PostScheduled, PostTarget, decode
from chorus.events.streams import PUBLISHER
from chorus.networks.accounts import connect_account
from chorus.networks.base import Endpoints
from chorus.networks.credentials import CredentialStore, generate_key
from chorus.publisher.lanes import DEFAULT_RATES

RAW_STREAM = "BENCH_RAW"


def wait_http(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", *args], env=env, stdout=out, stderr=subprocess.STDOUT)


async def raw_publish_rate(js, count: int = 20000) -> float:
    await js.add_stream(StreamConfig(name=RAW_STREAM, subjects=["bench.raw.>"], storage=StorageType.FILE))
    payload = b'{"type":"post.scheduled","text":"' + b"x" * 300 + b'"}'
    start, pending = time.perf_counter(), []
    for i in range(count):
        pending.append(await js.publish_async("bench.raw.x", payload, headers={"Nats-Msg-Id": f"raw{i}"}))
        if len(pending) >= 1000:
            await asyncio.gather(*pending)
            pending = []
    await asyncio.gather(*pending)
    rate = count / (time.perf_counter() - start)
    await js.delete_stream(RAW_STREAM)
    return rate


async def make_accounts(control: httpx.AsyncClient, store: EventStore, credentials: CredentialStore,
                        endpoints: Endpoints, networks: list[str], count: int) -> dict[str, str]:
    found: dict[str, str] = {}
    for i in range(count):
        network = networks[i % len(networks)]
        if network == "vk":
            made = (await control.post("/vk/communities", json={"id": 500000 + i, "name": f"Bench {i}"})).json()
            tokens, external, settings = {"community": made["community_token"], "user": made["user_token"]}, \
                str(made["id"]), None
        elif network == "x":
            made = (await control.post("/x/accounts", json={"username": f"bench{i}"})).json()
            tokens, external, settings = made["tokens"], made["id"], None
        elif network == "facebook":
            made = (await control.post("/facebook/pages", json={"name": f"Bench {i}"})).json()
            tokens, external, settings = made["tokens"], made["id"], None
        else:
            made = (await control.post("/telegram/channels", json={
                "title": f"Bench {i}", "username": f"bench{i}", "bot_username": f"bench{i}_bot"})).json()
            tokens, external = {"bot": made["bot_token"]}, str(made["channel_id"])
            settings = {"discussion_id": made["discussion_id"]}
        event = await connect_account(store=store, credentials=credentials, endpoints=endpoints, workspace_id="ws-b",
                                      network=Network(network), tokens=tokens, settings=settings, external_id=external,
                                      connected_by="bench")
        found[event.account_id] = network
    return found


def scheduled(post_id: str, account: str, network: str, text: str, at: datetime) -> PostScheduled:
    return PostScheduled(workspace_id="ws-b", post_id=post_id, created_by="bench", publish_at=at,
                         targets=[PostTarget(account_id=account, network=network, text=text)])


async def published_counts(control: httpx.AsyncClient) -> Counter:
    texts: list[str] = []
    for network in ("vk", "x", "facebook", "telegram"):
        for sent in (await control.get(f"/{network}/sent")).json()["sent"]:
            if network == "vk" and (sent.get("kind") != "post" or sent.get("deduplicated")):
                continue
            texts.append(sent.get("text") or sent.get("message") or "")
    return Counter(t for t in texts if t.startswith("Due "))


async def read_outcomes(js) -> tuple[dict[str, PostAttempted], dict[str, PostPublished]]:
    attempted: dict[str, PostAttempted] = {}
    published: dict[str, PostPublished] = {}
    sub = await js.subscribe(f"{PUBLISHER.subject_prefix}.>", stream=PUBLISHER.name, ordered_consumer=True)
    last = (await js.stream_info(PUBLISHER.name)).state.last_seq
    try:
        while last:
            msg = await sub.next_msg(timeout=5)
            event = decode(msg.data, msg.subject)
            if isinstance(event, PostAttempted):
                attempted.setdefault(event.post_id, event)
            elif isinstance(event, PostPublished):
                published[event.post_id] = event
            if msg.metadata.sequence.stream >= last:
                break
    finally:
        await sub.unsubscribe()
    return attempted, published


def percentiles(values: list[float]) -> str:
    if not values:
        return "n/a"
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):7.3f} s   p99 {p99:7.3f} s   max {ordered[-1]:7.3f} s"


async def run(args: argparse.Namespace, folder: Path) -> int:
    rng = random.Random(args.seed)
    server = EmbeddedNats(folder / "nats", port=free_port(), log_file=folder / "nats.log")
    server.start()
    emulator_port = free_port()
    emulator_url = f"http://127.0.0.1:{emulator_port}"
    children: list[subprocess.Popen] = []
    try:
        children.append(spawn(["chorus.emulators", "--port", str(emulator_port), "--networks",
                               "vk,x,telegram,facebook"], dict(os.environ), folder / "emulators.log"))
        wait_http(f"{emulator_url}/_control")
        nc = await nats.connect(server.url)
        js = nc.jetstream()
        await ensure_streams(js)
        raw = await raw_publish_rate(js)
        store = EventStore(js)
        key = generate_key()
        endpoints = Endpoints(vk=emulator_url, x=emulator_url, telegram=emulator_url, facebook=emulator_url)
        async with httpx.AsyncClient(base_url=f"{emulator_url}/_control", timeout=60) as control:
            accounts = await make_accounts(control, store, CredentialStore(js, key.encode()), endpoints,
                                           args.networks, args.accounts)
            names = list(accounts)
            later = datetime.now(UTC) + timedelta(days=1)
            backlog = [scheduled(f"later-{i}", names[i % len(names)], accounts[names[i % len(names)]],
                                 f"Later {i}", later + timedelta(seconds=20 * i)) for i in range(args.pending - args.due)]
            started = time.perf_counter()
            await store.append_many(backlog)
            appended = time.perf_counter() - started
            port = free_port()
            env = {**os.environ, "NATS_URL": server.url, "CHORUS_SECRET_KEY": key, "CHORUS_DATA_DIR": str(folder),
                   "CHORUS_HTTP_PORT": str(port), "CHORUS_INSTANCE": "publisher-bench",
                   **{f"CHORUS_{n}_API_URL": emulator_url for n in ("VK", "X", "TELEGRAM", "FACEBOOK")}}
            if args.database_url:
                env["CHORUS_PUBLISHER_DATABASE_URL"] = args.database_url
            launched = time.perf_counter()
            children.append(spawn(["chorus.cli", "service", "publisher"], env, folder / "publisher.log"))
            wait_http(f"http://127.0.0.1:{port}/readyz", timeout=300)  # ready: caught up with the whole log
            await _wait_loaded(port, len(backlog))
            loaded = time.perf_counter() - launched
            first_due = datetime.now(UTC) + timedelta(seconds=5)
            due = [scheduled(f"due-{i}", names[i % len(names)], accounts[names[i % len(names)]], f"Due {i}",
                             first_due + timedelta(seconds=rng.uniform(0, args.window))) for i in range(args.due)]
            await store.append_many(due)
            deadline = time.monotonic() + args.window + 5 + args.drain
            while time.monotonic() < deadline:
                if sum((await published_counts(control)).values()) >= args.due:
                    break
                await asyncio.sleep(1.0)
            await asyncio.sleep(2.0)  # anything sent twice shows now
            counts = await published_counts(control)
        attempted, published = await read_outcomes(js)
        await nc.close()
    finally:
        for child in reversed(children):
            child.terminate()
            try:
                child.wait(30)
            except subprocess.TimeoutExpired:
                child.kill()
        server.stop()

    at = {p.post_id: p.publish_at for p in due}
    start_late = [(attempted[k].occurred_at - at[k]).total_seconds() for k in at if k in attempted]
    done_late = [(published[k].occurred_at - at[k]).total_seconds() for k in at if k in published]
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    span = (max(p.occurred_at for k, p in published.items() if k in at) - min(at.values())).total_seconds() \
        if done_late else 0.0
    networks = Counter(accounts.values())
    print(f"accounts: {len(accounts)} ({', '.join(f'{n} {c}' for n, c in sorted(networks.items()))}); "
          f"database: {'PostgreSQL' if args.database_url else 'SQLite'}")
    print(f"raw nats-py publish (pipelined, same server):  {raw:10,.0f} msg/s")
    print(f"schedule: {len(backlog):,} posts appended in {appended:.1f} s, the publisher started and loaded them in {loaded:.1f} s")
    print(f"due posts: {args.due} within {args.window:.0f} s; published {len(done_late)}; "
          f"in the emulators {sum(counts.values())}")
    print(f"lateness of the attempt:      {percentiles(start_late)}")
    print(f"lateness of the publication:  {percentiles(done_late)}")
    for network in sorted(networks):
        late = [(published[k].occurred_at - at[k]).total_seconds() for k in at
                if k in published and published[k].network == network]
        load = len(late) / max(networks[network], 1) / args.window  # posts per account per second
        pace = DEFAULT_RATES[Network(network)].per_second
        note = f"  (at its pace: {load:.2f}/s per account, limit {pace:.2f}/s)" if load >= 0.9 * pace else ""
        print(f"  {network:<9} {len(late):5} posts  {percentiles(late)}{note}")
    print(f"posts/s over the due window:  {len(done_late) / span if span else 0:.1f}")
    print(f"duplicates (a text published twice): {duplicates}")
    p99 = sorted(done_late)[round(0.99 * (len(done_late) - 1))] if done_late else float("inf")
    ok = duplicates == 0 and len(done_late) == args.due and p99 < 1.0
    print("goal (p99 < 1 s, zero duplicates, all published): " + ("met" if ok else "NOT met"))
    return 0 if ok else 1


async def _wait_loaded(port: int, expected: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
        while True:
            found = (await http.get("/schedule")).json()["items"].get("scheduled", 0)
            if found >= expected:
                return
            await asyncio.sleep(0.5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--window", type=float, default=60.0)
    parser.add_argument("--drain", type=float, default=60.0, help="seconds to wait after the window")
    parser.add_argument("--networks", type=lambda v: [n.strip() for n in v.split(",") if n.strip()],
                        default=["vk", "x", "facebook", "telegram"])
    parser.add_argument("--database-url", default="", help="PostgreSQL for the publisher (default: SQLite)")
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    if args.due > args.pending:
        parser.error("--due cannot exceed --pending")
    with tempfile.TemporaryDirectory(prefix="chorus-bench-publisher-") as folder:
        return asyncio.run(run(args, Path(folder)))


if __name__ == "__main__":
    sys.exit(main())
