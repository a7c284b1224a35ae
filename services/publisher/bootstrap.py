"""Builds the publisher service from its settings and the backbone runtime (the composition root).

Components: the schedule projection's runner (the log into SQL), the dispatcher (the due loop) and the
lanes (per-account workers). ``bootstrap`` takes optional replacements for the ports, which tests use to
put fakes where the real adapters would be.
"""
from __future__ import annotations

import asyncio
import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from chorus.backbone.consumer import ConsumerOptions
from chorus.backbone.projection import ProjectionRunner
from chorus.backbone.service import Runtime, Wiring
from chorus.backbone.store import EventStore
from chorus.events import Event, utcnow
from chorus.events.values import Network
from chorus.networks.credentials import CredentialStore
from chorus.publisher import entrypoints
from chorus.publisher.adapters.accounts import ClientFactory, NetworkAccounts
from chorus.publisher.adapters.media import ObjectStoreMedia
from chorus.publisher.adapters.repository import SqlSchedule
from chorus.publisher.config import Settings
from chorus.publisher.dispatcher import CatchUp, Dispatcher
from chorus.publisher.handlers import Deps, perform
from chorus.publisher.lanes import Lanes
from chorus.publisher.ports import Clock, EventLog, MediaSource
from chorus.publisher.schedule import ScheduleProjection


class StoreLog(EventLog):
    """The event log port over the backbone's ``EventStore`` (appends wait for JetStream's ack)."""

    def __init__(self, store: EventStore) -> None:
        self._store = store

    async def append(self, events: Sequence[Event]) -> None:
        if len(events) == 1:
            await self._store.append(events[0])
        elif events:
            await self._store.append_many(events)


class SystemClock(Clock):
    def now(self) -> datetime:
        return utcnow()


@dataclass
class Publisher:
    """Everything ``bootstrap`` built, for the wiring and for tests that drive the parts."""

    schedule: SqlSchedule
    accounts: NetworkAccounts
    runner: ProjectionRunner
    dispatcher: Dispatcher
    lanes: Lanes
    deps: Deps


def build(settings: Settings, runtime: Runtime, *, media: MediaSource | None = None, clock: Clock | None = None,
          client_factory: ClientFactory | None = None) -> Publisher:
    schedule = SqlSchedule(runtime.engine, runtime.read_engine, holder=settings.common.instance,
                           default_lateness=timedelta(minutes=settings.lateness_minutes))
    event_log = StoreLog(runtime.store)
    credentials = CredentialStore(runtime.js, settings.secret_key)
    accounts = NetworkAccounts(credentials, settings.endpoints, schedule, runtime.store,
                               **({"factory": client_factory} if client_factory else {}))
    deps = Deps(schedule=schedule, accounts=accounts,
                media=media or ObjectStoreMedia(runtime.js, settings.media_bucket), log=event_log,
                clock=clock or SystemClock(), policy=settings.policy)
    projection = ScheduleProjection(settle_s=settings.policy.settle_s)
    runner = ProjectionRunner(projection, runtime.engine, runtime.js,
                              options=ConsumerOptions(batch=500, max_deliver=settings.common.max_deliver))
    lanes = Lanes(lambda key: perform(key, deps), rates=settings.rates, max_in_flight=settings.max_in_flight)
    dispatcher = Dispatcher(schedule, lanes, CatchUp(runtime.js, runner), event_log, accounts,
                            horizon_s=settings.horizon_s, lease_s=settings.lease_s)
    lanes.finished = dispatcher.finished
    runner.on_applied = dispatcher.applied
    return Publisher(schedule, accounts, runner, dispatcher, lanes, deps)


def preload_adapters() -> None:
    """Import every network adapter now: importing one (aiogram, tweepy) takes a second or more of CPU, which
    on first use would stall the due loop and make every post due meanwhile late."""
    for network in Network:
        importlib.import_module(f"chorus.networks.{network.value}")


async def bootstrap(settings: Settings, runtime: Runtime) -> Wiring:
    await asyncio.to_thread(preload_adapters)
    publisher = build(settings, runtime)
    await asyncio.to_thread(publisher.schedule.create_tables)
    await asyncio.to_thread(publisher.runner.projection.create_tables, runtime.engine)
    return Wiring(components=[publisher.runner, publisher.lanes, publisher.dispatcher],
                  routes=entrypoints.routes(runtime.read_engine), on_stop=publisher.accounts.close)
