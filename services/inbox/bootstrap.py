"""Builds the inbox service from its settings and the backbone runtime (the composition root).

The projection runners (conversations, posts) keep the read models current and tell the live hub what
each batch applied; the hub fans that out to open pages. The inbox's own tables (people, sessions, drafts,
uploads, queue times, UTM presets, series) are created at start; ``RecurringPosts`` appends occurrences.
"""
from __future__ import annotations

import asyncio
from datetime import timedelta

from chorus.backbone.projection import ProjectionRunner
from chorus.backbone.service import Runtime, Wiring
from chorus.inbox import views
from chorus.inbox.adapters import people
from chorus.inbox.adapters.engine import tune
from chorus.inbox.adapters.live import LiveHub
from chorus.inbox.config import Settings
from chorus.inbox.posts import store as posts_store
from chorus.inbox.posts.kit import PostsKit
from chorus.inbox.posts.link_preview import LinkPreviewer
from chorus.inbox.posts.media_store import MediaStore
from chorus.inbox.posts.projection import PostsProjection
from chorus.inbox.posts.recurring import RecurringPosts
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
    posts = PostsProjection()
    await asyncio.to_thread(posts.create_tables, runtime.engine)
    await asyncio.to_thread(posts_store.create_tables, runtime.engine)
    def locate(keys: list[str]) -> dict[str, str]:
        with runtime.read_engine.connect() as conn:
            return views.conversations_of_items(conn, keys)

    hub = LiveHub(locate)
    runner = ProjectionRunner(projection, runtime.engine, runtime.js, on_applied=hub.on_applied)
    posts_runner = ProjectionRunner(posts, runtime.engine, runtime.js, on_applied=hub.on_applied)
    kit = PostsKit(MediaStore(runtime.js), LinkPreviewer(timeout_s=settings.link_preview_timeout_s),
                   RecurringPosts(runtime.engine, runtime.store, ahead=timedelta(hours=settings.recurring_ahead_h),
                                  interval_s=settings.recurring_interval_s))
    credentials = CredentialStore(runtime.js, settings.secret_key) if settings.secret_key else None
    services = Services(settings=settings, engine=runtime.engine, read_engine=runtime.read_engine,
                        store=runtime.store, hub=hub, credentials=credentials, nc=runtime.nc, posts=kit)
    return Wiring(components=[runner, posts_runner, hub, kit.recurring], app=build_app(services))
