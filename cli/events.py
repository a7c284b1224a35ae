"""``chorus events``: the event contracts."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from chorus.events.docs import render


@click.group()
def events() -> None:
    """The event contracts."""


@events.command()
@click.option("--write", "target", type=click.Path(path_type=Path), help="Write to this file (docs/events.md).")
def docs(target: Path | None) -> None:
    """Print (or --write) the events reference generated from the event classes."""
    text = render()
    if target is None:
        sys.stdout.write(text)
    else:
        target.write_text(text)
        click.echo(f"wrote {target}")
