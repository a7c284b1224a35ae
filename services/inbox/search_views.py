"""The inbox's search: the newest conversations, within the caller's workspaces and filters, with a message
that has every word of the query (see ``search.py`` for words and lemmas).

The page comes straight off an index. Each search row carries its conversation's ``last_at`` (kept by a
trigger, ``projection/ddl.py``), so the rows of each of the caller's workspaces are walked newest first on
``ix_inbox_search_recent``, each tested against the query and its conversation against the filters, until
a page is found or the walk has read its share of ``WALK_ROWS`` rows. A word in 1% of the messages is
found within a few thousand rows; before, all of its matches had to be resolved to conversations and
sorted before the newest 50 were known (1M conversations: 45 ms at p95 on PostgreSQL, see ``bench/inbox.py``).

The walk knows when its page is complete: a workspace whose walk stopped at its budget had its unread rows
older than the last row read, and if that row is older than the page's last conversation it cannot
change the page. Otherwise the word is rare among recent messages (or the filters reject most of them),
and the page is taken from the full-text index instead, which is cheap exactly when matches are few:

- PostgreSQL reads the matches off the GIN index and sorts them. The GIN scan is kept apart
  (``MATERIALIZED``) because the planner cannot tell a rare word from a common one when it is a prefix
  (search-as-you-type): it estimated 2% for a prefix that matched nothing and walked every conversation
  of the workspaces, 5 seconds on a million. When filters beyond the status tab are set and the word was
  common in the walk, it is the filters that are selective: then the planner gets the whole query and
  walks the filtered conversations.
- SQLite resolves the FTS5 match set (FTS5 is always driven by its MATCH, so no estimate can go wrong).

Simplification: the budget is split evenly between workspaces (at least ``MIN_WALK_ROWS`` each), so a
caller of many workspaces whose matches all sit in one of them falls back to the index more often.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, desc, func, literal, literal_column, select, text, tuple_, union_all
from sqlalchemy.engine import Connection

from chorus.inbox import search as fts
from chorus.inbox.projection.tables import conversations, search

#: Search rows one page may read newest first, over all of the caller's workspaces; a word found in more
#: than about 0.5% of recent messages fills a page within it.
WALK_ROWS = 12_000
MIN_WALK_ROWS = 1_000

Cursor = tuple[datetime, str]  # (last_at, conversation_id): the inbox order, newest first


def matching(conn: Connection, workspaces: list[str], terms: list[str]) -> ColumnElement[bool]:
    """A condition on ``inbox_conversations``: a message of the conversation has every term."""
    c = conversations.c
    if conn.dialect.name == "postgresql":
        matched = text("SELECT conversation_id FROM inbox_search WHERE workspace_id = ANY(:ws) AND "
                       "tsv @@ to_tsquery('simple', :q)").bindparams(
            ws=workspaces, q=fts.tsquery(terms)).columns(c.conversation_id)
        return c.conversation_id.in_(matched)
    rowids = text("SELECT rowid FROM inbox_fts WHERE inbox_fts MATCH :q").bindparams(
        q=fts.fts5_scoped(terms, workspaces)).columns(search.c.search_id)
    return c.conversation_id.in_(select(search.c.conversation_id).where(
        search.c.search_id.in_(rowids), search.c.workspace_id.in_(workspaces)))


def newest_matching(conn: Connection, workspaces: list[str], terms: list[str], where: list, before: Cursor | None,
                    limit: int, *, narrowed: bool) -> list[str]:
    """Ids of the ``limit`` newest conversations of ``workspaces`` that meet ``where`` (conditions on
    ``inbox_conversations``: the filters and the cursor) and have a message with every term.

    ``before``: the cursor again, as (last_at, conversation_id), to start the walk at. ``narrowed``: filters
    other than the status tab are set (they may reject most matches).
    """
    budget = max(MIN_WALK_ROWS, WALK_ROWS // len(workspaces))
    page = _walk(conn, workspaces, terms, where, before, limit, budget)
    if page is not None:
        return page
    if conn.dialect.name != "postgresql" or (narrowed and _common(conn, workspaces, terms, before, budget, limit)):
        return _planned(conn, workspaces, terms, where, limit)
    return _from_gin(conn, workspaces, terms, where, before, limit)


def _rows_of(workspace: str, before: Cursor | None) -> list:
    """The search rows of a workspace that a walk starting at ``before`` reads, on the recency index."""
    s = search.c
    where = [s.workspace_id == workspace, s.last_at.is_not(None)]
    if before is not None:
        where.append(tuple_(s.last_at, s.conversation_id) < tuple_(*before))
    return where


def _newest(conn: Connection, workspace: str, before: Cursor | None, budget: int, name: str):
    """The ``budget`` newest search rows of a workspace (older than ``before``), with what the match reads."""
    s = search.c
    text_column = literal_column("inbox_search.tsv") if conn.dialect.name == "postgresql" else s.lemmas
    return (select(s.last_at, s.conversation_id, text_column.label("body")).where(*_rows_of(workspace, before))
            .order_by(desc(s.last_at), desc(s.conversation_id)).limit(budget).subquery(name))


def _has_terms(conn: Connection, body, terms: list[str]) -> ColumnElement[bool]:
    if conn.dialect.name == "postgresql":
        return body.op("@@")(func.to_tsquery(literal_column("'simple'::regconfig"), fts.tsquery(terms)))
    padded = literal(" ").concat(body).concat(" ")
    return and_(*(func.instr(padded, needle) > 0 for needle in fts.lemma_needles(terms)))


def _walk(conn: Connection, workspaces: list[str], terms: list[str], where: list, before: Cursor | None,
          limit: int, budget: int) -> list[str] | None:
    """The page from each workspace's newest rows, or None when it cannot be proved complete."""
    c = conversations.c
    branches = []
    for n, workspace in enumerate(workspaces):
        rows = _newest(conn, workspace, before, budget, f"newest{n}")
        allowed = select(c.conversation_id).where(c.conversation_id == rows.c.conversation_id, *where).exists()
        page = (select(rows.c.last_at, rows.c.conversation_id).where(_has_terms(conn, rows.c.body, terms), allowed)
                .distinct().order_by(desc(rows.c.last_at), desc(rows.c.conversation_id)).limit(limit).subquery(f"w{n}"))
        branches.append(select(page, literal(n).label("n")))
    found: dict[str, list[Cursor]] = {w: [] for w in workspaces}
    for r in conn.execute(union_all(*branches) if len(branches) > 1 else branches[0]):
        found[workspaces[r.n]].append((r.last_at, r.conversation_id))
    page = sorted((key for keys in found.values() for key in keys), reverse=True)[:limit]
    last = page[-1] if len(page) == limit else None
    for workspace, keys in found.items():
        # A workspace that found a full page, or whose oldest find is at or past the page's end, read
        # every row that could be on the page. Otherwise: did its walk end at the budget, and where?
        if len(keys) == limit or (last is not None and keys and min(keys) <= last):
            continue
        edge = _budget_edge(conn, workspace, before, budget)
        if edge is not None and (last is None or edge > last):
            return None
    return [cid for _, cid in page]


