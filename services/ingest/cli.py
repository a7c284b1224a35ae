"""``chorus ingest``: commands about reading the networks (``status``)."""
from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

import click

from chorus.backbone.jetstream import connect
from chorus.events import utcnow
from chorus.ingest import views
from chorus.ingest.adapters.feed import AccountFeed
from chorus.ingest.adapters.leases import LeaseStore
from chorus.ingest.adapters.status import StatusBoard
from chorus.ingest.config import command_nats_urls


@click.group()
def ingest() -> None:
    """Reading the networks: which accounts are read, by which replica, and how far behind."""


async def collect() -> dict[str, Any]:
    nc = await connect(command_nats_urls(os.environ), "chorus-ingest-status", attempts=2)
    try:
        js = nc.jetstream()
        book = await AccountFeed(js).catch_up()
        holders, replicas = await LeaseStore(js, "chorus-ingest-status", 1).snapshot()
        status = await StatusBoard(js).read()
    finally:
        await nc.close()
    found = views.rows(book, holders, status, utcnow())
    return {"accounts": [r.as_dict() for r in found], "replicas": sorted(replicas),
            "replica_status": status["replicas"]}


@ingest.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(as_json: bool) -> None:
    """Each connected account's sources: state, last event, last poll, who reads it. Exits 1 when an account
    is not being read (not leased, token expired, permission missing, no credentials)."""
    try:
        report = asyncio.run(collect())
    except ConnectionError as exc:
        click.echo(f"chorus: {exc}. Is `chorus up` running, or is NATS_URL right?", err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        rows = [views.Row(**r) for r in report["accounts"]]
        click.echo(views.table(rows) if rows else "No connected accounts.")
        click.echo(f"\nReplicas: {', '.join(report['replicas']) or 'none running'}")
        for name, replica in sorted(report["replica_status"].items()):
            click.echo(f"  {name}: {len(replica.get('accounts', []))} accounts, "
                       f"{replica.get('dead_letters', 0)} dead letters kept since {replica.get('started_at', '?')[:19]}")
    stuck = [r for r in report["accounts"] if r["state"] in views.NOT_READING]
    sys.exit(1 if stuck else 0)
