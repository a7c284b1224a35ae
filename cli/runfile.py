"""The run file: how commands find the system ``chorus up`` started (NATS address, service URLs).

``chorus up`` writes ``<data dir>/run/endpoints.json`` while it runs; ``chorus status``, ``replay`` and
``dlq`` read it when ``NATS_URL`` is not set, so they reach the embedded server on whatever port it got.
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from chorus.backbone.settings import data_dir


def path(folder: Path) -> Path:
    return folder / "run" / "endpoints.json"


def write(folder: Path, endpoints: dict[str, object]) -> None:
    target = path(folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(endpoints, indent=2))
    tmp.replace(target)


def remove(folder: Path) -> None:
    path(folder).unlink(missing_ok=True)


def read(folder: Path) -> dict[str, object]:
    try:
        return json.loads(path(folder).read_text())
    except (OSError, ValueError):
        return {}


def environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment with ``NATS_URL`` (and the secret key) filled in from a running ``chorus up``."""
    env = dict(os.environ if env is None else env)
    found = read(data_dir(env))
    if not env.get("NATS_URL") and found.get("nats_url"):
        env["NATS_URL"] = str(found["nats_url"])
    for key in ("CHORUS_SECRET_KEY",):
        if not env.get(key) and found.get("secret_key_file"):
            try:
                env[key] = Path(str(found["secret_key_file"])).read_text().strip()
            except OSError:
                pass
    return env
