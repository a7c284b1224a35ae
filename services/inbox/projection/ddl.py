"""Engine-specific parts of the read model: the full-text index (FTS5 on SQLite, GIN on PostgreSQL)."""
from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.engine import Connection

_SQLITE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS inbox_fts USING fts5(lemmas, content='inbox_search', "
    "content_rowid='search_id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER IF NOT EXISTS inbox_search_ai AFTER INSERT ON inbox_search BEGIN "
    "INSERT INTO inbox_fts(rowid, lemmas) VALUES (new.search_id, new.lemmas); END",
    "CREATE TRIGGER IF NOT EXISTS inbox_search_ad AFTER DELETE ON inbox_search BEGIN "
    "INSERT INTO inbox_fts(inbox_fts, rowid, lemmas) VALUES ('delete', old.search_id, old.lemmas); END",
    "CREATE TRIGGER IF NOT EXISTS inbox_search_au AFTER UPDATE ON inbox_search BEGIN "
    "INSERT INTO inbox_fts(inbox_fts, rowid, lemmas) VALUES ('delete', old.search_id, old.lemmas); "
    "INSERT INTO inbox_fts(rowid, lemmas) VALUES (new.search_id, new.lemmas); END",
)
_POSTGRES = (
    "CREATE INDEX IF NOT EXISTS ix_inbox_search_fts ON inbox_search USING gin (to_tsvector('simple', lemmas))",
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
