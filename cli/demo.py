"""The live demo ``chorus up --demo`` sets up: a workspace, a demo manager, and the emulators' accounts.

Everything here is idempotent, so every ``chorus up`` can call it: the workspace and user are created
once, each demo account is connected once (its credentials are marked ``demo`` so a later ``chorus up``
still counts "no real account connected"), and the demo's brand and alert rules are appended with fixed
event ids, so JetStream stores them once.
"""
from __future__ import annotations

import asyncio
import json
import secrets
import urllib.request
from pathlib import Path

from chorus.backbone.db import make_engine
from chorus.backbone.jetstream import connect
from chorus.backbone.settings import nats_urls
from chorus.backbone.store import EventStore
from chorus.events import AlertRule, AlertRulesChanged, BrandRule, BrandRulesChanged, derived_id
from chorus.events.values import Network
from chorus.networks.accounts import account_id_for, connect_account
from chorus.networks.base import Endpoints
from chorus.networks.credentials import CredentialStore, load_key

WORKSPACE = "demo"
WORKSPACE_NAME = "Кофейня Zerno (демо)"
MANAGER_EMAIL = "demo@chorus.local"


def seed(env: dict[str, str], folder: Path, emulator_url: str) -> tuple[str, str]:
    """Create what the demo needs and return the demo manager's login."""
    from chorus.inbox import admin
    from chorus.inbox.config import load as inbox_settings

    password = _password(folder)
    engine = make_engine(inbox_settings(env).common.database_url)
    try:
        admin.ensure_workspace(engine, WORKSPACE, WORKSPACE_NAME)
        admin.ensure_user(engine, MANAGER_EMAIL, password, "Демо-менеджер", {WORKSPACE: "manager"},
                          reset_password=True)
    finally:
        engine.dispose()
    asyncio.run(_accounts_and_rules(env, emulator_url))
    return MANAGER_EMAIL, password


def _password(folder: Path) -> str:
    path = folder / "demo-password"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(9))
        path.chmod(0o600)
    return path.read_text().strip()


def _demo(emulator_url: str, network: str) -> dict:
    with urllib.request.urlopen(f"{emulator_url}/_control/{network}/demo", timeout=10) as response:
        return json.load(response)


def _demo_accounts(emulator_url: str) -> list[tuple[Network, str, dict[str, str], dict[str, object]]]:
    vk, tg = _demo(emulator_url, "vk"), _demo(emulator_url, "telegram")
    x, fb = _demo(emulator_url, "x"), _demo(emulator_url, "facebook")
    return [
        (Network.VK, str(vk["community_id"]), {"community": vk["community_token"], "user": vk["user_token"]}, {}),
        (Network.TELEGRAM, str(tg["channel_id"]), {"bot": tg["bot_token"]}, {}),
        (Network.X, str(x["user_id"]), {"user": x["user_token"], "bearer": x["bearer_token"]}, {}),
        (Network.FACEBOOK, str(fb["page_id"]), {"page": fb["page_token"]}, {}),
    ]


async def _accounts_and_rules(env: dict[str, str], emulator_url: str) -> None:
    nc = await connect(nats_urls(env["NATS_URL"]), "chorus-demo", attempts=5)
    try:
        js = nc.jetstream()
        store = EventStore(js)
        credentials = CredentialStore(js, load_key(env["CHORUS_SECRET_KEY"]))
        endpoints = Endpoints(vk=emulator_url, x=emulator_url, telegram=emulator_url, facebook=emulator_url)
        for network, external_id, tokens, settings in _demo_accounts(emulator_url):
            if await credentials.get(account_id_for(WORKSPACE, network, external_id)) is not None:
                continue
            await connect_account(store=store, credentials=credentials, endpoints=endpoints,
                                  workspace_id=WORKSPACE, network=network, tokens=tokens,
                                  settings={**settings, "demo": True}, external_id=external_id,
                                  connected_by="demo")
        await store.append(BrandRulesChanged(
            event_id=derived_id("demo", BrandRulesChanged.type), workspace_id=WORKSPACE, changed_by="demo",
            rules=[BrandRule(rule_id="zerno", name="Zerno", include=["zerno", "зерно"],
                             exclude=["кофейное зерно", "зерна кофе"])]))
        await store.append(AlertRulesChanged(
            event_id=derived_id("demo", AlertRulesChanged.type), workspace_id=WORKSPACE, changed_by="demo",
            rules=[AlertRule(rule_id="negative-spike", name="Всплеск негатива", kind="spike", window_minutes=30,
                             sensitivity=2.0, min_count=5, cooldown_minutes=60),
                   AlertRule(rule_id="loud-negative", name="Негатив от крупного автора", kind="negative_mention",
                             min_followers=1000, max_score=-0.5, cooldown_minutes=0),
                   AlertRule(rule_id="channel-health", name="Состояние каналов", kind="channel_health",
                             cooldown_minutes=30)]))
    finally:
        await nc.close()
