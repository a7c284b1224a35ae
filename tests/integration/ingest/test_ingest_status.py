"""``chorus ingest status`` against a running ingest: state, last event, lag and holder of every source."""
from __future__ import annotations

import asyncio
import json
import sys

from ingest_support import connect, eventually, log_events, polled, running_ingest

from chorus.events import CommentReceived
from chorus.events.values import Network


async def status(env: dict[str, str], *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "chorus.cli", "ingest", "status", *args,
                                                   env=env, stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode, out.decode()


async def test_status_lists_each_source_with_its_state_last_event_and_holder(js, emulators, ingest_env):
    created = await emulators.post("vk", "/communities", {"id": 801, "name": "Кофейня на Арбате"})
    connected = await connect(js, ingest_env, Network.VK, {"community": created["community_token"]},
                              external_id="801")
    async with running_ingest(ingest_env):
        await polled(js, connected.account_id, "long_poll")
        await emulators.post("vk", "/communities/801/comments", {"text": "Вопрос", "from_id": 7201})

        async def arrived():
            return [e for e in await log_events(js) if isinstance(e, CommentReceived)]

        await eventually(arrived)
        await asyncio.sleep(0.5)  # the status record is written at most every 0.2 s in these tests
        code, out = await status(ingest_env, "--json")
        text_code, text = await status(ingest_env)
    assert code == 0 and text_code == 0, out
    rows = {r["source"]: r for r in json.loads(out)["accounts"]}
    assert rows["long_poll"]["state"] == "reading" and rows["long_poll"]["holder"] == "ingest-a"
    assert rows["long_poll"]["events"] == 1 and rows["long_poll"]["last_event_age_s"] < 60
    assert rows["long_poll"]["polled_age_s"] < 10
    assert rows["backfill"]["state"] == "done" and rows["backfill"]["gaps"] == 1, "no user token: no backfill"
    assert "Кофейня на Арбате" in text and "reading" in text and "ingest-a" in text

    code, out = await status(ingest_env, "--json")
    assert code == 1, "nobody reads the account once ingest stopped"
    assert {r["state"] for r in json.loads(out)["accounts"]} == {"not leased"}
