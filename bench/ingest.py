"""Ingest throughput: comments written on the VK emulator until they are events in JetStream, beside raw nats-py.

    python bench/ingest.py [--comments 10000] [--accounts 50] [--repeats 1]

Setup: an embedded nats-server from the wheel; the VK emulator served by uvicorn in a process of its own (it
is the "network"); ``chorus service ingest`` as its own process, as in production, with its
default settings except a 2 s long poll wait (so every reader's first poll is done before the traffic
starts) and no backfill. ``--accounts`` communities are connected through the real flow (token verified
against the emulator, stored encrypted, ``AccountConnected`` appended), and ingest reads each one's Bots
Long Poll.

Measured: ``--comments`` comments are written on the communities (round robin, through a bench-only route
that adds them inside the emulator's event loop, so writing is never the bottleneck); the clock runs from
the first comment written until the last ``comment.received`` event is in the CHORUS_INGEST stream. That
path is the whole of ingest: long poll answer, vk_api in a worker thread, author names (users.get), mapping,
``append_many`` awaited, cursor and status written to key-value buckets.

Beside it, in the same run and on the same server: raw nats-py ``publish_async`` of as many encoded
``CommentReceived`` events in windows of 1,000 (what ``append_many`` does), into a stream of its own.
Also printed: the ingest process's CPU time per event (all its threads), which says what ingest itself costs
whatever else the machine is doing. Goal (issue 4): at least 3,000 events/s.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import nats
import uvicorn
from cryptography.fernet import Fernet
from nats.js.api import StorageType, StreamConfig
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from chorus.backbone.jetstream import ensure_streams
from chorus.backbone.natsserver import EmbeddedNats, free_port
from chorus.backbone.store import EventStore
from chorus.emulators.server import build_app, load
from chorus.events import Author, CommentReceived, encode, utcnow
from chorus.events.values import Network
from chorus.networks.accounts import connect_account
from chorus.networks.base import Endpoints
from chorus.networks.credentials import CredentialStore, load_key

RAW_STREAM = "BENCH_INGEST_RAW"
FIRST_GROUP = 100_001
AUTHORS = 200


def emulator_app(vk) -> Starlette:
    """The emulators, plus ``POST /bench/write`` adding comments inside the server's own event loop."""

    async def write(request: Request) -> JSONResponse:
        body = await request.json()
        world = vk.world
        for group, count, start in body["plan"]:
            community = world.communities[group]
            post = max(community.posts.values(), key=lambda p: p.id)
            for i in range(count):
                world.add_comment(community, post, 10_000 + (start + i) % AUTHORS, f"Комментарий {start + i}")
        return JSONResponse({"written": sum(c for _, c, _ in body["plan"])})

    emulators = [e if e.name != "vk" else vk for e in load(("vk",))]
    return Starlette(routes=[Route("/bench/write", write, methods=["POST"]), Mount("/", build_app(emulators))])


def serve_emulator(port: int) -> None:
    """``--serve-emulator PORT``: the VK emulator with the bench route, in a process of its own."""
    vk = next(iter(load(("vk",))))
    for n in range(AUTHORS):  # names for users.get, as VK has them
        vk.world.person(10_000 + n, f"Автор{n}")
    uvicorn.run(emulator_app(vk), host="127.0.0.1", port=port, log_level="warning", lifespan="off", ws="none")


