"""The worker threads blocking clients run in: enough of them, and a stop that never waits for a hung call."""
from __future__ import annotations

import asyncio
import threading
import time

import pytest

from chorus.ingest.adapters.threads import DaemonThreadPool


async def test_blocking_calls_run_side_by_side_up_to_the_limit():
    pool = DaemonThreadPool(8)
    loop = asyncio.get_running_loop()
    together = threading.Barrier(8, timeout=30)  # passes only when all eight calls are running at once
    await asyncio.gather(*(loop.run_in_executor(pool, together.wait) for _ in range(8)))
    assert pool.threads == 8
    pool.shutdown()


async def test_idle_threads_are_reused_and_errors_reach_the_caller():
    pool = DaemonThreadPool(4)
    loop = asyncio.get_running_loop()
    for _ in range(5):
        await loop.run_in_executor(pool, sum, [1, 2])
    assert pool.threads == 1
    with pytest.raises(ZeroDivisionError):
        await loop.run_in_executor(pool, lambda: 1 / 0)
    pool.shutdown()


def test_shutting_down_does_not_wait_for_a_call_in_flight():
    pool = DaemonThreadPool(2)
    release = threading.Event()
    future = pool.submit(release.wait, 30)
    started = time.monotonic()
    pool.shutdown(wait=True)
    assert time.monotonic() - started < 1 and not future.done()
    assert all(t.daemon for t in threading.enumerate() if t.name.startswith("ingest-io"))
    with pytest.raises(RuntimeError):
        pool.submit(print)
    release.set()
