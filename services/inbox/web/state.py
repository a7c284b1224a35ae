"""What every route needs, built once by ``bootstrap``: engines, the event store, the live hub, templates."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from chorus.backbone.store import EventStore
from chorus.events import Event
from chorus.inbox.adapters.live import LiveHub
from chorus.inbox.config import Settings

T = TypeVar("T")


@dataclass
class Services:
    settings: Settings
    engine: Engine
    read_engine: Engine
    store: EventStore
    hub: LiveHub
    #: ``chorus.networks.credentials.CredentialStore`` when CHORUS_SECRET_KEY is set, else None.
    credentials: Any = None
    #: NATS connection for requests to other services (``chorus.monitor.test_destination``).
    nc: Any = None
    #: ``chorus.inbox.posts.kit.PostsKit``: media store, link previews, recurring posts (None in some tests).
    posts: Any = None
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    async def read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(conn, ...)`` on a read connection, off the event loop."""
        def call() -> T:
            with self.read_engine.connect() as conn:
                return fn(conn, *args, **kwargs)
        return await run_in_threadpool(call)

    async def write(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(conn, ...)`` in a write transaction, off the event loop."""
        def call() -> T:
            with self.engine.begin() as conn:
                return fn(conn, *args, **kwargs)
        return await run_in_threadpool(call)

    async def append(self, events: Sequence[Event]) -> None:
        if events:
            await self.store.append_many(events)
