"""Per-account lanes: one item at a time per account, accounts in parallel, each at its own pace."""
from __future__ import annotations

import asyncio
import time

from chorus.events.values import Network
from chorus.publisher.adapters.repository import Due
from chorus.publisher.handlers import Done
from chorus.publisher.lanes import Bucket, Lanes, Rate


async def test_a_bucket_lets_a_burst_through_then_paces_at_its_rate():
    bucket = Bucket(Rate(per_second=50, burst=3))
    started = time.monotonic()
    for _ in range(3):
        await bucket.take()
    burst = time.monotonic() - started
    for _ in range(5):
        await bucket.take()
    paced = time.monotonic() - started - burst
    assert burst < 0.05 and 0.08 <= paced < 1.0


async def _run(lanes: Lanes, items: list[Due], until) -> None:
    stop = asyncio.Event()
    runner = asyncio.create_task(lanes.run(stop))
    await asyncio.sleep(0)
    for due in items:
        assert lanes.submit(due)
    deadline = time.monotonic() + 5
    while not until() and time.monotonic() < deadline:
        await asyncio.sleep(0.005)
    stop.set()
    await runner


async def test_items_of_one_account_go_one_at_a_time_in_due_order_while_accounts_run_in_parallel():
    active: dict[str, int] = {}
    peak: dict[str, int] = {}
    order: list[str] = []
    overall = {"now": 0, "max": 0}

    async def work(key: str) -> Done:
        account = key.split(":")[1]
        active[account] = active.get(account, 0) + 1
        overall["now"] += 1
        overall["max"] = max(overall["max"], overall["now"])
        peak[account] = max(peak.get(account, 0), active[account])
        order.append(key)
        await asyncio.sleep(0.02)
        active[account] -= 1
        overall["now"] -= 1
        return Done()

    finished: list[str] = []
    lanes = Lanes(work, lambda key, done: finished.append(key), rates={Network.VK: Rate(1000, 10)})
    items = [Due(f"p{i}:acc{a}", 100.0 - i, f"acc{a}", Network.VK) for a in range(3) for i in range(4)]
    await _run(lanes, items, lambda: len(finished) == len(items))
    assert peak == {"acc0": 1, "acc1": 1, "acc2": 1} and overall["max"] == 3
    assert [k for k in order if k.endswith(":acc0")] == ["p3:acc0", "p2:acc0", "p1:acc0", "p0:acc0"]
    assert lanes.busy == set()


async def test_an_item_already_queued_is_not_queued_twice():
    lanes = Lanes(lambda key: asyncio.sleep(0.05, Done()))
    stop = asyncio.Event()
    runner = asyncio.create_task(lanes.run(stop))
    await asyncio.sleep(0)
    due = Due("p:acc", 1.0, "acc", Network.X)
    assert lanes.submit(due) and not lanes.submit(due)
    stop.set()
    await runner


async def test_a_lane_pauses_when_the_network_asks_the_account_to_wait():
    started: list[float] = []

    async def work(key: str) -> Done:
        started.append(time.monotonic())
        return Done(pause_s=0.2 if len(started) == 1 else 0.0)

    lanes = Lanes(work, rates={Network.X: Rate(1000, 10)})
    await _run(lanes, [Due(f"p{i}:acc", float(i), "acc", Network.X) for i in range(2)], lambda: len(started) == 2)
    assert started[1] - started[0] >= 0.2
