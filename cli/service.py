"""``chorus service <name>``: run one service in the foreground, as its container does."""
from __future__ import annotations

import asyncio
import functools
import importlib
import logging
import os

import click

from chorus.backbone.service import serve

SERVICES = ("ingest", "monitor", "inbox", "publisher")


@click.command()
@click.argument("name", type=click.Choice(SERVICES))
def service(name: str) -> None:
    """Run one service (ingest, monitor, inbox or publisher) until SIGTERM or Ctrl-C."""
    logging.getLogger().setLevel(min(logging.getLogger().level, logging.INFO))
    config = importlib.import_module(f"chorus.{name}.config")
    bootstrap = importlib.import_module(f"chorus.{name}.bootstrap")
    settings = config.load(os.environ)  # a ConfigError here names the setting and the fix
    asyncio.run(serve(settings.common, functools.partial(bootstrap.bootstrap, settings)))