def _budget_edge(conn: Connection, workspace: str, before: Cursor | None, budget: int) -> Cursor | None:
    """The last row a walk of ``budget`` rows reads, or None when the workspace has fewer rows."""
    s = search.c
    row = conn.execute(select(s.last_at, s.conversation_id).where(*_rows_of(workspace, before))
                       .order_by(desc(s.last_at), desc(s.conversation_id)).offset(budget - 1).limit(1)).first()
    return (row.last_at, row.conversation_id) if row else None


def _common(conn: Connection, workspaces: list[str], terms: list[str], before: Cursor | None, budget: int,
            limit: int) -> bool:
    """Whether the walk's rows, unfiltered, hold at least a page of matches (so the filters are selective)."""
    counts = []
    for n, workspace in enumerate(workspaces):
        rows = _newest(conn, workspace, before, budget, f"newest{n}")
        counts.append(select(func.count()).where(_has_terms(conn, rows.c.body, terms)).scalar_subquery())
    return sum(conn.execute(select(*counts)).one()) >= limit


def _planned(conn: Connection, workspaces: list[str], terms: list[str], where: list, limit: int) -> list[str]:
    """The whole query as one statement: the database chooses how (SQLite: from the FTS5 matches)."""
    c = conversations.c
    conditions = [c.workspace_id.in_(workspaces), *where, matching(conn, workspaces, terms)]
    return list(conn.execute(select(c.conversation_id).where(*conditions)
                             .order_by(desc(c.last_at), desc(c.conversation_id)).limit(limit)).scalars())


def _from_gin(conn: Connection, workspaces: list[str], terms: list[str], where: list, before: Cursor | None,
              limit: int) -> list[str]:
    """PostgreSQL: every match off the GIN index, newest first, then the filters until a page is full."""
    s, c = search.c, conversations.c
    conditions = [s.workspace_id.in_(workspaces), s.last_at.is_not(None),
                  text("tsv @@ to_tsquery('simple', :q)").bindparams(q=fts.tsquery(terms))]
    if before is not None:
        conditions.append(tuple_(s.last_at, s.conversation_id) < tuple_(*before))
    matched = (select(s.conversation_id, s.last_at).where(*conditions).distinct().cte("matched")
               .prefix_with("MATERIALIZED"))
    allowed = select(c.conversation_id).where(c.conversation_id == matched.c.conversation_id, *where).exists()
    return list(conn.execute(select(matched.c.conversation_id).where(allowed)
                             .order_by(desc(matched.c.last_at), desc(matched.c.conversation_id)).limit(limit)).scalars())
