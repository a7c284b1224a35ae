"""``python -m chorus.emulators`` as a user runs it: a real process, its printed URL, demo traffic, clean stop."""
from __future__ import annotations

import importlib.util
import logging
import re
import subprocess
import sys
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
