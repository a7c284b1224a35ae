"""The inbox's search on SQLite and PostgreSQL: word forms, newest activity first, pages, workspaces.

Every result is checked against an oracle computed in Python from the events (which conversations have a
message with all the words, ordered by the conversation's last activity), with the walk's budget at its
default and shrunk until every search falls back to the full-text index, so both ways to a page are held
to the same answer.
"""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from chorus.backbone.db import make_engine
from chorus.events import (
    Author,
    CommentReceived,
    ConversationClosed,
    ConversationReopened,
    ConversationTagged,
    DirectMessageReceived,
)
from chorus.inbox import search, search_views, views
from chorus.inbox.domain import conversation_id
from chorus.inbox.projection import ddl
from chorus.inbox.projection.inbox import InboxProjection
from chorus.inbox.projection.tables import conversations
from chorus.inbox.projection.tables import search as search_rows
from chorus.inbox.views import Filters, Scope

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
WORDS = ["доставка", "доставку", "доставкой", "доставки", "отзыв", "отзывы", "отзывом", "refund", "refunds",
         "refunded", "coffee", "кофе", "курьер", "курьера", "ждём", "please", "today", "спасибо", "вопрос", "why"]
ACCOUNTS = {"acme": ("vk-a", "tg-a"), "globex": ("vk-g", "tg-g"), "initech": ("vk-i", "tg-i")}


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def comment(workspace: str, post: str, n: int, text: str, minutes: float) -> CommentReceived:
    return CommentReceived(workspace_id=workspace, account_id=ACCOUNTS[workspace][0], network="vk",
                           comment_id=f"{post}-{n}", post_id=post, author=Author(id=str(n), name="Мария"),
                           text=text, created_at=at(minutes))


def message(workspace: str, dialogue: str, n: int, text: str, minutes: float) -> DirectMessageReceived:
    return DirectMessageReceived(workspace_id=workspace, account_id=ACCOUNTS[workspace][1], network="telegram",
                                 message_id=f"{dialogue}-{n}", dialogue_id=dialogue,
                                 author=Author(id=str(n), name="Olga"), text=text, created_at=at(minutes))


def history(seed: int = 11) -> tuple[list, dict[str, list[str]]]:
    """Sixty conversations in three workspaces, some closed, one reopened; and each one's texts."""
    rng = random.Random(seed)
    events, texts = [], {}
    for i in range(60):
        workspace = ("acme", "globex", "initech")[i % 3]
        dm = i % 4 == 0
        thread = f"t{i}"
        cid = conversation_id(ACCOUNTS[workspace][1 if dm else 0], "message" if dm else "comment", thread)
        last = 0.0
        for n in range(rng.randint(1, 3)):
            words = rng.sample(WORDS, 3)
            body = " ".join(words).capitalize() + rng.choice(["?", "!", "."])
            last = rng.uniform(0, 900)
            events.append((message if dm else comment)(workspace, thread, n, body, last))
            texts.setdefault(cid, []).append(body)
        if rng.random() < 0.25:  # a close is activity too: it moves the conversation up
            events.append(ConversationClosed(workspace_id=workspace, conversation_id=cid, closed_by="u1",
                                             occurred_at=at(last + rng.uniform(1, 300))))
    events.sort(key=lambda e: getattr(e, "created_at", None) or e.occurred_at)
    closed = next(e for e in events if isinstance(e, ConversationClosed))
    events.append(ConversationReopened(workspace_id=closed.workspace_id, conversation_id=closed.conversation_id,
                                       reopened_by="u1", occurred_at=at(2000)))
    return events, texts


@pytest.fixture
def inbox(db_url):
    engine = make_engine(db_url)
    projection = InboxProjection()
    projection.create_tables(engine)
    events, texts = history()
    with engine.begin() as conn:
        for start in range(0, len(events), 17):  # in batches, as a runner applies them
            projection.apply_many(conn, events[start:start + 17])
    yield engine, texts
    engine.dispose()


