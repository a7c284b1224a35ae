"""Builds the publisher service from its settings and the backbone runtime (the composition root)."""
from __future__ import annotations

from chorus.backbone.service import Runtime, Wiring
from chorus.publisher.config import Settings


async def bootstrap(settings: Settings, runtime: Runtime) -> Wiring:
    return Wiring()
