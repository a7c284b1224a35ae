"""Builds the ingest service from its settings and the backbone runtime (the composition root).

Tests pass fakes through the same function: ``bootstrap(settings, runtime, rng=...)``.
"""
from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

from chorus.backbone.service import Runtime, Wiring
from chorus.events import utcnow
from chorus.ingest import entrypoints
from chorus.ingest.adapters.cursors import CursorStore
from chorus.ingest.adapters.deadletters import DeadLetters
from chorus.ingest.adapters.feed import AccountFeed
from chorus.ingest.adapters.leases import LeaseStore
from chorus.ingest.adapters.status import StatusBoard
from chorus.ingest.adapters.threads import DaemonThreadPool
from chorus.ingest.config import Settings
from chorus.ingest.domain import AccountRecord, ReaderSpec
from chorus.ingest.fleet import Fleet
from chorus.ingest.pushed import NUDGE_PREFIX, VkCallbacks, facebook_accounts
from chorus.ingest.reading import Deps
from chorus.ingest.runner import AccountRunner
from chorus.networks.credentials import CredentialStore

log = logging.getLogger(__name__)


async def bootstrap(settings: Settings, runtime: Runtime, *, rng: random.Random | None = None) -> Wiring:
    asyncio.get_running_loop().set_default_executor(DaemonThreadPool(settings.threads))
    js, me = runtime.js, settings.common.instance
    board = StatusBoard(js)
    dead_letters = DeadLetters(js)
    credentials = CredentialStore(js, settings.secret_key)
    deps = Deps(store=runtime.store, cursors=CursorStore(js, me), board=board, dead_letters=dead_letters,
                timing=settings.timing, me=me, rng=rng or random.Random())
    feed = AccountFeed(js)
    leases = LeaseStore(js, me, settings.timing.lease_ttl_s)
    started_at = utcnow().isoformat()
    callbacks = VkCallbacks(feed.book, credentials, settings.endpoints, store=runtime.store, dead_letters=dead_letters)

    def build(account: AccountRecord, spec: ReaderSpec) -> AccountRunner:
        return AccountRunner(account, spec, credentials=credentials, endpoints=settings.endpoints, deps=deps,
                             backfill_days=settings.backfill_days)

    def status() -> dict[str, Any]:
        return {"replica": me, "started_at": started_at, "accounts": sorted(fleet.held),
                "replicas": sorted(fleet.replicas), "dead_letters": dead_letters.kept,
                "undecodable_account_events": feed.undecodable, "vk_callbacks": callbacks.received}

    async def report(_: dict[str, Any]) -> None:
        try:
            await board.put_replica(me, {**status(), "updated_at": utcnow().isoformat()},
                                    ttl_s=settings.timing.lease_ttl_s)
        except Exception as exc:  # noqa: BLE001 - status is best effort
            log.debug("replica status not written: %s", exc)

    fleet = Fleet(feed, leases, build=build, timing=settings.timing, report=report)

    async def nudged(msg) -> None:
        deps.nudges.nudge(msg.subject.rsplit(".", 1)[-1])

    nudges = await runtime.nc.subscribe(f"{NUDGE_PREFIX}.*", cb=nudged)

    async def publish(subject: str, data: bytes) -> None:
        await runtime.nc.publish(subject, data)

    async def on_stop() -> None:
        callbacks.close()
        try:
            await nudges.unsubscribe()
        except Exception as exc:  # noqa: BLE001 - the connection is closing anyway
            log.debug("nudge subscription not closed: %s", exc)

    routes = entrypoints.routes(
        callbacks=callbacks, accounts_for_pages=lambda pages: facebook_accounts(feed.book, pages), publish=publish,
        status=status, facebook_verify_token=settings.facebook_verify_token,
        facebook_app_secret=settings.facebook_app_secret)
    return Wiring(components=[feed, fleet], routes=routes, on_stop=on_stop)
