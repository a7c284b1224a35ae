"""Builds the inbox service from its settings and the backbone runtime (the composition root).

The projection runner keeps the read models current and tells the live hub what each batch applied; the
hub fans that out to open pages. The inbox's own tables (people, sessions) are created at start.
"""
from __future__ import annotations

import asyncio

from chorus.backbone.projection import ProjectionRunner
from chorus.backbone.service import Runtime, Wiring
from chorus.inbox import views
from chorus.inbox.adapters import people
from chorus.inbox.adapters.engine import tune
from chorus.inbox.adapters.live import LiveHub
from chorus.inbox.config import Settings
from chorus.inbox.projection.inbox import InboxProjection
from chorus.inbox.web.app import build_app
from chorus.inbox.web.state import Services
from chorus.networks.credentials import CredentialStore


async def bootstrap(settings: Settings, runtime: Runtime) -> Wiring:
    tune(runtime.engine)
    tune(runtime.read_engine)
    await asyncio.to_thread(people.create_tables, runtime.engine)
    projection = InboxProjection()
    await asyncio.to_thread(projection.create_tables, runtime.engine)
    def locate(keys: list[str]) -> dict[str, str]:
        with runtime.read_engine.connect() as conn:
            return views.conversations_of_items(conn, keys)

    hub = LiveHub(locate)
    runner = ProjectionRunner(projection, runtime.engine, runtime.js, on_applied=hub.on_applied)
    credentials = CredentialStore(runtime.js, settings.secret_key) if settings.secret_key else None
    services = Services(settings=settings, engine=runtime.engine, read_engine=runtime.read_engine,
                        store=runtime.store, hub=hub, credentials=credentials, nc=runtime.nc)
    return Wiring(components=[runner, hub], app=build_app(services))
