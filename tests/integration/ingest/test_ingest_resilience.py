"""Crashes, outages and replicas: real ``chorus service ingest`` processes killed with SIGKILL, the emulators'
server stopped, two replicas sharing the accounts. Every check counts events by id in the stream."""
from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest
from ingest_support import eventually, log_events, polled, running_ingest
from traffic import Traffic, account

from chorus.events import CommentReceived
from chorus.events.values import Network
from chorus.ingest.adapters.leases import LeaseStore

NETWORKS = [Network.VK, Network.X, Network.FACEBOOK, Network.TELEGRAM]


def comment_texts(events) -> Counter[str]:
    return Counter(e.text.split(" ", 1)[-1] if e.text.startswith("@") else e.text
                   for e in events if isinstance(e, CommentReceived))


async def all_in_log(js, texts: set[str], timeout: float = 40.0) -> list:
    async def check():
        events = await log_events(js)
        return events if texts <= set(comment_texts(events)) else None

    return await eventually(check, timeout, interval=0.3)


async def write_steadily(traffic: Traffic, prefix: str, count: int, every_s: float) -> set[str]:
    written = set()
    for i in range(count):
        text = f"{prefix}-{i}"
        await traffic.write(text)
        written.add(text)
        await asyncio.sleep(every_s)
    return written


@pytest.mark.parametrize("network", NETWORKS, ids=[n.value for n in NETWORKS])
async def test_a_killed_ingest_loses_nothing_and_duplicates_nothing(js, emulators, ingest_env, ingest_processes,
                                                                    network):
    traffic = await account(network, emulators, js, ingest_env)
    first = await ingest_processes(ingest_env).start()
    await polled(js, traffic.account_id, traffic.source)
    writer = asyncio.create_task(write_steadily(traffic, "comment", 60, 0.05))
    await eventually(lambda: _some_arrived(js), interval=0.05)
    first.kill()  # SIGKILL in the middle of the stream
    second = await ingest_processes({**ingest_env, "CHORUS_INSTANCE": "ingest-b"}).start()
    written = await writer
    events = await all_in_log(js, written)
    second.terminate()
    counts = comment_texts(events)
    assert set(counts) == written and max(counts.values()) == 1, "every comment exactly once"
    assert max(Counter(e.event_id for e in events).values()) == 1


async def _some_arrived(js):
    return len(comment_texts(await log_events(js))) >= 5


async def test_two_replicas_share_the_accounts_and_the_survivor_takes_over_a_killed_ones(
        js, emulators, ingest_env, ingest_processes):
    accounts = [await account(Network.VK, emulators, js, ingest_env, n) for n in range(4)]
    a = await ingest_processes(ingest_env).start()
    b = await ingest_processes({**ingest_env, "CHORUS_INSTANCE": "ingest-b",
                                "CHORUS_HTTP_PORT": str(int(ingest_env["CHORUS_HTTP_PORT"]) + 1)}).start()
    leases = LeaseStore(js, "observer", 2)

    async def split():  # the first replica takes everything, then gives back one per round to the second
        holders, _ = await leases.snapshot()
        wanted = {t.account_id for t in accounts}
        return set(holders) == wanted and Counter(holders.values()) == {"ingest-a": 2, "ingest-b": 2}

    await eventually(split, timeout=15)
    writers = [asyncio.create_task(write_steadily(t, f"n{i}", 30, 0.05)) for i, t in enumerate(accounts)]
    await asyncio.sleep(0.5)
    a.kill()
    killed_at = time.monotonic()

    async def taken_over():
        holders, _ = await leases.snapshot()
        return set(holders.values()) == {"ingest-b"} and len(holders) == len(accounts)

    await eventually(taken_over, timeout=15)
    takeover_s = time.monotonic() - killed_at
    written = set().union(*[await w for w in writers])
    events = await all_in_log(js, written)
    b.terminate()
    counts = comment_texts(events)
    assert set(counts) == written and max(counts.values()) == 1, "every comment exactly once"
    assert takeover_s < 10, f"took {takeover_s:.1f}s to take over"


async def test_a_clean_stop_hands_the_accounts_over_at_once(js, emulators, ingest_env, ingest_processes):
    traffic = await account(Network.VK, emulators, js, ingest_env)
    env = {**ingest_env, "CHORUS_INGEST_LEASE_TTL_S": "30", "CHORUS_INGEST_LEASE_RENEW_S": "0.5"}
    a = await ingest_processes(env).start()
    await polled(js, traffic.account_id, traffic.source)
    b = await ingest_processes({**env, "CHORUS_INSTANCE": "ingest-b",
                                "CHORUS_HTTP_PORT": str(int(env["CHORUS_HTTP_PORT"]) + 1)}).start()
    assert a.terminate() == 0
    leases = LeaseStore(js, "observer", 2)

    async def moved():
        holders, _ = await leases.snapshot()
        return holders.get(traffic.account_id) == "ingest-b"

    started = time.monotonic()
    await eventually(moved, timeout=10)
    assert time.monotonic() - started < 5, "released on stop, not left to expire after 30 s"
    await traffic.write("после передачи")
    await all_in_log(js, {"после передачи"})
    b.terminate()


async def ride_out_outage(js, emulators, ingest_env, seconds: float) -> None:
    traffic = [await account(network, emulators, js, ingest_env) for network in NETWORKS]
    async with running_ingest(ingest_env):
        for t in traffic:
            await polled(js, t.account_id, t.source)
            await t.write(f"до сбоя {t.network.value}")
        emulators.stop()
        for t in traffic:
            t.write_quietly(f"во время сбоя {t.network.value}")
        await asyncio.sleep(seconds)
        emulators.start()
        for t in traffic:
            await t.write(f"после сбоя {t.network.value}")
        expected = {f"{when} {t.network.value}" for t in traffic for when in ("до сбоя", "во время сбоя", "после сбоя")}
        events = await all_in_log(js, expected, timeout=60)
    counts = comment_texts(events)
    assert set(counts) == expected and max(counts.values()) == 1


async def test_a_short_outage_of_every_emulator_is_ridden_out(js, emulators, ingest_env):
    await ride_out_outage(js, emulators, ingest_env, 3)


@pytest.mark.slow
async def test_a_30_second_outage_of_every_emulator_is_ridden_out(js, emulators, ingest_env):
    await ride_out_outage(js, emulators, {**ingest_env, "CHORUS_INGEST_BACKOFF_MAX_S": "10"}, 30)
