"""The inbox's search: the newest conversations, within the caller's workspaces and filters, with a message
that has every word of the query (see ``search.py`` for words and lemmas).

The page comes straight off an index. Each search row carries its conversation's ``last_at`` (kept by a
trigger, ``projection/ddl.py``), so each of the caller's workspaces is walked newest first on
``ix_inbox_search_recent``: each row is tested against the query and its conversation against the filters,
and the walks are merged as they go until the page is full. A word in 1% of the messages fills a page of
three workspaces after about 1,500 rows of each; before, all of its ~10,000 matches in a million messages
were resolved to conversations and sorted to find the newest 50 (``bench/inbox.py``, ``docs/inbox.md``).

Each walk reads at most its share of ``WALK_ROWS``, and the page is complete unless a walk stopped there
before the page's last conversation (a count of the rows it should have read tells). Then the word is rare
among recent messages, or the filters reject most of them, and the page comes from the full-text index,
which is cheap exactly when matches are few:

- PostgreSQL reads the matches off the GIN index and sorts them. That scan is kept apart (``MATERIALIZED``)
  because the planner cannot tell a rare word from a common one when it is a prefix (search-as-you-type):
  it estimated 2% for a prefix that matched nothing and walked every conversation of the workspaces,
  0.5 to 5 seconds on a million. When filters beyond the status tab are set and the word was common in the
  walk, the filters are what is selective: then the planner gets the whole query and walks the filtered
  conversations.
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

#: Search rows one page may read newest first, over all of the caller's workspaces: a word in more than
#: about 0.5% of recent messages fills a page within them. A word just too rare for that costs the walk
#: plus the index's ~0.5% of the messages; at a million both are about 5 ms on PostgreSQL, and a larger or
#: smaller budget makes one of them dearer.
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
    """The rows a walk of a workspace may read: its ``budget`` newest older than ``before``, with the text.

    PostgreSQL takes them with LIMIT in a subquery, which also keeps the planner on the recency index (with
    a range instead it joined the GIN index, scanning every match of a prefix). SQLite takes them down to
    the last of them (``_budget_edge``): a plain range, so the walk reads the index in order and stops as
    soon as its page is full (it sorts the output of a LIMIT subquery, reading all of it, first).
    """
    s = search.c
    rows = _rows_of(workspace, before)
    if conn.dialect.name == "postgresql":
        return (select(s.last_at, s.conversation_id, literal_column("inbox_search.tsv").label("body")).where(*rows)
                .order_by(desc(s.last_at), desc(s.conversation_id)).limit(budget).subquery(name))
    edge = _budget_edge(conn, workspace, before, budget)
    if edge is not None:
        rows.append(tuple_(s.last_at, s.conversation_id) >= tuple_(*edge))
    return select(s.last_at, s.conversation_id, s.lemmas.label("body")).where(*rows).subquery(name)


def _budget_edge(conn: Connection, workspace: str, before: Cursor | None, budget: int) -> Cursor | None:
    """The last of the ``budget`` newest rows of a workspace older than ``before`` (None if it has fewer)."""
    s = search.c
    row = conn.execute(select(s.last_at, s.conversation_id).where(*_rows_of(workspace, before))
                       .order_by(desc(s.last_at), desc(s.conversation_id)).offset(budget - 1).limit(1)).first()
    return (row.last_at, row.conversation_id) if row else None


def _has_terms(conn: Connection, body, terms: list[str]) -> ColumnElement[bool]:
    if conn.dialect.name == "postgresql":
        return body.op("@@")(func.to_tsquery(literal_column("'simple'::regconfig"), fts.tsquery(terms)))
    padded = literal(" ").concat(body).concat(" ")
    return and_(*(func.instr(padded, needle) > 0 for needle in fts.lemma_needles(terms)))


def _walk(conn: Connection, workspaces: list[str], terms: list[str], where: list, before: Cursor | None,
          limit: int, budget: int) -> list[str] | None:
    """The page from each workspace's newest rows, or None when it cannot be proved complete."""
    c = conversations.c
    walks = []
    for n, workspace in enumerate(workspaces):
        rows = _newest(conn, workspace, before, budget, f"newest{n}")
        allowed = select(c.conversation_id).where(c.conversation_id == rows.c.conversation_id, *where).exists()
        walks.append(select(rows.c.last_at, rows.c.conversation_id)
                     .where(_has_terms(conn, rows.c.body, terms), allowed).distinct())
    if conn.dialect.name == "postgresql":  # it streams a DISTINCT only in an order it is given
        walks = [select(w.order_by(*_newest_first(w)).limit(limit).subquery(f"w{n}")) for n, w in enumerate(walks)]
    # The walks are merged as they go (PostgreSQL: Merge Append; SQLite: a compound ORDER BY), so each reads
    # only as far as the page needs: for three workspaces about a third of the rows of a full page each.
    merged = (union_all(*walks) if len(walks) > 1 else walks[0]).order_by(desc("last_at"), desc("conversation_id"))
    page = [(r.last_at, r.conversation_id) for r in conn.execute(merged.limit(limit))]
    # A walk may have stopped at its budget before the page's end; then rows that belong on the page may be
    # unread. It read them all if no more than ``budget`` of its workspace's rows are newer than the page's
    # last conversation (for a short page: than the cursor at all).
    end = page[-1] if len(page) == limit else None
    if any(n > budget for n in _rows_down_to(conn, workspaces, before, end, budget)):
        return None
    return [cid for _, cid in page]


def _newest_first(query) -> tuple:
    return desc(query.selected_columns.last_at), desc(query.selected_columns.conversation_id)


def _rows_down_to(conn: Connection, workspaces: list[str], before: Cursor | None, end: Cursor | None,
                  budget: int) -> tuple[int, ...]:
    """How many search rows of each workspace are older than ``before`` and newer than ``end`` (up to budget + 1)."""
    s = search.c
    counts = []
    for workspace in workspaces:
        where = _rows_of(workspace, before)
        if end is not None:
            where.append(tuple_(s.last_at, s.conversation_id) > tuple_(*end))
        rows = select(s.last_at).where(*where).limit(budget + 1).subquery()
        counts.append(select(func.count()).select_from(rows).scalar_subquery())
    return tuple(conn.execute(select(*counts)).one())


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
