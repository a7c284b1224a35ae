"""A projection process killed with SIGKILL mid-batch, then restarted, neither loses nor doubles an effect."""
from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect, select

from chorus.backbone.db import make_engine, positions
from chorus.backbone.projection import rebuild
from chorus.events import CommentDeleted, utcnow
from support.databases import database
from support.projection import CommentCounts, comment, dump

SCRIPT = Path(__file__).parent.parent / "support" / "run_projection.py"


def start(nats_url: str, db_url: str) -> subprocess.Popen:
    env = {**os.environ, "CHORUS_TEST_APPLY_DELAY": "0.002", "PYTHONPATH": str(SCRIPT.parent.parent)}
    return subprocess.Popen([sys.executable, str(SCRIPT), nats_url, db_url], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def position(url: str, stream: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table(positions.name):  # the process has not created it yet
                return 0
            return conn.execute(select(positions.c.position).where(
                positions.c.projection == CommentCounts.name, positions.c.stream == stream)).scalar() or 0
    finally:
        engine.dispose()


def wait_for_applies(proc: subprocess.Popen, count: int) -> None:
    """Block until the process has printed ``count`` applies (it prints one line per applied event)."""
    seen = 0
    while seen < count:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"the projection process ended: {proc.stderr.read().decode(errors='replace')}")
        seen += line.startswith(b"applied")


def read(url: str):
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return dump(conn)
    finally:
        engine.dispose()


async def test_sigkill_mid_batch_then_restart_equals_a_fresh_replay(js, store, db_url, nats_server, tmp_path):
    events = [comment(n, account=f"acc-{n % 5}") for n in range(1500)]
    events += [CommentDeleted(workspace_id="ws-1", account_id=f"acc-{n % 5}", network="vk", comment_id=str(n),
                              post_id="p1", deleted_at=utcnow()) for n in range(0, 1500, 3)]
    await store.append_many(events)
    rng = random.Random(7)
    stream = CommentDeleted.stream.name
    for _ in range(4):
        proc = start(nats_server.url, db_url)
        # Killed after a random number of applies past its first batch of 50: inside its second or third
        # batch, whatever the machine's speed (a fixed sleep could end before start-up or after the end).
        await asyncio.wait_for(asyncio.to_thread(wait_for_applies, proc, rng.randrange(60, 140)), 60)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    partial = await asyncio.to_thread(read, db_url)
    last = (await js.stream_info(stream)).state.last_seq
    reached = await asyncio.to_thread(position, db_url, stream)
    assert 0 < len(partial["comments"]) and reached < last, "the kills should land before the end"
    proc = start(nats_server.url, db_url)
    try:
        async with asyncio.timeout(90):
            while await asyncio.to_thread(position, db_url, stream) < last:
                await asyncio.sleep(0.2)
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    live = await asyncio.to_thread(read, db_url)
    kind = "postgres" if db_url.startswith("postgresql") else "sqlite"
    with database(kind, tmp_path) as fresh_url:
        engine = make_engine(fresh_url)
        await rebuild(CommentCounts(), engine, js)
        engine.dispose()
        assert await asyncio.to_thread(read, fresh_url) == live
    assert live["counts"] == [(f"acc-{a}", 200) for a in range(5)]