def listed(engine, scope: Scope, limit: int = 50, **filters) -> list[str]:
    with engine.connect() as conn:
        rows, _ = views.list_conversations(conn, scope, Filters(**filters), limit=limit)
    return [r["conversation_id"] for r in rows]


def all_pages(engine, scope: Scope, limit: int, **filters) -> list[str]:
    seen, cursor = [], None
    while True:
        with engine.connect() as conn:
            rows, cursor = views.list_conversations(conn, scope, Filters(**filters, before=cursor), limit=limit)
        seen += [r["conversation_id"] for r in rows]
        if cursor is None:
            return seen


def oracle(engine, texts: dict[str, list[str]], scope: Scope, q: str, status: str = "open",
           network: str | None = None) -> list[str]:
    """Conversations of the scope with one message holding every word of ``q``, newest activity first."""
    needles = search.lemma_needles(search.query_terms(q))
    c = conversations.c
    with engine.connect() as conn:
        rows = conn.execute(select(c.conversation_id, c.last_at, c.status, c.network)
                            .where(c.workspace_id.in_(scope.workspaces))).all()
    found = [r for r in rows if (status == "all" or r.status == status) and (network is None or r.network == network)
             and any(all(n in f" {search.lemmatise(t)} " for n in needles) for t in texts[r.conversation_id])]
    return [r.conversation_id for r in sorted(found, key=lambda r: (r.last_at, r.conversation_id), reverse=True)]


TWO = Scope("u1", {"acme": "manager", "initech": "viewer"})
QUERIES = ["доставкой", "отзывов", "refunds", "курьер ждём", "достав", "кофе спасибо", "why", "zzzq"]


@pytest.fixture(params=["walk", "short walk", "index"])
def budget(request, monkeypatch):
    """The walk's default budget; one that stops some walks early (so whether a page is complete depends on
    where they stopped); one so small that every page comes from the full-text index."""
    used = {"walk": 0, "index": 0}
    walk = search_views._walk

    def counted_walk(*args, **kwargs):
        page = walk(*args, **kwargs)
        used["walk" if page is not None else "index"] += 1
        return page

    monkeypatch.setattr(search_views, "_walk", counted_walk)
    rows = {"walk": None, "short walk": 12, "index": 2}[request.param]
    if rows is not None:
        monkeypatch.setattr(search_views, "WALK_ROWS", rows)
        monkeypatch.setattr(search_views, "MIN_WALK_ROWS", 1)
    return request.param, used


def test_russian_and_english_word_forms_find_each_other(inbox):
    engine, _ = inbox
    with engine.begin() as conn:
        InboxProjection().apply_many(conn, [comment("acme", "forms", 1, "Где моя доставка? Оставлю отзыв", 5000),
                                            message("acme", "forms-dm", 1, "Refunds, please", 5001)])
    post, dm = conversation_id("vk-a", "comment", "forms"), conversation_id("tg-a", "message", "forms-dm")
    assert listed(engine, TWO, q="доставкой отзывом")[0] == post
    assert listed(engine, TWO, q="ДОСТАВКИ")[0] == post
    assert listed(engine, TWO, q="отзывы дост")[0] == post  # the last word is a prefix
    assert listed(engine, TWO, q="refunded")[0] == dm
    assert listed(engine, TWO, q="please refund")[0] == dm
    assert post not in listed(engine, TWO, q="доставка refund", status="all")  # all words in one message


@pytest.mark.parametrize("q", QUERIES)
def test_search_pages_match_the_oracle_newest_first(inbox, budget, q):
    engine, texts = inbox
    for status in ("all", "open", "closed"):
        assert all_pages(engine, TWO, 4, q=q, status=status) == oracle(engine, texts, TWO, q, status)
    assert all_pages(engine, TWO, 3, q=q, status="all", network="telegram") == \
        oracle(engine, texts, TWO, q, "all", network="telegram")


