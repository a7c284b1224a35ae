"""Runs the test projection in its own process until killed: ``python run_projection.py NATS_URL DB_URL``.

Each apply sleeps a little (``CHORUS_TEST_APPLY_DELAY`` seconds) and prints ``applied`` so that a test can
SIGKILL it after a chosen number of applies, inside a batch, however fast or slow the machine is.
"""
from __future__ import annotations

import asyncio
import os
import sys
import time

import nats

from chorus.backbone.consumer import ConsumerOptions
from chorus.backbone.db import make_engine
from chorus.backbone.projection import ProjectionRunner
from support.projection import CommentCounts

DELAY = float(os.environ.get("CHORUS_TEST_APPLY_DELAY", "0"))


class SlowCounts(CommentCounts):
    def apply(self, conn, event):
        super().apply(conn, event)
        print("applied", flush=True)
        if DELAY:
            time.sleep(DELAY)


async def main(nats_url: str, db_url: str) -> None:
    nc = await nats.connect(nats_url)
    runner = ProjectionRunner(SlowCounts(), make_engine(db_url), nc.jetstream(),
                              ConsumerOptions(batch=50, fetch_timeout_s=0.2), instance="crash-test")
    print("running", flush=True)
    await runner.run(asyncio.Event())


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
