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
    reached = 0
    for _ in range(4):
        proc = start(nats_server.url, db_url)
        # Once this process has committed a batch of its own, it is applying the next one (2 ms an event):
        # the kill lands at a random moment of that, however long start-up took on a loaded machine.
        async with asyncio.timeout(60):
            while await asyncio.to_thread(position, db_url, stream) <= reached:
                assert proc.poll() is None, proc.stderr.read().decode(errors="replace")
                await asyncio.sleep(0.02)
        await asyncio.sleep(rng.uniform(0.02, 0.3))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
        reached = await asyncio.to_thread(position, db_url, stream)
    partial = await asyncio.to_thread(read, db_url)
    last = (await js.stream_info(stream)).state.last_seq
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
