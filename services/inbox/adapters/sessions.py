"""Sessions, API tokens and login throttling, stored in the inbox's own tables.

A session is a random 32-byte id kept server-side (by its SHA-256, so a leaked table opens no session);
the browser holds it in a cookie signed with the inbox's secret (itsdangerous), so a tampered cookie is
refused before any lookup. Each session has its own CSRF token. Logging out deletes the row.

Throttling counts failed logins per e-mail and per client address in a sliding window: after
``ACCOUNT_LIMIT`` failures for one e-mail (or ``IP_LIMIT`` from one address) in ``WINDOW``, logins are
refused until the oldest failure leaves the window, and the page says how long to wait.
"""
from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.engine import Connection

from chorus.inbox.adapters.people import User, user_by_id, users

access = MetaData()
TZ = DateTime(timezone=True)

sessions = Table(
    "inbox_sessions", access,
    Column("session_hash", String(64), primary_key=True),
    Column("user_id", String(40), ForeignKey(users.c.user_id, ondelete="CASCADE"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", TZ, nullable=False),
    Column("expires_at", TZ, nullable=False),
)
api_tokens = Table(
    "inbox_api_tokens", access,
    Column("token_hash", String(64), primary_key=True),
    Column("token_id", String(40), nullable=False, unique=True),
    Column("user_id", String(40), ForeignKey(users.c.user_id, ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("created_at", TZ, nullable=False),
    Column("last_used_at", TZ),
)
login_failures = Table(
    "inbox_login_failures", access,
    Column("failure_id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(400), nullable=False),
    Column("at", TZ, nullable=False),
    Index("ix_inbox_login_failures_key", "key", "at"),
)

SESSION_DAYS = 14
WINDOW = timedelta(minutes=15)
ACCOUNT_LIMIT = 5
IP_LIMIT = 20
TOKEN_PREFIX = "chorus_"


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str


def open_session(conn: Connection, user_id: str, at: datetime) -> str:
    """A new session for the user; returns its id (to be signed into the cookie)."""
    session_id = secrets.token_urlsafe(32)
    conn.execute(sessions.insert().values(session_hash=_hash(session_id), user_id=user_id,
                                          csrf=secrets.token_urlsafe(32), created_at=at,
                                          expires_at=at + timedelta(days=SESSION_DAYS)))
    conn.execute(delete(sessions).where(sessions.c.expires_at < at))
    return session_id


def find_session(conn: Connection, session_id: str, at: datetime) -> Session | None:
    row = conn.execute(select(sessions).where(sessions.c.session_hash == _hash(session_id))).first()
    if row is None or _utc(row.expires_at) < at:
        return None
    user = user_by_id(conn, row.user_id)
    return Session(user, row.csrf) if user else None


def close_session(conn: Connection, session_id: str) -> None:
    conn.execute(delete(sessions).where(sessions.c.session_hash == _hash(session_id)))


def create_token(conn: Connection, user_id: str, name: str, at: datetime) -> str:
    """A new API token; the clear value is returned once and only its hash is stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    conn.execute(api_tokens.insert().values(token_hash=_hash(token), token_id=uuid.uuid4().hex[:12], user_id=user_id,
                                            name=name or "api", created_at=at))
    return token


def user_for_token(conn: Connection, token: str, at: datetime) -> User | None:
    row = conn.execute(select(api_tokens.c.user_id).where(api_tokens.c.token_hash == _hash(token))).first()
    if row is None:
        return None
    conn.execute(update(api_tokens).where(api_tokens.c.token_hash == _hash(token)).values(last_used_at=at))
    return user_by_id(conn, row.user_id)


def throttle_keys(email: str, ip: str) -> tuple[str, str]:
    return f"email:{email.strip().lower()}", f"ip:{ip}"


def retry_after(conn: Connection, email: str, ip: str, at: datetime) -> int:
    """Seconds until a login may be tried again for this e-mail and address; 0 when allowed now."""
    wait = 0.0
    for key, limit in zip(throttle_keys(email, ip), (ACCOUNT_LIMIT, IP_LIMIT), strict=True):
        rows = conn.execute(select(login_failures.c.at).where(login_failures.c.key == key,
                                                              login_failures.c.at > at - WINDOW)
                            .order_by(login_failures.c.at.desc()).limit(limit)).all()
        if len(rows) >= limit:
            oldest = _utc(rows[-1].at)
            wait = max(wait, (oldest + WINDOW - at).total_seconds())
    return max(0, int(wait + 0.999))


def record_failure(conn: Connection, email: str, ip: str, at: datetime) -> None:
    conn.execute(login_failures.insert(), [{"key": k, "at": at} for k in throttle_keys(email, ip)])
    conn.execute(delete(login_failures).where(login_failures.c.at < at - WINDOW))


def clear_failures(conn: Connection, email: str) -> None:
    conn.execute(delete(login_failures).where(login_failures.c.key == throttle_keys(email, "")[0]))


def count_sessions(conn: Connection, user_id: str) -> int:
    return conn.execute(select(func.count()).select_from(sessions).where(sessions.c.user_id == user_id)).scalar_one()
