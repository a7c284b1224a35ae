"""A real ``chorus service publisher`` killed with SIGKILL at random moments still publishes each post once."""
from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from publisher_harness import environment, outcomes, post, soon

from chorus.backbone.natsserver import free_port
from chorus.events import PostFailed, PostMissed, PostOutcomeUnknown, PostPublished, PostReconciled

POSTS = 1000


class Service:
    """The publisher as its container runs it, restartable under the same instance name."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log, self.process = env, log, None
        self.port = int(env["CHORUS_HTTP_PORT"])

    def start(self) -> None:
        with self.log.open("ab") as out:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen([sys.executable, "-m", "chorus.cli", "service", "publisher"],
                                            env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/readyz", timeout=1) as answer:
                return answer.status == 200
        except OSError:
            return False

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.mark.slow
async def test_a_publisher_killed_at_random_moments_publishes_each_of_1000_posts_once(
        nats_server, emulator, tmp_path, net, nc, js, store):
    rng = random.Random(int(os.environ.get("CHORUS_TEST_SEED", "6")))
    vk = [await net.vk() for _ in range(16)]
    x = [await net.x() for _ in range(2)]
    fb = [await net.facebook() for _ in range(2)]
    plan = [a for a in vk for _ in range(50)] + [a for a in x for _ in range(60)] + [a for a in fb for _ in range(40)]
    assert len(plan) == POSTS
    networks = {a: net.accounts[a]["network"] for a in vk + x + fb}
    rng.shuffle(plan)
    posts = [post([a], networks, f"Пост {i:04d}: скидка {rng.randint(5, 50)}%", at=soon(3 + 15 * i / POSTS))
             for i, a in enumerate(plan)]
    env = {**os.environ, **environment(f"sqlite:///{tmp_path / 'publisher.db'}", emulator, tmp_path, net.key),
           "NATS_URL": nats_server.url, "CHORUS_HTTP_PORT": str(free_port()), "CHORUS_INSTANCE": "publisher-crash",
           "CHORUS_PUBLISHER_SETTLE_S": "0.5", "CHORUS_PUBLISHER_RATE_X": "20/20",
           "CHORUS_PUBLISHER_RATE_FACEBOOK": "20/20"}
    env.pop("DATABASE_URL")
    env["CHORUS_PUBLISHER_DATABASE_URL"] = f"sqlite:///{tmp_path / 'publisher.db'}"
    service = Service(env, tmp_path / "publisher.log")
    await store.append_many(posts)
    service.start()
    kills = 0
    try:
        deadline = time.monotonic() + 240
        while True:
            published = await _published(net)
            if sum(published.values()) >= POSTS or time.monotonic() > deadline:
                break
            if kills < 6:
                while not service.ready() and time.monotonic() < deadline:
                    await asyncio.sleep(0.1)
                await asyncio.sleep(rng.uniform(0.2, 3.0))  # a random moment of sending
                service.kill()
                kills += 1
                service.start()
            else:
                await asyncio.sleep(0.5)
        await asyncio.sleep(2.0)  # anything sent twice would show now
        published = await _published(net)
        assert service.ready(), (tmp_path / "publisher.log").read_text()[-3000:]
    finally:
        service.stop()
    texts = {p.targets[0].text for p in posts}
    doubled = {t: n for t, n in published.items() if n > 1}
    assert doubled == {}, f"published more than once: {list(doubled.items())[:5]}"
    assert set(published) == texts, f"{len(texts - set(published))} never published"
    assert kills == 6
    events = await outcomes(js, PostPublished, PostFailed, PostMissed)
    assert Counter(type(e).__name__ for e in events) == {"PostPublished": POSTS}
    # The kills caught sends in flight: their outcome was recorded unknown and settled, none sent twice.
    # (a kill can also interrupt a reconciliation: then the same post is unknown twice and settled once)
    unknown = {e.post_id for e in await outcomes(js, PostOutcomeUnknown)}
    assert unknown and unknown == {e.post_id for e in await outcomes(js, PostReconciled)}


async def _published(net) -> Counter:
    texts = await net.published_texts()
    return Counter(texts["vk"] + texts["x"] + texts["facebook"])