def test_both_ways_to_a_page_are_taken(inbox, budget):
    engine, _ = inbox
    kind, used = budget
    for q in QUERIES:
        listed(engine, TWO, limit=3, q=q, status="all")
    if kind == "index":
        assert used["walk"] == 0 and used["index"] == len(QUERIES)
    else:
        assert used["walk"] > 0  # common words are found by the walk
        assert used["index"] > 0 or kind == "walk"


def test_a_search_never_shows_another_workspaces_conversations(inbox, budget):
    engine, texts = inbox
    mine, theirs = Scope("u1", {"acme": "manager"}), Scope("u2", {"globex": "manager"})
    acme = {cid for cid, in _ids(engine, "acme")}
    globex = {cid for cid, in _ids(engine, "globex")}
    for q in QUERIES:
        ours, others = listed(engine, mine, q=q, status="all"), listed(engine, theirs, q=q, status="all")
        assert set(ours) <= acme and set(others) <= globex
        assert ours == oracle(engine, texts, mine, q, "all") and others == oracle(engine, texts, theirs, q, "all")
        assert listed(engine, mine, q=q, status="all", workspace="globex") == []


def _ids(engine, workspace: str):
    with engine.connect() as conn:
        return conn.execute(select(conversations.c.conversation_id)
                            .where(conversations.c.workspace_id == workspace)).all()


def test_new_activity_moves_a_match_up_and_search_rows_follow_it(inbox):
    engine, _ = inbox
    older, newer = conversation_id("vk-a", "comment", "old"), conversation_id("vk-a", "comment", "new")
    projection = InboxProjection()
    with engine.begin() as conn:
        projection.apply_many(conn, [comment("acme", "old", 1, "Курьер потерял посылку", 3000),
                                     comment("acme", "new", 1, "Курьера всё нет", 3001)])
    assert listed(engine, TWO, q="курьером", status="all")[:2] == [newer, older]
    with engine.begin() as conn:  # a reply-less "thanks" in the old thread: its match is old, its activity new
        projection.apply_many(conn, [comment("acme", "old", 2, "Спасибо", 3002)])
    assert listed(engine, TWO, q="курьером", status="all")[:2] == [older, newer]
    with engine.begin() as conn:
        projection.apply_many(conn, [ConversationClosed(workspace_id="acme", conversation_id=newer, closed_by="u1",
                                                        occurred_at=at(3003))])
    assert listed(engine, TWO, q="курьером", status="all")[:2] == [newer, older]
    assert listed(engine, TWO, q="курьером")[0] == older  # the open tab no longer shows the closed one
    with engine.connect() as conn:
        stale = conn.execute(select(search_rows.c.message_key).select_from(search_rows.join(
            conversations, conversations.c.conversation_id == search_rows.c.conversation_id)).where(
            search_rows.c.last_at.is_distinct_from(conversations.c.last_at))).all()
    assert stale == []


