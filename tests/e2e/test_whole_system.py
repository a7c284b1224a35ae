"""The whole system as a new user runs it: `chorus up --demo`, everything real, driven in Chromium.

A comment written on the VK emulator travels ingest -> log -> inbox (live, no reload); the manager's reply
travels inbox -> log -> publisher -> VK emulator and comes back as "sent"; the monitor labels it; the
read model rebuilt with `chorus replay inbox` equals the live one.
"""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from e2e.conftest import CHROMIUM_ARGS, PASSWORD
from playwright.async_api import expect

from chorus.backbone.db import make_engine
from chorus.inbox import admin

pytestmark = pytest.mark.e2e
CHORUS = [sys.executable, "-m", "chorus.cli"]


@dataclass
class System:
    data: Path
    env: dict[str, str]
    inbox: str
    emulators: str
    login: tuple[str, str]

    def chorus(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run([*CHORUS, *args], env=self.env, capture_output=True, text=True, timeout=timeout)

    def user(self, email: str, memberships: dict[str, str]) -> None:
        engine = make_engine(f"sqlite:///{self.data / 'inbox.db'}")
        try:
            admin.ensure_user(engine, email, PASSWORD, email.split("@")[0].title(), memberships)
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    data = tmp_path_factory.mktemp("system") / "data"
    env = {k: v for k, v in os.environ.items() if k not in ("NATS_URL", "DATABASE_URL", "CHORUS_SECRET_KEY")}
    env |= {"CHORUS_DATA_DIR": str(data), "CHORUS_DEMO_RATE": "0"}  # only the traffic this test writes
    proc = subprocess.Popen([*CHORUS, "up", "--demo", "--port", "0"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines: dict[str, str] = {}
    started = time.monotonic()
    try:
        while "Login" not in lines:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                pytest.fail(f"chorus up exited with {proc.returncode}: {lines}")
            key, sep, value = line.strip().partition(": ")
            if sep:
                lines[key] = value
            assert time.monotonic() - started < 90, "chorus up must print its Inbox line within 90 s"
        run = json.loads((data / "run" / "endpoints.json").read_text())
        email, password = lines["Login"].split()
        yield System(data, env, lines["Inbox"], run["emulators_url"], (email, password))
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


@pytest.fixture
async def browser():
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            await browser.close()


async def sign_in(browser, system: System, email: str, password: str = PASSWORD):
    context = await browser.new_context(locale="en-US", viewport={"width": 1360, "height": 860})
    page = await context.new_page()
    await page.goto(f"{system.inbox}/login")
    await page.fill('input[name="email"]', email)
    await page.fill('input[name="password"]', password)
    await page.click('button:has-text("Log in")')
    await page.wait_for_url(f"{system.inbox}/inbox")
    return page


def vk(system: System, method: str, path: str, body: dict | None = None) -> dict:
    response = httpx.request(method, f"{system.emulators}/_control/vk{path}", json=body, timeout=10)
    response.raise_for_status()
    return response.json()


def test_all_four_services_are_ready(system):
    done = system.chorus("status", "--json")
    report = json.loads(done.stdout)
    assert done.returncode == 0 and report["all_ready"], report


async def test_a_vk_comment_arrives_live_the_reply_reaches_vk_and_the_read_model_replays_identically(
        system, browser):
    community = vk(system, "GET", "/demo")["community_id"]
    page = await sign_in(browser, system, *system.login)
    post = vk(system, "POST", f"/communities/{community}/posts", {"text": "Зимнее меню уже в кофейнях"})
    text = "Подскажите, до скольки вы сегодня работаете?"
    vk(system, "POST", f"/communities/{community}/comments",
       {"text": text, "first_name": "Ольга", "post_id": post["post_id"]})

    row = page.locator("li.conv-row", has_text=text)
    await expect(row).to_be_visible(timeout=30000)  # ingest -> log -> inbox, pushed to the open page
    await row.locator("a").click()
    await expect(page.locator(".msg-in .msg-text", has_text=text)).to_be_visible()

    answer = "Сегодня до 22:00, ждём вас!"
    await page.fill("#reply-text", answer)
    await page.click("#reply-send")
    sent = page.locator(".reply-state.state-sent")
    await expect(sent).to_be_visible(timeout=30000)  # inbox -> log -> publisher -> VK -> log -> inbox
    assert (await sent.locator("a").get_attribute("href")).startswith("https://vk.com/wall-")
    written = [s for s in vk(system, "GET", "/sent?kind=comment")["sent"] if s["text"] == answer]
    assert len(written) == 1, "the reply is in the emulator's thread, once"
    thread = vk(system, "GET", f"/communities/{community}")
    assert any(c["text"] == answer for c in thread["comments"])

    await page.click('button:has-text("Assign to me")')
    await expect(page.locator(".activity", has_text="assigned this to")).to_be_visible(timeout=10000)
    await page.fill("#tag-input", "часы работы")
    await page.click(".tag-form button")
    await expect(page.locator("#conv-tags .tag", has_text="часы работы")).to_be_visible(timeout=10000)
    await page.keyboard.press("c")
    await expect(page.locator("#conv-status")).to_have_text("Closed", timeout=10000)
    conversation = page.url.rsplit("/", 1)[1]
    await page.context.close()

    # a viewer reads but cannot answer; a manager of another client does not even see it
    system.user("viewer@chorus.local", {"demo": "viewer"})
    viewer = await sign_in(browser, system, "viewer@chorus.local")
    await viewer.goto(f"{system.inbox}/c/{conversation}")
    await expect(viewer.locator(".msg-in .msg-text", has_text=text)).to_be_visible()
    await expect(viewer.locator("#reply-form")).to_have_count(0)
    await viewer.context.close()
    system.user("other@client.test", {"other-client": "manager"})
    other = await sign_in(browser, system, "other@client.test")
    assert (await other.goto(f"{system.inbox}/c/{conversation}")).status == 404
    await other.context.close()
    token = system.chorus("token", "create", "--user", "other@client.test").stdout
    bearer = next(word for word in token.split() if word.startswith("chorus_"))
    api = httpx.get(f"{system.inbox}/api/v1/conversations/{conversation}",
                    headers={"Authorization": f"Bearer {bearer}"})
    assert api.status_code == 404

    live = read_model(system.data / "inbox.db")
    replayed = system.chorus("replay", "inbox", timeout=300)
    assert replayed.returncode == 0, replayed.stderr
    assert "replayed" in replayed.stdout
    assert read_model(system.data / "inbox.db") == live


def read_model(path: Path) -> dict[str, list[tuple]]:
    """Every row of the inbox's projection tables (not its people, sessions or bookkeeping)."""
    from chorus.inbox.replays import REPLAYS

    tables = [t.name for projection in REPLAYS["inbox"] for t in projection.metadata.sorted_tables]
    with sqlite3.connect(path) as conn:
        return {name: sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr) for name in tables}
