"""The ``chorus`` command. Each subcommand lives in its own module; services contribute their own.

Commands that talk to a running system find it through ``NATS_URL`` or, when that is not set, through
the run file ``chorus up`` writes in the data folder (see ``runfile.py``).
"""
from __future__ import annotations

import importlib
import importlib.util
import logging
import sys

import click

from chorus.backbone.settings import ConfigError

# Commands contributed by services and packages: (module, attribute). Imported only when invoked.
_LAZY = {
    "up": ("chorus.cli.up", "up"),
    "service": ("chorus.cli.service", "service"),
    "status": ("chorus.cli.status", "status"),
    "replay": ("chorus.cli.replay", "replay"),
    "dlq": ("chorus.cli.dlq", "dlq"),
    "events": ("chorus.cli.events", "events"),
    "account": ("chorus.cli.account", "account"),
    "user": ("chorus.inbox.cli", "user"),
    "token": ("chorus.inbox.cli", "token"),
    "sentiment": ("chorus.monitor.cli_sentiment", "sentiment"),
    "ingest": ("chorus.ingest.cli", "ingest"),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in _LAZY if self._available(name))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in _LAZY:
            return None
        module, attr = _LAZY[name]
        try:
            return getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError):
            return None

    @staticmethod
    def _available(name: str) -> bool:
        module = _LAZY[name][0]
        return importlib.util.find_spec(module) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
def cli(verbose: bool) -> None:
    """Chorus: a self-hosted social inbox and monitoring server."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("nats", "asyncio", "httpx", "urllib3", "aiogram", "vk_api", "tweepy"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main() -> None:
    try:
        cli(standalone_mode=True)
    except ConfigError as exc:
        click.echo(f"chorus: configuration error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
