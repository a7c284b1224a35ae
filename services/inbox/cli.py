"""``chorus user ...`` and ``chorus token ...``: people and API tokens of the inbox, from the command line.

They work on the inbox's database directly (``DATABASE_URL``, or ``<CHORUS_DATA_DIR>/inbox.db``), so the
first admin can be created before anything runs.
"""
from __future__ import annotations

import os
import sys

import click

from chorus.backbone.db import make_engine
from chorus.inbox import admin
from chorus.inbox.adapters import people, sessions
from chorus.inbox.config import load
from chorus.inbox.domain import InboxError, Role


def _engine():
    return make_engine(load(os.environ).common.database_url)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.group()
def user() -> None:
    """Create and list the people who use the inbox."""


@user.command("create")
@click.option("--email", required=True, help="Login e-mail.")
@click.option("--name", required=True, help="Name shown to teammates.")
@click.option("--workspace", required=True, help="Workspace id (created when new), e.g. acme.")
@click.option("--workspace-name", default="", help="Display name of a new workspace (default: its id).")
@click.option("--role", type=click.Choice([r.value for r in Role]), default="manager", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of a prompt.")
def create_user(email: str, name: str, workspace: str, workspace_name: str, role: str, password_stdin: bool) -> None:
    """Create a user (or add an existing one to a workspace) with a role there."""
    engine = _engine()
    try:
        with engine.connect() as conn:
            people.create_tables(engine)
            existing = people.user_by_email(conn, email)
        password = "" if existing else _password(password_stdin)
        admin.ensure_workspace(engine, workspace, workspace_name or workspace)
        user_id = admin.ensure_user(engine, email, password,
                                    name, {workspace: role})
    except InboxError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        engine.dispose()
    verb = "added to" if existing else "created in"
    click.echo(f"{email} ({user_id}) {verb} workspace {workspace} as {role}")


@user.command("list")
def list_users() -> None:
    """List users with their workspaces and roles."""
    engine = _engine()
    try:
        people.create_tables(engine)
        with engine.connect() as conn:
            rows = people.all_users(conn)
    finally:
        engine.dispose()
    if not rows:
        click.echo("no users yet; create one with: chorus user create --email ... --name ... --workspace ... --role admin")
        return
    width = max(len(u.email) for u, _ in rows)
    for u, roles in rows:
        memberships = ", ".join(f"{ws}:{role}" for ws, role in sorted(roles.items())) or "-"
        click.echo(f"{u.email.ljust(width)}  {u.name}  [{memberships}]")


@click.group()
def token() -> None:
    """API tokens for /api/v1 (sent as ``Authorization: Bearer <token>``)."""


@token.command("create")
@click.option("--user", "email", required=True, help="The e-mail of the user the token acts as.")
@click.option("--name", default="api", show_default=True, help="A label to recognise the token by.")
def create_token(email: str, name: str) -> None:
    """Create a token; it is printed once and only its hash is kept."""
    engine = _engine()
    try:
        people.create_tables(engine)
        with engine.begin() as conn:
            found = people.user_by_email(conn, email)
            if found is None:
                raise click.ClickException(f"no user with the e-mail {email}; see: chorus user list")
            value = sessions.create_token(conn, found.user_id, name, people.now())
    finally:
        engine.dispose()
    click.echo(value)
    click.echo("Keep it now: it is not shown again.", err=True)
