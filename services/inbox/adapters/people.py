"""Users, workspaces and memberships: the inbox's own tables (not projections; the log never sees a password).

Passwords are hashed with argon2id (argon2-cffi's defaults). E-mail addresses are stored lower-cased and
are the login name.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    MetaData,
    String,
    Table,
    Text,
    delete,
    select,
    update,
)
from sqlalchemy.engine import Connection

from chorus.backbone.db import insert_ignore, upsert
from chorus.inbox.domain import InboxError, Role

people = MetaData()
TZ = DateTime(timezone=True)

workspaces = Table(
    "inbox_workspaces", people,
    Column("workspace_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", TZ, nullable=False),
)
users = Table(
    "inbox_users", people,
    Column("user_id", String(40), primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("password_hash", String(300), nullable=False),
    Column("locale", String(8)),
    Column("created_at", TZ, nullable=False),
)
memberships = Table(
    "inbox_memberships", people,
    Column("user_id", String(40), ForeignKey("inbox_users.user_id", ondelete="CASCADE"), primary_key=True),
    Column("workspace_id", String(64), ForeignKey("inbox_workspaces.workspace_id", ondelete="CASCADE"),
           primary_key=True),
    Column("role", String(16), nullable=False),
    Index("ix_inbox_memberships_ws", "workspace_id"),
)
canned_replies = Table(
    "inbox_canned_replies", people,
    Column("canned_id", String(40), primary_key=True),
    Column("workspace_id", String(64), ForeignKey("inbox_workspaces.workspace_id", ondelete="CASCADE"),
           nullable=False),
    Column("title", String(200), nullable=False),
    Column("text", Text, nullable=False),
    Index("ix_inbox_canned_ws", "workspace_id"),
)

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,}$")
WORKSPACE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MIN_PASSWORD = 8
_hasher = PasswordHasher()


@dataclass(frozen=True)
class User:
    user_id: str
    email: str
    name: str
    locale: str | None


def now() -> datetime:
    return datetime.now(UTC)


def normal_email(email: str) -> str:
    value = email.strip().lower()
    if not EMAIL.match(value):
        raise InboxError("bad_email", f"{email.strip()[:80]!r} is not an e-mail address", value=email.strip()[:80])
    return value


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InboxError("weak_password", f"the password must have at least {MIN_PASSWORD} characters",
                         minimum=MIN_PASSWORD)


def check_workspace_id(workspace_id: str) -> str:
    if not WORKSPACE_ID.match(workspace_id):
        raise InboxError("bad_workspace", f"{workspace_id[:70]!r} is not a workspace id (lower-case letters, digits, "
                         "- and _, up to 64)", value=workspace_id[:70])
    return workspace_id


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _user(row) -> User:
    return User(row.user_id, row.email, row.name, row.locale)


# --- workspaces -------------------------------------------------------------------------------------

def ensure_workspace(conn: Connection, workspace_id: str, name: str) -> None:
    insert_ignore(conn, workspaces, {"workspace_id": check_workspace_id(workspace_id), "name": name.strip() or
                                     workspace_id, "created_at": now()})


def workspace_names(conn: Connection, ids: list[str]) -> dict[str, str]:
    rows = conn.execute(select(workspaces.c.workspace_id, workspaces.c.name).where(workspaces.c.workspace_id.in_(ids)))
    return {r.workspace_id: r.name for r in rows}


def rename_workspace(conn: Connection, workspace_id: str, name: str) -> None:
    conn.execute(update(workspaces).where(workspaces.c.workspace_id == workspace_id).values(name=name))


# --- users ------------------------------------------------------------------------------------------

def create_user(conn: Connection, email: str, password: str, name: str) -> str:
    email = normal_email(email)
    check_password(password)
    if conn.execute(select(users.c.user_id).where(users.c.email == email)).first():
        raise InboxError("user_exists", f"a user with the e-mail {email} exists", email=email)
    user_id = uuid.uuid4().hex
    conn.execute(users.insert().values(user_id=user_id, email=email, name=name.strip() or email.split("@")[0],
                                       password_hash=hash_password(password), created_at=now()))
    return user_id


def user_by_email(conn: Connection, email: str) -> User | None:
    row = conn.execute(select(users).where(users.c.email == email.strip().lower())).first()
    return _user(row) if row else None


def user_by_id(conn: Connection, user_id: str) -> User | None:
    row = conn.execute(select(users).where(users.c.user_id == user_id)).first()
    return _user(row) if row else None


def authenticate(conn: Connection, email: str, password: str) -> User | None:
    """The user if the password is right; None otherwise (the same for an unknown e-mail)."""
    row = conn.execute(select(users).where(users.c.email == email.strip().lower())).first()
    if row is None:
        _hasher.hash(password)  # about the same time as a check, so timing does not tell which e-mails exist
        return None
    try:
        _hasher.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        conn.execute(update(users).where(users.c.user_id == row.user_id).values(password_hash=hash_password(password)))
    return _user(row)


def set_password(conn: Connection, user_id: str, password: str) -> None:
    check_password(password)
    conn.execute(update(users).where(users.c.user_id == user_id).values(password_hash=hash_password(password)))


def set_locale(conn: Connection, user_id: str, locale: str | None) -> None:
    conn.execute(update(users).where(users.c.user_id == user_id).values(locale=locale))


def all_users(conn: Connection) -> list[tuple[User, dict[str, str]]]:
    roles: dict[str, dict[str, str]] = {}
    for r in conn.execute(select(memberships)):
        roles.setdefault(r.user_id, {})[r.workspace_id] = r.role
    return [(_user(r), roles.get(r.user_id, {})) for r in conn.execute(select(users).order_by(users.c.email))]


# --- memberships ------------------------------------------------------------------------------------

def set_role(conn: Connection, user_id: str, workspace_id: str, role: Role | str) -> None:
    upsert(conn, memberships, {"user_id": user_id, "workspace_id": workspace_id, "role": Role(role).value},
           ["user_id", "workspace_id"])


def remove_member(conn: Connection, user_id: str, workspace_id: str) -> None:
    conn.execute(delete(memberships).where(memberships.c.user_id == user_id,
                                           memberships.c.workspace_id == workspace_id))


def roles_of(conn: Connection, user_id: str) -> dict[str, str]:
    """The user's workspaces and role in each."""
    rows = conn.execute(select(memberships.c.workspace_id, memberships.c.role).where(memberships.c.user_id == user_id))
    return {r.workspace_id: r.role for r in rows}


