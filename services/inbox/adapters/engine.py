"""Per-connection settings for the inbox's SQL engines (the engines themselves come from the backbone).

- PostgreSQL: ``jit = off``. The inbox's queries are short index walks whose estimated cost on large tables
  crosses ``jit_above_cost``; compiling them took longer than running them (a 1M-conversation search went
  from 36 ms to 20 ms p50 with JIT off, see ``bench/inbox.py``).
- SQLite: a larger page cache and memory-mapped reads, so the random reads of a search over a large file
  do not go through a system call each.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event

SQLITE_CACHE_KIB = 65536
SQLITE_MMAP_BYTES = 256 * 1024 * 1024


def tune(engine: Engine) -> Engine:
    if getattr(engine, "_chorus_inbox_tuned", False):
        return engine
    postgres = engine.dialect.name == "postgresql"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        if postgres:
            autocommit = dbapi_conn.autocommit
            dbapi_conn.autocommit = True
            dbapi_conn.execute("SET jit = off")
            dbapi_conn.autocommit = autocommit
        else:
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
            cur.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
            cur.close()

    engine._chorus_inbox_tuned = True  # type: ignore[attr-defined]
    return engine
