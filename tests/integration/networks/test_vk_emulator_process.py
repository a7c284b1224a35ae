"""``python -m chorus.emulators`` as a user runs it: a real process, its printed URL, demo traffic, clean stop."""
from __future__ import annotations

import importlib.util
import logging
import re
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest

from chorus.emulators import __main__ as runner


def test_the_runner_serves_the_chosen_emulators_with_demo_traffic() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "chorus.emulators", "--port", "0", "--networks", "vk,telegram", "--demo-rate", "40",
         "--seed", "3"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline() if process.stdout else ""
        found = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        assert found, f"no URL printed: {line!r}"
        url = found.group(1)
        assert httpx.get(f"{url}/_control").json()["emulators"] == ["vk", "telegram"]
        community = httpx.get(f"{url}/_control/vk/demo").json()["community_id"]
        deadline = time.monotonic() + 5
        traffic = 0
        while time.monotonic() < deadline and not traffic:
            state = httpx.get(f"{url}/_control/vk/communities/{community}").json()
            bot = httpx.get(f"{url}/_control/telegram/demo").json()["bot_id"]
            pending = httpx.get(f"{url}/_control/telegram/bots/{bot}/updates").json()["updates"]
            traffic = (len(state["comments"]) + len(state["messages"])) * len(pending)
            time.sleep(0.1)
        assert traffic, "demo traffic reached both networks"
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()
        if process.stderr:
            process.stderr.close()


def test_a_missing_emulator_package_is_skipped_with_a_warning(monkeypatch: pytest.MonkeyPatch,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "chorus.emulators.facebook" else real(name, *a))
    with caplog.at_level(logging.WARNING, logger="chorus.emulators"):
        assert runner.available(("vk", "facebook", "telegram")) == ("vk", "telegram")
    assert "facebook" in caplog.text


@pytest.mark.parametrize("argv", [["--networks", "myspace"], ["--demo-rate", "fast"], ["--port", "70000"]])
def test_bad_options_are_refused_with_a_message(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        runner.parse(argv)
    assert stopped.value.code == 2 and "error" in capsys.readouterr().err


def test_a_stop_does_not_wait_for_a_long_poll_held_open() -> None:
    """`chorus up` stops the emulators after the services; a getUpdates long poll still open must not hold the
    process until the poll would have ended (60 s here), or `chorus up` has to kill it."""
    process = subprocess.Popen([sys.executable, "-m", "chorus.emulators", "--port", "0", "--networks", "telegram"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    poll: threading.Thread | None = None
    try:
        line = process.stdout.readline() if process.stdout else ""
        found = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        assert found, f"no URL printed: {line!r}"
        url = found.group(1)
        token = httpx.post(f"{url}/_control/telegram/channels", json={"title": "Кофейня"}).json()["bot_token"]

        def long_poll() -> None:
            try:
                httpx.post(f"{url}/bot{token}/getUpdates", json={"timeout": 60}, timeout=90)
            except httpx.HTTPError:
                pass  # the server went away under it: that is the point

        poll = threading.Thread(target=long_poll, daemon=True)
        poll.start()
        time.sleep(0.5)  # the request is in the server's hands
        assert poll.is_alive()
        process.terminate()
        # uvicorn re-raises the SIGTERM it handled once it has shut down, hence -SIGTERM rather than 0; the
        # point is that the process is gone long before the 60 s poll would have ended
        assert process.wait(timeout=20) in (0, -signal.SIGTERM)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream:
                stream.close()