def members_of(conn: Connection, workspace_id: str) -> list[tuple[User, str]]:
    rows = conn.execute(select(users, memberships.c.role).join(memberships, memberships.c.user_id == users.c.user_id)
                        .where(memberships.c.workspace_id == workspace_id).order_by(users.c.name))
    return [(_user(r), r.role) for r in rows]


def member_names(conn: Connection, workspace_ids: list[str]) -> dict[str, str]:
    """User id -> name of everyone in these workspaces (one query)."""
    rows = conn.execute(select(users.c.user_id, users.c.name).join(memberships, memberships.c.user_id == users.c.user_id)
                        .where(memberships.c.workspace_id.in_(workspace_ids)).distinct())
    return {r.user_id: r.name for r in rows}


def admins_left(conn: Connection, workspace_id: str, without: str) -> int:
    return len([1 for u, role in members_of(conn, workspace_id) if role == Role.ADMIN and u.user_id != without])


# --- canned replies ---------------------------------------------------------------------------------

def canned_for(conn: Connection, workspace_ids: list[str]) -> list[dict]:
    rows = conn.execute(select(canned_replies).where(canned_replies.c.workspace_id.in_(workspace_ids))
                        .order_by(canned_replies.c.title))
    return [dict(r._mapping) for r in rows]


def add_canned(conn: Connection, workspace_id: str, title: str, text: str) -> str:
    if not title.strip() or not text.strip():
        raise InboxError("canned_empty", "a canned reply needs a title and a text")
    canned_id = uuid.uuid4().hex
    conn.execute(canned_replies.insert().values(canned_id=canned_id, workspace_id=workspace_id,
                                                title=title.strip()[:200], text=text.strip()))
    return canned_id


def delete_canned(conn: Connection, workspace_id: str, canned_id: str) -> None:
    conn.execute(delete(canned_replies).where(canned_replies.c.canned_id == canned_id,
                                              canned_replies.c.workspace_id == workspace_id))


def create_tables(engine: Engine) -> None:
    from chorus.inbox.adapters.sessions import access

    people.create_all(engine)
    access.create_all(engine)