def test_a_search_table_from_before_recency_is_upgraded(db_url):
    engine = make_engine(db_url)
    projection = InboxProjection()
    projection.create_tables(engine)
    post = conversation_id("vk-a", "comment", "p")
    with engine.begin() as conn:
        projection.apply_many(conn, [comment("acme", "p", 1, "Где доставка?", 10)])
        sqlite = conn.dialect.name == "sqlite"
        ddl.reset_search_index(conn)
        conn.execute(text("DROP TABLE inbox_search" + ("" if sqlite else " CASCADE")))
        conn.execute(text("DROP TRIGGER IF EXISTS inbox_conv_recency" + ("" if sqlite else " ON inbox_conversations")))
        conn.execute(text("CREATE TABLE inbox_search (search_id BIGINT NOT NULL PRIMARY KEY, message_key "
                          "VARCHAR(200) NOT NULL UNIQUE, conversation_id VARCHAR(40) NOT NULL, workspace_id "
                          "VARCHAR(64) NOT NULL, lemmas TEXT NOT NULL)"))
        if sqlite:  # the text was re-indexed on any update then
            conn.execute(text("CREATE TRIGGER inbox_search_au AFTER UPDATE ON inbox_search BEGIN "
                              "INSERT INTO inbox_fts(inbox_fts, rowid, lemmas, workspace_id) "
                              "VALUES ('delete', old.search_id, old.lemmas, old.workspace_id); "
                              "INSERT INTO inbox_fts(rowid, lemmas, workspace_id) "
                              "VALUES (new.search_id, new.lemmas, new.workspace_id); END"))
        conn.execute(text("INSERT INTO inbox_search VALUES (1, 'vk-a:comment:p-1', :cid, 'acme', 'где доставка')"),
                     {"cid": post})
        if sqlite:
            conn.execute(text("INSERT INTO inbox_fts(inbox_fts) VALUES ('rebuild')"))
    projection.create_tables(engine)  # as the inbox does when it starts
    acme = Scope("u1", {"acme": "manager"})
    assert listed(engine, acme, q="доставку") == [post]
    with engine.begin() as conn:
        projection.apply_many(conn, [comment("acme", "p", 2, "Уже неделю", 20)])
        if sqlite:
            au = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'inbox_search_au'")).scalar()
            assert "UPDATE OF lemmas" in au
    with engine.connect() as conn:
        recency = set(conn.execute(select(search_rows.c.last_at)).scalars())
        assert recency == {conn.execute(select(conversations.c.last_at)).scalar()} and len(recency) == 1
    assert listed(engine, acme, q="неделя доставка") == [] and listed(engine, acme, q="недели") == [post]
    engine.dispose()


def test_the_unsearched_list_of_several_workspaces_pages_newest_first(inbox):
    """Without a query, each workspace's newest are merged into one page: every page in order, no repeats."""
    engine, _ = inbox
    c = conversations.c
    with engine.connect() as conn:
        rows = conn.execute(select(c.conversation_id, c.last_at).where(c.workspace_id.in_(TWO.workspaces),
                                                                       c.status == "open")).all()
    expected = [r.conversation_id for r in sorted(rows, key=lambda r: (r.last_at, r.conversation_id), reverse=True)]
    assert len(expected) > 14
    assert all_pages(engine, TWO, limit=7) == expected


def test_the_tag_filter_lists_each_tag_of_the_callers_workspaces_once(inbox):
    engine, _ = inbox
    c = conversations.c
    with engine.connect() as conn:
        ids = {w: conn.execute(select(c.conversation_id).where(c.workspace_id == w).order_by(c.conversation_id)
                               .limit(3)).scalars().all() for w in ("acme", "globex", "initech")}
    projection = InboxProjection()
    with engine.begin() as conn:
        projection.apply_many(conn, [
            ConversationTagged(workspace_id="acme", tagged_by="u1", conversation_id=ids["acme"][0], added=["vip", "доставка"]),
            ConversationTagged(workspace_id="acme", tagged_by="u1", conversation_id=ids["acme"][1], added=["vip"]),
            ConversationTagged(workspace_id="initech", tagged_by="u1", conversation_id=ids["initech"][0], added=["жалоба", "vip"]),
            ConversationTagged(workspace_id="globex", tagged_by="u1", conversation_id=ids["globex"][0], added=["secret-of-globex"]),
            ConversationTagged(workspace_id="acme", tagged_by="u1", conversation_id=ids["acme"][2], added=["temporary"]),
            ConversationTagged(workspace_id="acme", tagged_by="u1", conversation_id=ids["acme"][2], removed=["temporary"])])
    with engine.connect() as conn:
        assert views.tags_in(conn, TWO.workspaces) == ["vip", "доставка", "жалоба"]
        assert views.tags_in(conn, TWO.workspaces, limit=2) == ["vip", "доставка"]
        assert views.tags_in(conn, ["globex"]) == ["secret-of-globex"]
        assert views.tags_in(conn, ["nobody"]) == []
