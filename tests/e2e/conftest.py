"""The inbox service as its own process (``chorus service inbox``) on a real nats-server, driven in headless
Chromium (Debian's ``/usr/bin/chromium``; Playwright never downloads a browser).

Until ingest and the publisher exist, the tests play their parts by appending their events to the log:
``CommentReceived`` for a comment read from VK, ``ReplySent``/``ReplyFailed`` for the publisher's outcome.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from chorus.backbone.db import make_engine
from chorus.backbone.natsserver import free_port
from chorus.inbox import admin
from chorus.networks.credentials import generate_key

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "correct-horse-9"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

pytestmark = pytest.mark.e2e


@dataclass
class Inbox:
    url: str
    engine: object
    data_dir: Path
    process: subprocess.Popen
    log: Path

    def user(self, email: str, name: str, memberships: dict[str, str]) -> str:
        return admin.ensure_user(self.engine, email, PASSWORD, name, memberships)


def _wait_ready(url: str, process: subprocess.Popen, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the inbox exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the inbox was not ready in {timeout}s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def inbox(nc, nats_server, tmp_path: Path) -> Iterator[Inbox]:
    """A running inbox on fresh streams (``nc`` re-creates them before the process starts)."""
    data = tmp_path / "data"
    data.mkdir()
    port = free_port()
    env = {**os.environ, "NATS_URL": nats_server.url, "CHORUS_DATA_DIR": str(data), "CHORUS_HTTP_PORT": str(port),
           "CHORUS_INSTANCE": "inbox-e2e", "CHORUS_SECRET_KEY": generate_key(), "CHORUS_INBOX_SSE_HEARTBEAT_S": "2"}
    env.pop("DATABASE_URL", None)
    engine = make_engine(f"sqlite:///{data / 'inbox.db'}")
    log = tmp_path / "inbox.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "chorus.cli", "service", "inbox"], env=env, stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process, log)
        yield Inbox(url, engine, data, process, log)
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        engine.dispose()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        if shutil.which("apt-get") is None:
            pytest.fail("Chromium is missing at /usr/bin/chromium and apt-get is not available to install it")
        apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update"], check=True, stdout=subprocess.DEVNULL, env=apt_env)
        subprocess.run(["apt-get", "install", "-y", "chromium"], check=True, stdout=subprocess.DEVNULL, env=apt_env)
    return CHROMIUM


@pytest.fixture
async def browser(chromium_path: str) -> AsyncIterator[object]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            await browser.close()


async def login(browser, inbox: Inbox, email: str, *, locale: str = "en-US"):
    """A new browser context (its own cookies) signed in as ``email``; returns the page on the inbox."""
    context = await browser.new_context(locale=locale, viewport={"width": 1360, "height": 860},
                                        extra_http_headers={"Accept-Language": locale})
    page = await context.new_page()
    await page.goto(f"{inbox.url}/login")
    await page.fill('input[name="email"]', email)
    await page.fill('input[name="password"]', PASSWORD)
    await page.click('button:has-text("Log in"), button:has-text("Войти")')
    await page.wait_for_url(f"{inbox.url}/inbox")
    return page
