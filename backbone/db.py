"""SQL engines for the read models: SQLite by default, PostgreSQL in production.

SQLite is opened in WAL mode with ``synchronous=NORMAL`` (a committed transaction survives a crash of the
process; only a power loss may lose the last few, which a replay of the log restores). Writers begin
with ``BEGIN IMMEDIATE`` so two processes writing the same file wait for each other instead of failing
with "database is locked" when a reader upgrades to a writer.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool


def make_engine(url: str, *, write: bool = True, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url, write=write, echo=echo)
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _sqlite_engine(url: str, *, write: bool, echo: bool) -> Engine:
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, connect_args={"timeout": 60, "check_same_thread": False},
                           poolclass=NullPool if path in ("", ":memory:") else None)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def insert_ignore(conn: Connection, table: Table, rows: dict[str, Any] | list[dict[str, Any]]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING on either engine (a list of rows runs as one executemany)."""
    if isinstance(rows, list) and not rows:
        return
    first = rows[0] if isinstance(rows, list) else rows
    conn.execute(_statement(conn.dialect.name, table, tuple(first), None), rows)


def upsert(conn: Connection, table: Table, row: dict[str, Any] | list[dict[str, Any]], keys: list[str]) -> None:
    """INSERT ... ON CONFLICT (keys) DO UPDATE SET the other columns, on either engine.

    Statements are built once per (engine kind, table, columns) and cached: building a SQLAlchemy insert
    costs far more than executing it, and projections call this for every event.
    """
    if isinstance(row, list) and not row:
        return
    first = row[0] if isinstance(row, list) else row
    conn.execute(_statement(conn.dialect.name, table, tuple(first), tuple(keys)), row)


@functools.lru_cache(maxsize=512)
def _statement(dialect_name: str, table: Table, columns: tuple[str, ...], keys: tuple[str, ...] | None):
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    if keys is None:
        return stmt.on_conflict_do_nothing()
    updates = {c: stmt.excluded[c] for c in columns if c not in keys}
    if not updates:
        return stmt.on_conflict_do_nothing(index_elements=list(keys))
    return stmt.on_conflict_do_update(index_elements=list(keys), set_=updates)


def ping(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


#: Bookkeeping tables shared by every projection in a database.
bookkeeping = MetaData()

positions = Table(
    "chorus_positions", bookkeeping,
    Column("projection", String(100), primary_key=True),
    Column("stream", String(100), primary_key=True),
    Column("position", BigInteger, nullable=False, default=0),
)

projection_state = Table(
    "chorus_projection_state", bookkeeping,
    Column("projection", String(100), primary_key=True),
    Column("rebuilding_since", DateTime(timezone=True), nullable=True),
    Column("rebuilt_at", DateTime(timezone=True), nullable=True),
    Column("owner", String(200), nullable=True),
    Column("owner_until", DateTime(timezone=True), nullable=True),
)

applied_events = Table(
    "chorus_applied", bookkeeping,
    Column("projection", String(100), primary_key=True),
    Column("event_id", String(128), primary_key=True),
)

replayed = Table(
    "chorus_replayed", bookkeeping,
    Column("projection", String(100), primary_key=True),
    Column("dead_letter_seq", BigInteger, primary_key=True, autoincrement=False),
)
