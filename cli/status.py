"""``chorus status``: each service's health, each stream's size and each consumer's lag."""
from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime
from typing import Any

import click
from nats.js.errors import BucketNotFoundError, NoKeysError, NotFoundError

from chorus.backbone.service import STATUS_BUCKET
from chorus.cli.connect import nats_connection, nats_url
from chorus.cli.service import SERVICES
from chorus.events.streams import DEAD_LETTER, EVENT_STREAMS


async def collect() -> dict[str, Any]:
    async with nats_connection("chorus-status") as nc:
        js = nc.jetstream()
        services = await _services(js)
        streams, consumers = [], []
        for stream in (*EVENT_STREAMS, DEAD_LETTER):
            try:
                info = await js.stream_info(stream.name)
            except NotFoundError:
                streams.append({"stream": stream.name, "exists": False})
                continue
            streams.append({"stream": stream.name, "exists": True, "messages": info.state.messages,
                            "bytes": info.state.bytes, "last_seq": info.state.last_seq})
            for consumer in await js.consumers_info(stream.name):
                if consumer.name.startswith("rebuild-") or not consumer.config.durable_name:
                    continue  # a rebuild in progress, or an ephemeral watcher (key-value reads, live pages)
                consumers.append({"stream": stream.name, "consumer": consumer.name,
                                  "lag": consumer.num_pending or 0, "unacked": consumer.num_ack_pending or 0,
                                  "redelivered": consumer.num_redelivered or 0})
    ready = {s: any(i["ready"] for i in services if i["service"] == s) for s in SERVICES}
    return {"nats": nats_url(), "services": services, "ready": ready, "all_ready": all(ready.values()),
            "streams": streams, "consumers": consumers}


async def _services(js) -> list[dict[str, Any]]:
    try:
        kv = await js.key_value(STATUS_BUCKET)
        keys = await kv.keys()
    except (BucketNotFoundError, NoKeysError):
        return []
    found = []
    for key in keys:
        entry = await kv.get(key)
        if entry and entry.value:
            report = json.loads(entry.value)
            updated = datetime.fromisoformat(report["updated_at"])
            report["age_s"] = round((datetime.now(UTC) - updated).total_seconds(), 1)
            found.append(report)
    return sorted(found, key=lambda r: (r["service"], r["instance"]))


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(as_json: bool) -> None:
    """Show services, streams and consumer lag. Exits 1 unless all four services are ready."""
    try:
        report = asyncio.run(collect())
    except ConnectionError as exc:
        click.echo(f"chorus: {exc}. Is `chorus up` running, or is NATS_URL right?", err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        _print(report)
    sys.exit(0 if report["all_ready"] else 1)


def _print(report: dict[str, Any]) -> None:
    click.echo(f"NATS: {report['nats']}\n")
    click.echo(f"{'SERVICE':<10} {'INSTANCE':<28} {'STATE':<8} {'SEEN':>6}  URL")
    for name in SERVICES:
        instances = [s for s in report["services"] if s["service"] == name]
        if not instances:
            click.echo(f"{name:<10} {'-':<28} {'down':<8} {'-':>6}  -")
        for s in instances:
            state = "ready" if s["ready"] else "starting"
            click.echo(f"{name:<10} {s['instance'][:28]:<28} {state:<8} {s['age_s']:>5}s  {s['url']}")
            if not s["ready"]:
                click.echo(f"{'':<10} checks: {json.dumps(s['checks'])}")
    click.echo(f"\n{'STREAM':<20} {'MESSAGES':>10} {'BYTES':>12}")
    for s in report["streams"]:
        if s["exists"]:
            click.echo(f"{s['stream']:<20} {s['messages']:>10} {s['bytes']:>12}")
        else:
            click.echo(f"{s['stream']:<20} {'(missing)':>10}")
    click.echo(f"\n{'CONSUMER':<36} {'STREAM':<20} {'LAG':>8} {'UNACKED':>8}")
    for c in report["consumers"]:
        click.echo(f"{c['consumer'][:36]:<36} {c['stream']:<20} {c['lag']:>8} {c['unacked']:>8}")