async def start_emulator(folder: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = (folder / "emulator.log").open("wb")
    process = subprocess.Popen([sys.executable, __file__, "--serve-emulator", str(port)], stdout=log,  # noqa: ASYNC220
                               stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient() as http:
        for _ in range(300):
            try:
                if (await http.get(f"{url}/_control")).status_code == 200:
                    return process, url
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("the emulator did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def connect_accounts(js, env: dict[str, str], url: str, count: int) -> list[str]:
    credentials = CredentialStore(js, load_key(env["CHORUS_SECRET_KEY"]))
    accounts = []
    async with httpx.AsyncClient(base_url=f"{url}/_control/vk", timeout=30) as http:
        for n in range(count):
            group = FIRST_GROUP + n
            created = (await http.post("/communities", json={"id": group, "name": f"Бенч {n}"})).json()
            connected = await connect_account(
                store=EventStore(js), credentials=credentials, endpoints=Endpoints(vk=url), workspace_id="bench",
                network=Network.VK, tokens={"community": created["community_token"]}, external_id=str(group),
                connected_by="bench")
            accounts.append(connected.account_id)
    return accounts


async def wait_all_polled(js, accounts: list[str], timeout: float = 120) -> None:
    from chorus.ingest.adapters.status import StatusBoard

    board = StatusBoard(js)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        records = [await board.get_source(a, "long_poll") for a in accounts]
        if all(r and r.get("polled_at") for r in records):
            return
        await asyncio.sleep(0.25)
    raise TimeoutError("not every long poll reader started")


async def count_comments(js) -> int:
    info = await js.stream_info("CHORUS_INGEST", subjects_filter=CommentReceived.subject())
    return (info.state.subjects or {}).get(CommentReceived.subject(), 0)


async def measure_ingest(js, url: str, accounts: int, comments: int) -> float:
    per = comments // accounts
    plan = [[FIRST_GROUP + n, per + (1 if n < comments % accounts else 0), n * per] for n in range(accounts)]
    before = await count_comments(js)
    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=120) as http:
        chunks = 10  # several requests, so long polls answer while comments are still being written
        for k in range(chunks):
            part = [[group, count * (k + 1) // chunks - count * k // chunks, start + count * k // chunks]
                    for group, count, start in plan]
            await http.post(f"{url}/bench/write", json={"plan": part})
    while await count_comments(js) - before < comments:
        await asyncio.sleep(0.02)
    return comments / (time.perf_counter() - started)


async def measure_raw(nc, comments: int) -> float:
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name=RAW_STREAM, subjects=["bench.raw.>"], storage=StorageType.FILE))
    now = utcnow()
    payloads = [encode(CommentReceived(
        workspace_id="bench", account_id=f"vk-{i % 50}", network=Network.VK, comment_id=f"-1_1_{i}", post_id="-1_1",
        author=Author(id=str(10_000 + i % AUTHORS), name=f"Автор{i % AUTHORS}"), text=f"Комментарий {i}",
        created_at=now)) for i in range(comments)]
    started = time.perf_counter()
    for start in range(0, comments, 1000):
        futures = [await js.publish_async("bench.raw.comment", p, headers={"Nats-Msg-Id": f"raw-{start + j}"})
                   for j, p in enumerate(payloads[start:start + 1000])]
        await asyncio.gather(*futures)
    rate = comments / (time.perf_counter() - started)
    await js.delete_stream(RAW_STREAM)
    return rate


async def main(args: argparse.Namespace) -> int:
    folder = Path(tempfile.mkdtemp(prefix="chorus-bench-ingest-"))
    server = EmbeddedNats(folder / "js", port=free_port(), log_file=folder / "nats.log")
    server.start()
    emulator, url = await start_emulator(folder)
    process = None
    try:
        nc = await nats.connect(server.url)
        js = nc.jetstream()
        await ensure_streams(js)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CHORUS_", "NATS_URL", "DATABASE_URL"))}
        env.update({"NATS_URL": server.url, "CHORUS_SECRET_KEY": Fernet.generate_key().decode(),
                    "CHORUS_DATA_DIR": str(folder / "data"), "CHORUS_HTTP_PORT": str(free_port()),
                    "CHORUS_INSTANCE": "bench", "CHORUS_VK_API_URL": url, "CHORUS_INGEST_LONG_POLL_WAIT_S": "2",
                    "CHORUS_INGEST_BACKFILL_DAYS": "0"})
        accounts = await connect_accounts(js, env, url, args.accounts)
        log = (folder / "ingest.log").open("wb")
        process = subprocess.Popen([sys.executable, "-m", "chorus.cli", "service", "ingest"], env=env, stdout=log,  # noqa: ASYNC220
                                   stderr=subprocess.STDOUT, start_new_session=True)
        await wait_all_polled(js, accounts)
        results = []
        for _ in range(args.repeats):
            raw = await measure_raw(nc, args.comments)
            cpu_before = cpu_seconds(process.pid)
            ingest = await measure_ingest(js, url, args.accounts, args.comments)
            per_event_us = (cpu_seconds(process.pid) - cpu_before) / args.comments * 1e6
            results.append((ingest, raw, per_event_us))
        ingest, raw, per_event_us = sorted(results)[len(results) // 2]
        report = {"comments": args.comments, "accounts": args.accounts, "ingest_events_per_s": round(ingest),
                  "raw_publish_async_per_s": round(raw), "ratio": round(ingest / raw, 3),
                  "ingest_cpu_us_per_event": round(per_event_us), "goal_events_per_s": 3000,
                  "goal_met": ingest >= 3000}
        print(json.dumps(report) if args.json else
              f"ingest: {ingest:,.0f} events/s ({args.comments:,} comments, {args.accounts} VK communities, "
              f"long poll -> JetStream)\nraw nats-py publish_async: {raw:,.0f} msg/s\n"
              f"ratio: {ingest / raw:.2f}   goal >= 3,000 events/s: {'met' if ingest >= 3000 else 'NOT met'}\n"
              f"ingest process CPU: {per_event_us:.0f} µs per event (all threads; "
              f"{1e6 / per_event_us:,.0f} events/s per busy core)")
        await nc.close()
        return 0 if ingest >= 3000 else 1
    finally:
        for child in (process, emulator):
            if child is not None and child.poll() is None:
                child.send_signal(signal.SIGTERM)
                try:
                    child.wait(30)
                except subprocess.TimeoutExpired:
                    child.kill()
        server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=10_000)
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=1, help="runs; the median is printed")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--serve-emulator", type=int, metavar="PORT", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.serve_emulator:
        serve_emulator(arguments.serve_emulator)
        sys.exit(0)
    sys.exit(asyncio.run(main(arguments)))
