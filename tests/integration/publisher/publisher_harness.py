"""Helpers for the publisher's integration tests: a running publisher, accounts on the emulators, posts.

``publisher`` runs the service's real components (projection runner, dispatcher, lanes) in this process,
built by its ``bootstrap``, on the test's database (SQLite or PostgreSQL). ``net`` creates accounts on the
emulators and connects them through the real connection flow (token verified against the emulator, stored
encrypted, ``AccountConnected`` appended).
"""
from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from chorus.backbone.db import make_engine
from chorus.backbone.service import Runtime
from chorus.backbone.store import EventStore
from chorus.events import (
    AccountConnected,
    Event,
    MediaRef,
    Network,
    PostCancelled,
    PostScheduled,
    PostTarget,
    ReplyRequested,
    ReplyTarget,
    decode,
    new_id,
)
from chorus.events.streams import PUBLISHER
from chorus.networks.accounts import connect_account
from chorus.networks.base import Endpoints
from chorus.networks.credentials import CredentialStore
from chorus.publisher import views
from chorus.publisher.bootstrap import Publisher, build
from chorus.publisher.config import Settings
from chorus.publisher.config import load as load_settings

WORKSPACE = "ws-pub"
_ids = itertools.count(1)


def environment(db_url: str, emulator: str, folder: Path, key: str, **extra: str) -> dict[str, str]:
    env = {"CHORUS_SECRET_KEY": key, "DATABASE_URL": db_url, "CHORUS_DATA_DIR": str(folder),
           "CHORUS_INSTANCE": "publisher-test", "CHORUS_PUBLISHER_SETTLE_S": "0.3",
           "CHORUS_PUBLISHER_RETRY_BASE_S": "0.2", "CHORUS_PUBLISHER_RETRY_MAX_S": "2",
           "CHORUS_PUBLISHER_RATE_VK": "50/10", "CHORUS_PUBLISHER_RATE_TELEGRAM": "50/10",
           "CHORUS_PUBLISHER_RATE_X": "50/10", "CHORUS_PUBLISHER_RATE_FACEBOOK": "50/10",
           "CHORUS_PUBLISHER_LEASE_S": "3"}
    for network in ("VK", "X", "TELEGRAM", "FACEBOOK"):
        env[f"CHORUS_{network}_API_URL"] = emulator
    return {**env, **extra}


@dataclass
class Net:
    """Accounts on the emulators, connected to Chorus."""

    control: httpx.AsyncClient
    store: EventStore
    credentials: CredentialStore
    endpoints: Endpoints
    key: str
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)

    async def connect(self, network: Network, tokens: dict[str, str], external_id: str,
                      settings: dict[str, Any] | None = None) -> AccountConnected:
        event = await connect_account(store=self.store, credentials=self.credentials, endpoints=self.endpoints,
                                      workspace_id=WORKSPACE, network=network, tokens=tokens,
                                      settings=settings, external_id=external_id, connected_by="test")
        return event

    async def vk(self) -> str:
        n = next(_ids)
        made = (await self.control.post("/vk/communities", json={"id": 70000 + n, "name": f"Brand {n}"})).json()
        event = await self.connect(Network.VK, {"community": made["community_token"], "user": made["user_token"]},
                                   str(made["id"]))
        self.accounts[event.account_id] = {"network": "vk", **made}
        return event.account_id

    async def x(self) -> str:
        n = next(_ids)
        made = (await self.control.post("/x/accounts", json={"username": f"brand{n}"})).json()
        event = await self.connect(Network.X, made["tokens"], made["id"])
        self.accounts[event.account_id] = {"network": "x", **made}
        return event.account_id

    async def facebook(self) -> str:
        n = next(_ids)
        made = (await self.control.post("/facebook/pages", json={"name": f"Brand {n}"})).json()
        event = await self.connect(Network.FACEBOOK, made["tokens"], made["id"])
        self.accounts[event.account_id] = {"network": "facebook", **made}
        return event.account_id

    async def telegram(self) -> str:
        n = next(_ids)
        made = (await self.control.post("/telegram/channels", json={
            "title": f"Brand {n}", "username": f"brand{n}", "bot_username": f"brand{n}_bot"})).json()
        event = await self.connect(Network.TELEGRAM, {"bot": made["bot_token"]}, str(made["channel_id"]),
                                   {"discussion_id": made["discussion_id"]})
        self.accounts[event.account_id] = {"network": "telegram", **made}
        return event.account_id

    async def sent(self, network: str) -> list[dict[str, Any]]:
        return (await self.control.get(f"/{network}/sent")).json()["sent"]

    async def published_texts(self) -> dict[str, list[str]]:
        """What each network has from Chorus as new posts (VK: not counting retries it de-duplicated)."""
        vk = [s["text"] for s in await self.sent("vk") if s["kind"] == "post" and not s.get("deduplicated")]
        x = [s["text"] for s in await self.sent("x") if not s.get("in_reply_to_tweet_id")]
        facebook = [s.get("message", "") for s in await self.sent("facebook") if s.get("kind") != "comment"]
        telegram = [s.get("text") or s.get("caption") or "" for s in await self.sent("telegram")]
        return {"vk": vk, "x": x, "facebook": facebook, "telegram": telegram}


