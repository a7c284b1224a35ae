"""`chorus up` from nothing: embedded NATS from the wheel, four services ready, Ctrl-C, and a resume."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nats


from chorus.backbone.natsserver import port_is_free
from support.projection import comment

CHORUS = [sys.executable, "-m", "chorus.cli"]


def start_up(folder: Path) -> tuple[subprocess.Popen, dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if k not in ("NATS_URL", "DATABASE_URL")}
    env["CHORUS_DATA_DIR"] = str(folder)
    proc = subprocess.Popen([*CHORUS, "up", "--no-demo", "--port", "0"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines: dict[str, str] = {}
    deadline = time.monotonic() + 90
    while "Inbox" not in lines:
        assert time.monotonic() < deadline, "no 'Inbox: ' line within 90 s"
        line = proc.stdout.readline()
        assert line or proc.poll() is None, f"chorus up exited: {proc.returncode}"
        if ": " in line:
            key, _, value = line.strip().partition(": ")
            lines[key] = value
    return proc, env


def stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    return out


def status(env: dict[str, str]) -> tuple[int, dict]:
    done = subprocess.run([*CHORUS, "status", "--json"], env=env, capture_output=True, text=True, timeout=60)
    return done.returncode, json.loads(done.stdout)


async def test_up_starts_everything_stops_cleanly_and_resumes_with_its_data(tmp_path):
    folder = tmp_path / "data"
    proc, env = start_up(folder)
    try:
        code, report = status(env)
        assert code == 0 and report["all_ready"], report
        assert {s["service"] for s in report["services"]} == {"ingest", "monitor", "inbox", "publisher"}
        nats_url = report["nats"]
        if not port_is_free(4222):
            assert not nats_url.endswith(":4222"), "4222 is taken here: the embedded server must pick another port"
        nc = await nats.connect(nats_url)
        await nc.jetstream().publish(comment(1).subject(), comment(1).model_dump_json().encode(),
                                     headers={"Nats-Msg-Id": "x"})  # not an event: a marker to find again
        await nc.close()
    finally:
        out = stop(proc)
    assert proc.returncode == 0, out
    assert "Stopped." in out
    assert not list((folder / "run").glob("*.json")), "the run file is removed on exit"

    proc, env = start_up(folder)
    try:
        code, report = status(env)
        assert code == 0
        ingest = next(s for s in report["streams"] if s["stream"] == "CHORUS_INGEST")
        assert ingest["messages"] == 1, "the first run's message survives the restart"
    finally:
        stop(proc)


def test_a_bad_setting_stops_a_service_with_a_message_naming_it(tmp_path):
    env = {**os.environ, "CHORUS_DATA_DIR": str(tmp_path), "NATS_URL": "http://nowhere:4222"}
    done = subprocess.run([*CHORUS, "service", "monitor"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "NATS_URL" in done.stderr and "Fix:" in done.stderr


def test_status_without_a_running_system_says_so(tmp_path):
    env = {**os.environ, "CHORUS_DATA_DIR": str(tmp_path), "NATS_URL": "nats://127.0.0.1:1"}
    done = subprocess.run([*CHORUS, "status"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "cannot reach NATS" in done.stderr


