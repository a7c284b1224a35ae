"""The container files stay in step with the code: every package folder is copied, every service runs."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[2]


def package_folders() -> set[str]:
    source = (ROOT / "setup.py").read_text()
    return {folder.split("/")[0] for folder in re.findall(r'"chorus\.\w+": "([\w/]+)"', source)}


def test_dockerfile_copies_every_package_folder():
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    copied = set(re.findall(r"^COPY (\w+) \1$", dockerfile, re.M))
    assert package_folders() <= copied, package_folders() - copied


def test_compose_runs_each_service_against_nats_and_its_own_postgres_database():
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    services = compose["services"]
    init = (ROOT / "deploy" / "postgres-init.sql").read_text()
    for name in ("ingest", "monitor", "inbox", "publisher"):
        service = services[name]
        assert service["command"] == ["service", name]
        env = service["environment"]
        assert env["NATS_URL"] == "nats://nats:4222"
        database = env["DATABASE_URL"].rsplit("/", 1)[1]
        assert f"CREATE DATABASE {database} " in init
        assert "readyz" in " ".join(service["healthcheck"]["test"])
    assert "-js" in services["nats"]["command"]