@dataclass
class Running:
    settings: Settings
    runtime: Runtime
    parts: Publisher
    stop: asyncio.Event
    tasks: list[asyncio.Task]

    def post(self, post_id: str) -> dict[str, Any] | None:
        return views.post_status(self.runtime.read_engine, post_id)

    async def wait_post(self, post_id: str, states: set[str], timeout: float = 20.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            found = await asyncio.to_thread(self.post, post_id)
            if found and all(t["state"] in states for t in found["targets"]):
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{post_id} did not reach {states}: {found}")
            await asyncio.sleep(0.05)

    async def wait_reply(self, reply_id: str, states: set[str], timeout: float = 20.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            found = await asyncio.to_thread(views.reply_status, self.runtime.read_engine, reply_id)
            if found and found["state"] in states:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{reply_id} did not reach {states}: {found}")
            await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def running(env: dict[str, str], nc, js, store: EventStore, **overrides: Any) -> AsyncIterator[Running]:
    settings = load_settings(env)
    engine = make_engine(settings.common.database_url, write=True)
    read_engine = make_engine(settings.common.database_url, write=False)
    runtime = Runtime(settings.common, nc, js, store, engine, read_engine)
    parts = build(settings, runtime, **overrides)  # what bootstrap wires, with the test's replacements
    await asyncio.to_thread(parts.schedule.create_tables)
    components = [parts.runner, parts.lanes, parts.dispatcher]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(c.run(stop), name=c.name) for c in components]
    try:
        deadline = time.monotonic() + 30
        while not all(c.ready for c in components):
            for task in tasks:
                if task.done():
                    task.result()
            assert time.monotonic() < deadline, "the publisher did not become ready"
            await asyncio.sleep(0.02)
        yield Running(settings, runtime, parts, stop, tasks)
    finally:
        stop.set()
        await asyncio.wait(tasks, timeout=20)
        for task in tasks:
            if task.done() and not task.cancelled() and task.exception():
                raise task.exception()
        await parts.accounts.close()
        engine.dispose()
        read_engine.dispose()


def post(account_ids: list[str], networks: dict[str, str], text: str | dict[str, str], *,
         at: datetime | None = None, post_id: str | None = None, media: list[MediaRef] | None = None,
         campaign: str | None = None) -> PostScheduled:
    targets = [PostTarget(account_id=a, network=networks[a], text=text if isinstance(text, str) else text[a],
                          media=media or []) for a in account_ids]
    return PostScheduled(workspace_id=WORKSPACE, post_id=post_id or f"post-{new_id()[:10]}", targets=targets,
                         publish_at=at or datetime.now(UTC), campaign=campaign, created_by="user-1")


def cancel(post_id: str) -> PostCancelled:
    return PostCancelled(workspace_id=WORKSPACE, post_id=post_id, cancelled_by="user-1")


def reply(account_id: str, network: str, target: ReplyTarget, text: str, reply_id: str | None = None) -> ReplyRequested:
    return ReplyRequested(workspace_id=WORKSPACE, reply_id=reply_id or f"reply-{new_id()[:10]}",
                          conversation_id="conv-1", account_id=account_id, network=network, target=target,
                          text=text, requested_by="user-1")


async def outcomes(js, *types: type[Event]) -> list[Event]:
    """Every event of ``types`` in the publisher's stream (and the accounts' stream for token expiries)."""
    found: list[Event] = []
    for stream in {t.stream.name for t in types} or {PUBLISHER.name}:
        info = await js.stream_info(stream)
        for seq in range(info.state.first_seq, info.state.last_seq + 1) if info.state.messages else []:
            raw = await js.get_msg(stream, seq)
            event = decode(raw.data, raw.subject)
            if isinstance(event, types):
                found.append(event)
    return found


def soon(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)
