"""``chorus account``: connect, list and disconnect social accounts.

Tokens are read from a prompt (hidden) or from an environment variable, never from the command line,
where they would end up in shell history and process lists.
"""
from __future__ import annotations

import asyncio
import os

import click

from chorus.backbone.store import EventStore
from chorus.cli import runfile
from chorus.cli.connect import nats_connection
from chorus.events.values import Network
from chorus.networks.accounts import connect_account, disconnect_account
from chorus.networks.base import Endpoints
from chorus.networks.credentials import CredentialStore, SecretKeyError, load_key
from chorus.networks.errors import NetworkError

#: The token kinds each network takes; the first is required.
TOKEN_KINDS = {
    Network.VK: ("community", "user"),
    Network.X: ("bearer", "user"),
    Network.TELEGRAM: ("bot",),
    Network.FACEBOOK: ("page",),
}


def _key() -> bytes:
    env = runfile.environment()
    try:
        return load_key(env.get("CHORUS_SECRET_KEY", ""))
    except SecretKeyError as exc:
        raise click.ClickException(f"{exc} (chorus up keeps one in the data folder's secret.key)") from None


@click.group()
def account() -> None:
    """Social accounts of the workspaces."""


@account.command()
@click.argument("network", type=click.Choice([n.value for n in Network]))
@click.option("--workspace", required=True, help="Workspace id the account belongs to.")
@click.option("--id", "external_id", default="", help="Community, page or channel id on the network.")
@click.option("--token", "token_kinds", multiple=True, metavar="KIND",
              help="Token kind to ask for (community, user, bot, page, bearer); default: the network's first.")
@click.option("--token-env", "token_env", multiple=True, metavar="KIND=VAR",
              help="Read the KIND token from environment variable VAR instead of a prompt.")
@click.option("--setting", "settings", multiple=True, metavar="KEY=VALUE",
              help="Network setting, e.g. channel_id=-100123 or discussion_group_id=-100456.")
def connect(network: str, workspace: str, external_id: str, token_kinds: tuple[str, ...],
            token_env: tuple[str, ...], settings: tuple[str, ...]) -> None:
    """Verify a token against NETWORK and connect the account to a workspace."""
    net = Network(network)
    allowed = TOKEN_KINDS[net]
    tokens: dict[str, str] = {}
    for pair in token_env:
        kind, _, var = pair.partition("=")
        if kind not in allowed or not var:
            raise click.BadParameter(f"use KIND=VAR with KIND one of {', '.join(allowed)}", param_hint="--token-env")
        if not os.environ.get(var):
            raise click.BadParameter(f"environment variable {var} is empty", param_hint="--token-env")
        tokens[kind] = os.environ[var]
    for kind in token_kinds or ((allowed[0],) if not tokens else ()):
        if kind not in allowed:
            raise click.BadParameter(f"{network} takes {', '.join(allowed)} tokens", param_hint="--token")
        tokens[kind] = click.prompt(f"{network} {kind} token", hide_input=True).strip()
    parsed = {}
    for pair in settings:
        key, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter("use KEY=VALUE", param_hint="--setting")
        parsed[key] = value
    key = _key()

    async def run():
        async with nats_connection("chorus-account") as nc:
            js = nc.jetstream()
            return await connect_account(store=EventStore(js), credentials=CredentialStore(js, key),
                                         endpoints=Endpoints.from_env(runfile.environment()),
                                         workspace_id=workspace, network=net, tokens=tokens, settings=parsed,
                                         external_id=external_id, connected_by="cli")

    try:
        event = asyncio.run(run())
    except NetworkError as exc:
        raise click.ClickException(f"{network} refused the connection ({exc.kind.value}): {exc}") from None
    click.echo(f"Connected {event.name} ({network} {event.external_id}) as account {event.account_id}")
    click.echo(f"Features: {', '.join(event.features) or 'none'}")


@account.command("list")
def list_() -> None:
    """List connected accounts (never their tokens)."""
    key = _key()

    async def run():
        async with nats_connection("chorus-account") as nc:
            return await CredentialStore(nc.jetstream(), key).all()

    for creds in sorted(asyncio.run(run()), key=lambda c: (c.workspace_id, c.network.value, c.account_id)):
        kinds = ", ".join(sorted(creds.tokens))
        click.echo(f"{creds.account_id:<24} {creds.workspace_id:<16} {creds.network.value:<9} "
                   f"{creds.external_id:<16} tokens: {kinds}")


@account.command()
@click.argument("account_id")
@click.option("--reason", default="", help="Why (kept in the log).")
def disconnect(account_id: str, reason: str) -> None:
    """Disconnect an account and delete its stored tokens."""
    key = _key()

    async def run():
        async with nats_connection("chorus-account") as nc:
            js = nc.jetstream()
            return await disconnect_account(store=EventStore(js), credentials=CredentialStore(js, key),
                                            account_id=account_id, reason=reason, disconnected_by="cli")

    try:
        asyncio.run(run())
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Disconnected {account_id}")
