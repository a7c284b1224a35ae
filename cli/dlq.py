"""``chorus dlq``: list dead letters and hand them back to their consumers."""
from __future__ import annotations

import asyncio
import json

import click

from chorus.backbone.deadletter import list_dead_letters, replay_dead_letter
from chorus.cli.connect import nats_connection


@click.group()
def dlq() -> None:
    """Dead letters: messages a consumer could not handle."""


@dlq.command("list")
@click.option("--consumer", help="Only this consumer's dead letters.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, one object per line.")
def list_(consumer: str | None, as_json: bool) -> None:
    """List dead letters, oldest first."""

    async def run():
        async with nats_connection("chorus-dlq") as nc:
            return await list_dead_letters(nc.jetstream(), consumer)

    entries = asyncio.run(run())
    if as_json:
        for entry in entries:
            click.echo(json.dumps(entry.summary(), ensure_ascii=False))
        return
    if not entries:
        click.echo("No dead letters.")
        return
    for e in entries:
        click.echo(f"#{e.seq}  {e.failed_at[:19]}  {e.consumer}  {e.stream}#{e.stream_seq} {e.subject}")
        click.echo(f"      {e.reason}: {e.error[:200]}  (deliveries {e.deliveries}, replayed {e.replays}x)")


@dlq.command()
@click.argument("seqs", nargs=-1, type=int)
@click.option("--all", "all_", is_flag=True, help="Replay every dead letter (of --consumer, if given).")
@click.option("--consumer", help="With --all: only this consumer's.")
def replay(seqs: tuple[int, ...], all_: bool, consumer: str | None) -> None:
    """Hand dead letters back to their consumer (after fixing what made them fail)."""
    if not seqs and not all_:
        raise click.UsageError("give dead-letter numbers (see `chorus dlq list`) or --all")

    async def run():
        async with nats_connection("chorus-dlq") as nc:
            js = nc.jetstream()
            targets = list(seqs) or [e.seq for e in await list_dead_letters(js, consumer) if e.replays == 0]
            for seq in targets:
                entry = await replay_dead_letter(js, seq)
                click.echo(f"#{seq} handed back to {entry.consumer}")
            return len(targets)

    try:
        count = asyncio.run(run())
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    if not count:
        click.echo("Nothing to replay.")
