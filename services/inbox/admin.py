"""Creating workspaces and users from code: ``chorus up --demo`` and ``chorus user create`` call these.

Both are idempotent: calling them again with the same arguments changes nothing (``ensure_user`` keeps an
existing user's password unless ``reset_password`` is set, and adds or updates the memberships given).
"""
from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Engine

from chorus.inbox.adapters import people
from chorus.inbox.domain import Role


def ensure_workspace(engine: Engine, workspace_id: str, name: str) -> None:
    """Create the workspace (and the inbox's tables) unless it exists."""
    people.create_tables(engine)
    with engine.begin() as conn:
        people.ensure_workspace(conn, workspace_id, name)


def ensure_user(engine: Engine, email: str, password: str, name: str, memberships: Mapping[str, Role | str], *,
                reset_password: bool = False) -> str:
    """Create the user unless one with this e-mail exists, and give them these roles. Returns the user id.

    Workspaces named in ``memberships`` are created when missing (named after their id). Raises
    ``InboxError`` for a malformed e-mail, a password shorter than 8 characters or an unknown role.
    """
    people.create_tables(engine)
    roles = {ws: Role(role) for ws, role in memberships.items()}
    with engine.begin() as conn:
        existing = people.user_by_email(conn, people.normal_email(email))
        if existing is None:
            user_id = people.create_user(conn, email, password, name)
        else:
            user_id = existing.user_id
            if reset_password:
                people.set_password(conn, user_id, password)
        for workspace_id, role in roles.items():
            people.ensure_workspace(conn, workspace_id, workspace_id)
            people.set_role(conn, user_id, workspace_id, role)
    return user_id
