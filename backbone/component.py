"""The unit a service runs: a long-lived task that reports whether it is ready."""
from __future__ import annotations

import asyncio
from typing import Protocol


class Component(Protocol):
    """Something a service runs until asked to stop (a consumer, a projection, a reader, a scheduler)."""

    name: str

    @property
    def ready(self) -> bool:
        """True once bound to its inputs and working; ``/readyz`` is the conjunction over components."""
        ...

    async def run(self, stop: asyncio.Event) -> None:
        """Work until ``stop`` is set, then return after finishing (or safely abandoning) the current step."""
        ...

    # Optional: ``def checks(self) -> dict[str, object]`` adds facts (counters, states) to /readyz and to
    # the heartbeat that `chorus status` shows, without changing readiness.
