"""Engine-specific parts of the read model: the full-text index and the recency of search rows.

SQLite: an external-content FTS5 table over ``inbox_search`` (kept in step by triggers, which fire only when
the text or workspace changes) with two columns, the lemmas and the workspace id. PostgreSQL: a stored
generated ``tsvector`` column (``to_tsvector('simple', lemmas)``) with a GIN index, so matching rows are not
re-parsed on every query.

Both: ``inbox_search.last_at`` mirrors its conversation's ``last_at``. A trigger on ``inbox_conversations``
copies it whenever the projection's recompute sets it (at the end of every batch that touched the
conversation, so also right after a new search row was written), which makes it as deterministic as the
conversation row itself. ``ix_inbox_search_recent`` orders the rows of a workspace newest first for
``search_views.py``; on SQLite it also holds the lemmas, so that walk never reads the table (PostgreSQL
keeps them out: a btree entry may not exceed a third of a page, and a comment can be longer).
The price is on writes: new activity in a conversation rewrites the ``last_at`` of each of its search rows.

Tables created before ``last_at`` existed get the column, filled from the conversations, when the inbox starts.
"""
from __future__ import annotations

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import Connection

_SQLITE_FTS = ("CREATE VIRTUAL TABLE IF NOT EXISTS inbox_fts USING fts5(lemmas, workspace_id, content='inbox_search', "
               "content_rowid='search_id', tokenize='unicode61 remove_diacritics 0')")
_SQLITE_INSERTED = (
    "CREATE TRIGGER IF NOT EXISTS inbox_search_ai AFTER INSERT ON inbox_search BEGIN "
    "INSERT INTO inbox_fts(rowid, lemmas, workspace_id) VALUES (new.search_id, new.lemmas, new.workspace_id); END")
_SQLITE_DELETED = (
    "CREATE TRIGGER IF NOT EXISTS inbox_search_ad AFTER DELETE ON inbox_search BEGIN "
    "INSERT INTO inbox_fts(inbox_fts, rowid, lemmas, workspace_id) "
    "VALUES ('delete', old.search_id, old.lemmas, old.workspace_id); END")
# Only a change of the indexed columns re-indexes the row (not the last_at the recency trigger writes).
_SQLITE_UPDATED = (
    "CREATE TRIGGER inbox_search_au AFTER UPDATE OF lemmas, workspace_id ON inbox_search BEGIN "
    "INSERT INTO inbox_fts(inbox_fts, rowid, lemmas, workspace_id) "
    "VALUES ('delete', old.search_id, old.lemmas, old.workspace_id); "
    "INSERT INTO inbox_fts(rowid, lemmas, workspace_id) VALUES (new.search_id, new.lemmas, new.workspace_id); END")
_SQLITE = (
    _SQLITE_FTS, _SQLITE_INSERTED, _SQLITE_DELETED,
    "DROP TRIGGER IF EXISTS inbox_search_au", _SQLITE_UPDATED,  # replaces the one that fired on any column
    "CREATE INDEX IF NOT EXISTS ix_inbox_search_conv ON inbox_search (conversation_id)",
    "CREATE INDEX IF NOT EXISTS ix_inbox_search_recent ON inbox_search (workspace_id, last_at, conversation_id, lemmas)",
    ("CREATE TRIGGER IF NOT EXISTS inbox_conv_recency AFTER UPDATE OF last_at ON inbox_conversations BEGIN "
     "UPDATE inbox_search SET last_at = new.last_at "
     "WHERE conversation_id = new.conversation_id AND last_at IS NOT new.last_at; END"),
)
_POSTGRES = (
    ("ALTER TABLE inbox_search ADD COLUMN IF NOT EXISTS tsv tsvector "
     "GENERATED ALWAYS AS (to_tsvector('simple', lemmas)) STORED"),
    "CREATE INDEX IF NOT EXISTS ix_inbox_search_tsv ON inbox_search USING gin (tsv)",
    "CREATE INDEX IF NOT EXISTS ix_inbox_search_conv ON inbox_search (conversation_id)",
    "CREATE INDEX IF NOT EXISTS ix_inbox_search_recent ON inbox_search (workspace_id, last_at, conversation_id)",
    ("CREATE OR REPLACE FUNCTION inbox_search_follow_recency() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
     "UPDATE inbox_search SET last_at = NEW.last_at "
     "WHERE conversation_id = NEW.conversation_id AND last_at IS DISTINCT FROM NEW.last_at; "
     "RETURN NULL; END $$"),
    ("CREATE OR REPLACE TRIGGER inbox_conv_recency AFTER UPDATE OF last_at ON inbox_conversations "
     "FOR EACH ROW EXECUTE FUNCTION inbox_search_follow_recency()"),
)


def create_search_index(engine: Engine) -> None:
    with engine.begin() as conn:
        added = _add_recency(conn)
        for statement in (_POSTGRES if conn.dialect.name == "postgresql" else _SQLITE):
            conn.execute(text(statement))
        if added:  # after the triggers above, so filling the column does not re-index the text
            conn.execute(text("UPDATE inbox_search SET last_at = (SELECT c.last_at FROM inbox_conversations c "
                              "WHERE c.conversation_id = inbox_search.conversation_id)"))


def _add_recency(conn: Connection) -> bool:
    """Give a search table made before ``last_at`` existed the column (True if it was missing)."""
    if "last_at" in {c["name"] for c in inspect(conn).get_columns("inbox_search")}:
        return False
    kind = "timestamptz" if conn.dialect.name == "postgresql" else "DATETIME"
    conn.execute(text(f"ALTER TABLE inbox_search ADD COLUMN last_at {kind}"))
    return True


def reset_search_index(conn: Connection) -> None:
    """Empty the search table quickly (FTS5's delete-all, not a trigger per row)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("TRUNCATE inbox_search"))
        return
    conn.execute(text("INSERT INTO inbox_fts(inbox_fts) VALUES ('delete-all')"))
    conn.execute(text("DROP TRIGGER IF EXISTS inbox_search_ad"))
    conn.execute(text("DELETE FROM inbox_search"))
    conn.execute(text(_SQLITE_DELETED))
