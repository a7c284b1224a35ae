"""Engine-specific parts of the read model: the full-text index (FTS5 on SQLite, GIN on PostgreSQL).

SQLite: an external-content FTS5 table over ``inbox_search`` (kept in step by triggers) with two columns,
the lemmas and the workspace id, so a search is narrowed to the caller's workspaces inside the index.
PostgreSQL: a stored generated ``tsvector`` column (``to_tsvector('simple', lemmas)``) with a GIN index, so
matching rows are not re-parsed on every query.
"""
from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.engine import Connection

_SQLITE = (
    ("CREATE VIRTUAL TABLE IF NOT EXISTS inbox_fts USING fts5(lemmas, workspace_id, content='inbox_search', "
     "content_rowid='search_id', tokenize='unicode61 remove_diacritics 0')"),
    ("CREATE TRIGGER IF NOT EXISTS inbox_search_ai AFTER INSERT ON inbox_search BEGIN "
     "INSERT INTO inbox_fts(rowid, lemmas, workspace_id) VALUES (new.search_id, new.lemmas, new.workspace_id); END"),
    ("CREATE TRIGGER IF NOT EXISTS inbox_search_ad AFTER DELETE ON inbox_search BEGIN "
     "INSERT INTO inbox_fts(inbox_fts, rowid, lemmas, workspace_id) "
     "VALUES ('delete', old.search_id, old.lemmas, old.workspace_id); END"),
    ("CREATE TRIGGER IF NOT EXISTS inbox_search_au AFTER UPDATE ON inbox_search BEGIN "
     "INSERT INTO inbox_fts(inbox_fts, rowid, lemmas, workspace_id) "
     "VALUES ('delete', old.search_id, old.lemmas, old.workspace_id); "
     "INSERT INTO inbox_fts(rowid, lemmas, workspace_id) VALUES (new.search_id, new.lemmas, new.workspace_id); END"),
)
_POSTGRES = (
    ("ALTER TABLE inbox_search ADD COLUMN IF NOT EXISTS tsv tsvector "
     "GENERATED ALWAYS AS (to_tsvector('simple', lemmas)) STORED"),
    "CREATE INDEX IF NOT EXISTS ix_inbox_search_tsv ON inbox_search USING gin (tsv)",
    "CREATE INDEX IF NOT EXISTS ix_inbox_search_conv ON inbox_search (conversation_id)",
)


def create_search_index(engine: Engine) -> None:
    with engine.begin() as conn:
        for statement in (_POSTGRES if conn.dialect.name == "postgresql" else _SQLITE):
            conn.execute(text(statement))


def reset_search_index(conn: Connection) -> None:
    """Empty the search table quickly (FTS5's delete-all, not a trigger per row)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("TRUNCATE inbox_search"))
        return
    conn.execute(text("INSERT INTO inbox_fts(inbox_fts) VALUES ('delete-all')"))
    conn.execute(text("DROP TRIGGER IF EXISTS inbox_search_ad"))
    conn.execute(text("DELETE FROM inbox_search"))
    conn.execute(text(_SQLITE[2]))
