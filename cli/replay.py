"""``chorus replay <name>``: rebuild a read model from the start of the log, with a progress bar.

Each service lists what can be replayed in ``chorus.<service>.replays.REPLAYS``: a name mapped to the
projections it rebuilds (``chorus replay inbox``) or to a coroutine that re-derives events from the log
(``chorus replay sentiment`` re-scores history with the current classifier).
"""
from __future__ import annotations

import asyncio
import importlib
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

import click

from chorus.backbone.db import make_engine
from chorus.backbone.projection import Projection, rebuild
from chorus.backbone.store import EventStore
from chorus.cli import runfile
from chorus.cli.connect import nats_connection
from chorus.cli.service import SERVICES

ReplayFn = Callable[..., Awaitable[int]]


def registry() -> dict[str, tuple[str, Any]]:
    found: dict[str, tuple[str, Any]] = {}
    for service in SERVICES:
        try:
            module = importlib.import_module(f"chorus.{service}.replays")
        except ModuleNotFoundError:
            continue
        for name, target in module.REPLAYS.items():
            found[name] = (service, target)
    return found


@click.command()
@click.argument("name")
def replay(name: str) -> None:
    """Rebuild NAME from the whole log (see `chorus replay --help` for the names)."""
    known = registry()
    if name not in known:
        names = ", ".join(sorted(known)) or "none yet"
        raise click.UsageError(f"unknown replay {name!r}; choose one of: {names}")
    service, target = known[name]
    env = runfile.environment()
    settings = importlib.import_module(f"chorus.{service}.config").load(env)
    count = asyncio.run(_run(settings, target))
    click.echo(f"{name}: replayed {count} events")


async def _run(settings: Any, target: Any) -> int:
    engine = make_engine(settings.common.database_url)
    try:
        async with nats_connection("chorus-replay") as nc:
            js = nc.jetstream()
            if inspect.iscoroutinefunction(target):
                with _Bar("events") as bar:
                    return await target(settings=settings, js=js, store=EventStore(js), engine=engine,
                                        progress=bar.update)
            total = 0
            for projection in target:
                projection = projection() if isinstance(projection, type) else projection
                assert isinstance(projection, Projection)
                with _Bar(projection.name) as bar:
                    total += await rebuild(projection, engine, js, progress=bar.update)
            return total
    finally:
        engine.dispose()


class _Bar:
    """A click progress bar fed with (done, total) pairs."""

    def __init__(self, label: str) -> None:
        self.label, self._bar, self._shown = label, None, 0

    def __enter__(self) -> _Bar:
        return self

    def update(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = click.progressbar(length=max(total, 1), label=self.label, show_pos=True)
            self._bar.__enter__()
        self._bar.update(done - self._shown)
        self._shown = done

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)
