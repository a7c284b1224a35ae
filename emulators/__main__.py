"""``python -m chorus.emulators``: every network emulator on one local port, with optional demo traffic.

    python -m chorus.emulators [--host 127.0.0.1] [--port 8090] [--networks vk,telegram,x,facebook]
                               [--demo-rate 0.5] [--seed N]

A network whose emulator package is not installed is skipped with a warning, so the command works while
some are still being written. The base URL is printed once the server listens; ``/_control`` lists what runs.
"""
from __future__ import annotations

import argparse
import asyncio
import importlib.util
import logging
import sys

import uvicorn

from chorus.emulators.server import NETWORKS, build_app, load

log = logging.getLogger("chorus.emulators")


def available(names: tuple[str, ...]) -> tuple[str, ...]:
    """The emulators among ``names`` that are installed (a warning names each missing one)."""
    found = []
    for name in names:
        if importlib.util.find_spec(f"chorus.emulators.{name}") is None:
            log.warning("no emulator for %s is installed; skipping it", name)
        else:
            found.append(name)
    return tuple(found)


def _networks(value: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in value.split(",") if n.strip())
    unknown = [n for n in names if n not in NETWORKS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(NETWORKS)} (got {value!r})")
    return names


def _rate(value: str) -> float:
    try:
        rate = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0 <= rate <= 100:
        raise argparse.ArgumentTypeError("the demo rate is between 0 and 100 items per second")
    return rate


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m chorus.emulators", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8090, help="port (default 8090; 0 picks a free one)")
    parser.add_argument("--networks", type=_networks, default=NETWORKS,
                        help=f"comma-separated subset of {','.join(NETWORKS)} (default: all)")
    parser.add_argument("--demo-rate", type=_rate, default=0.0,
                        help="inbound demo items per second across the networks (default 0: no demo traffic)")
    parser.add_argument("--seed", type=int, default=None, help="random seed of the demo traffic")
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error("--port must be between 0 and 65535")
    return args


async def serve(args: argparse.Namespace) -> int:
    names = available(args.networks)
    if not names:
        log.error("none of the requested emulators is installed")
        return 2
    app = build_app(load(names), demo_rate=args.demo_rate, seed=args.seed)
    # a long poll still held open by a client that has gone (ingest stops first) would otherwise hold the
    # shutdown until it times out (25 s), and `chorus up` would kill the process after 15 s
    server = uvicorn.Server(uvicorn.Config(app, host=args.host, port=args.port, log_level="warning", ws="none",
                                           timeout_graceful_shutdown=1))
    task = asyncio.create_task(server.serve())
    while not server.started and not task.done():
        await asyncio.sleep(0.05)
    if server.started:
        host, port = server.servers[0].sockets[0].getsockname()[:2]
        print(f"Chorus emulators ({', '.join(names)}) at http://{host}:{port}  (control: /_control)", flush=True)
    await task
    return 0 if server.started else 1


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    return asyncio.run(serve(parse(argv)))


if __name__ == "__main__":
    sys.exit(main())
