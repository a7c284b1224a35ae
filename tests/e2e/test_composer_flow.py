"""Issue 6, end to end: a cross-post with an image composed in Chromium goes out to the emulated networks.

The real system: ``chorus service inbox`` and ``chorus service publisher`` as processes on a test nats-server,
the emulators of VK, X, Telegram and Facebook served in this process, and the emulators' demo accounts
connected through the real connection flow. The person picks a time ahead in the composer ("schedule at a
time"); ``LEAD_S`` keeps it short so the test does not wait two minutes.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import struct
import subprocess
import sys
import urllib.request
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from e2e.conftest import _wait_ready, login
from playwright.async_api import expect

from chorus.backbone.db import make_engine
from chorus.backbone.natsserver import free_port
from chorus.emulators.control import serving
from chorus.emulators.server import build_app, load
from chorus.events import WorkspaceSettingsChanged
from chorus.events.values import Network
from chorus.inbox import admin
from chorus.networks.accounts import connect_account
from chorus.networks.base import Endpoints
from chorus.networks.credentials import CredentialStore, generate_key

pytestmark = pytest.mark.e2e

#: How far ahead the post is scheduled (the issue says two minutes; the flow is the same).
LEAD_S = int(os.environ.get("CHORUS_E2E_LEAD_S", "25"))
ZONE = "Europe/Moscow"
PASSWORD = "correct-horse-9"


def png(width: int, height: int) -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))
    rows = b"".join(b"\x00" + bytes((224, 138 + y % 60, 60)) * width for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@dataclass
class System:
    url: str
    emulator: str
    engine: object


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    with serving(build_app(load())) as url:
        yield url


def _service(name: str, env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "chorus.cli", "service", name],
                                   env={**env, "CHORUS_HTTP_PORT": str(port), "CHORUS_INSTANCE": f"{name}-e2e"},
                                   stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    return process, f"http://127.0.0.1:{port}"


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _demo(emulator: str, network: str) -> dict:
    with urllib.request.urlopen(f"{emulator}/_control/{network}/demo", timeout=10) as response:
        return json.load(response)


async def _connect_demo_accounts(js, store, emulator: str, key: str) -> None:
    credentials = CredentialStore(js, key.encode())
    endpoints = Endpoints(vk=emulator, x=emulator, telegram=emulator, facebook=emulator)
    vk, tg, x, fb = (_demo(emulator, n) for n in ("vk", "telegram", "x", "facebook"))
    for network, external_id, tokens in (
            (Network.VK, str(vk["community_id"]), {"community": vk["community_token"], "user": vk["user_token"]}),
            (Network.X, str(x["user_id"]), {"user": x["user_token"], "bearer": x["bearer_token"]}),
            (Network.TELEGRAM, str(tg["channel_id"]), {"bot": tg["bot_token"]}),
            (Network.FACEBOOK, str(fb["page_id"]), {"page": fb["page_token"]})):
        await connect_account(store=store, credentials=credentials, endpoints=endpoints, workspace_id="acme",
                              network=network, tokens=tokens, external_id=external_id, connected_by="e2e")


@pytest.fixture
async def system(nc, nats_server, store, js, emulator, tmp_path: Path):
    async with httpx.AsyncClient(base_url=f"{emulator}/_control", timeout=30) as control:
        for network in ("vk", "x", "telegram", "facebook"):
            (await control.post(f"/{network}/reset")).raise_for_status()
    key = generate_key()
    data = tmp_path / "data"
    data.mkdir()
    env = {**os.environ, "NATS_URL": nats_server.url, "CHORUS_DATA_DIR": str(data), "CHORUS_SECRET_KEY": key,
           "CHORUS_INBOX_SSE_HEARTBEAT_S": "2", **{f"CHORUS_{n}_API_URL": emulator
                                                   for n in ("VK", "X", "TELEGRAM", "FACEBOOK")}}
    env.pop("DATABASE_URL", None)
    await _connect_demo_accounts(js, store, emulator, key)
    await store.append(WorkspaceSettingsChanged(workspace_id="acme", name="Zerno", time_zone=ZONE, changed_by="e2e"))
    engine = make_engine(f"sqlite:///{data / 'inbox.db'}")
    admin.ensure_user(engine, "anna@acme.test", PASSWORD, "Анна Смирнова", {"acme": "admin"})
    started = []
    try:
        for name in ("inbox", "publisher"):
            log = tmp_path / f"{name}.log"
            process, url = _service(name, env, log)
            started.append(process)
            await asyncio.to_thread(_wait_ready, url, process, log)
            if name == "inbox":
                inbox_url = url
        yield System(inbox_url, emulator, engine)
    finally:
        for process in reversed(started):
            _stop(process)
        engine.dispose()


async def _sent(emulator: str) -> dict[str, list[dict]]:
    async with httpx.AsyncClient(base_url=f"{emulator}/_control", timeout=10) as control:
        return {n: (await control.get(f"/{n}/sent")).json()["sent"] for n in ("vk", "x", "telegram", "facebook")}


async def test_a_cross_post_with_an_image_is_scheduled_shown_on_the_calendar_and_published_everywhere(
        system, browser, tmp_path):
    page = await login(browser, system, "anna@acme.test")  # type: ignore[arg-type]
    await page.goto(f"{system.url}/posts/acme/new")
    chips = page.locator(".acct-chip")
    await expect(chips).to_have_count(4)
    for n in range(4):
        await chips.nth(n).click()
    text = "Весеннее меню в «Зерне»: раф с лавандой и тыквенный пирог. https://zerno.example/menu"
    await page.fill("#post-text", text)
    await page.fill('input[name="campaign"]', "spring")
    image = tmp_path / "menu.png"
    image.write_bytes(png(120, 80))
    await page.set_input_files("#media-input", str(image))
    await expect(page.locator("#thumbs .thumb img")).to_have_count(1)
    await expect(page.locator(".pv-card")).to_have_count(4)
    await expect(page.locator(".pv-card .pv-text").first).to_contain_text("utm_campaign=spring")
    due = (datetime.now(ZoneInfo(ZONE)) + timedelta(seconds=LEAD_S)).replace(microsecond=0)
    await page.fill('input[name="publish_at"]', due.strftime("%Y-%m-%dT%H:%M:%S"))
    await expect(page.locator("#time-info")).to_contain_text(ZONE)
    await page.click("#submit-post")
    await page.wait_for_url(f"{system.url}/posts/acme/p/*")
    post_id = page.url.rsplit("/", 1)[1]
    await expect(page.locator(".target .state-badge.st-scheduled")).to_have_count(4)

    calendar = await page.context.new_page()
    await calendar.goto(f"{system.url}/posts/acme/calendar?view=week")
    card = calendar.locator(f'.cal-card[data-post="{post_id}"]')
    await expect(card).to_be_visible()
    await expect(card).to_contain_text(due.strftime("%H:%M"))

    # the post page, left open, turns published live, with a link per network
    await expect(page.locator(".target .state-badge.st-published")).to_have_count(4, timeout=LEAD_S * 1000 + 60000)
    links = page.locator("a.published-link")
    await expect(links).to_have_count(4)
    hrefs = [await links.nth(n).get_attribute("href") for n in range(4)]
    assert all(h and h.startswith("http") for h in hrefs)
    await expect(card).to_have_class(re.compile("st-published"), timeout=15000)  # the calendar, live too

    sent = await _sent(system.emulator)
    vk = [s for s in sent["vk"] if s.get("kind") == "post" and not s.get("deduplicated")]
    [tweet] = [s for s in sent["x"] if not s.get("in_reply_to_tweet_id")]
    [telegram] = sent["telegram"]
    [fb] = [s for s in sent["facebook"] if s.get("kind") == "post"]
    assert len(vk) == 1 and "utm_source=vk&utm_medium=social&utm_campaign=spring" in vk[0]["text"]
    assert "utm_source=x&" in tweet["text"] and len(tweet["media_ids"]) == 1
    assert telegram["method"] == "sendPhoto" and "utm_source=telegram&" in telegram["text"]
    assert "utm_source=facebook&" in fb["message"] and len(fb["photo_ids"]) == 1
    assert fb["at_unix"] >= due.timestamp() and telegram["at"] >= due.timestamp()  # not before its time
