"""The inbox read models on SQLite and PostgreSQL: live from the log, rebuilt identically, and queried."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from chorus.backbone.consumer import ConsumerOptions
from chorus.backbone.db import make_engine
from chorus.backbone.projection import ProjectionRunner, rebuild
from chorus.events import (
    AccountConnected,
    AccountTokenExpired,
    AlertRaised,
    Author,
    BrandRulesChanged,
    CommentDeleted,
    CommentEdited,
    CommentReceived,
    ConversationAssigned,
    ConversationClosed,
    ConversationNoted,
    ConversationReopened,
    ConversationTagged,
    DirectMessageReceived,
    IngestGapRecorded,
    MentionFound,
    ReplyFailed,
    ReplyRequested,
    ReplySent,
    ReplyTarget,
    SentimentClassified,
    SentimentCorrected,
)
from chorus.events.settings import BrandRule
from chorus.events.values import ItemRef
from chorus.inbox import health_views, views
from chorus.inbox.domain import conversation_id
from chorus.inbox.projection.inbox import InboxProjection
from chorus.inbox.projection.tables import metadata, search
from chorus.inbox.views import Filters, Scope
from support.projection import run_until

FAST = ConsumerOptions(batch=7, max_deliver=3, backoff=(0.05, 0.1), fetch_timeout_s=0.2)
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
POST = conversation_id("vk-1", "comment", "p1")
DM = conversation_id("tg-1", "message", "chat-5")


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def comment(n: int, text: str, minutes: float, *, post: str = "p1", account: str = "vk-1", workspace: str = "acme",
            from_account: bool = False, author: str = "Мария") -> CommentReceived:
    return CommentReceived(workspace_id=workspace, account_id=account, network="vk", comment_id=str(n), post_id=post,
                           author=Author(id=f"a{n}", name=author), text=text, created_at=at(minutes),
                           from_account=from_account, post_text="Пост про доставку")


def label(kind: str, account: str, item: str, value: str, network: str = "vk") -> SentimentClassified:
    return SentimentClassified(workspace_id="acme", item=ItemRef(kind=kind, network=network, account_id=account,
                                                                 item_id=item),
                               source_event_id=item, label=value, score=-0.5 if value == "negative" else 0.3,
                               language="ru", classifier_version="t")


def history() -> list:
    """A day of a workspace, across all five streams."""
    reply = ReplyRequested(workspace_id="acme", reply_id="r" * 32, conversation_id=POST, account_id="vk-1",
                           network="vk", target=ReplyTarget(kind="comment", post_id="p1", comment_id="1"),
                           text="Уже разбираемся", requested_by="u1", occurred_at=at(4))
    failed_reply = ReplyRequested(workspace_id="acme", reply_id="f" * 32, conversation_id=DM, account_id="tg-1",
                                  network="telegram", target=ReplyTarget(kind="message", dialogue_id="chat-5"),
                                  text="Здравствуйте", requested_by="u2", occurred_at=at(6))
    failure = ReplyFailed(workspace_id="acme", reply_id="f" * 32, conversation_id=DM, account_id="tg-1",
                          network="telegram", failure="token_invalid", reason="bot was blocked", occurred_at=at(7))
    return [
        AccountConnected(workspace_id="acme", account_id="vk-1", network="vk", external_id="1", name="Зерно",
                         token_kinds=["community"], features=["read_comments"], connected_by="cli", occurred_at=at(-60)),
        AccountTokenExpired(workspace_id="acme", account_id="vk-1", network="vk", token_kind="community",
                            reason="revoked", detected_by="ingest", occurred_at=at(30)),
        comment(1, "Где моя доставка? Третий день жду", 1),
        label("comment", "vk-1", "1", "negative"),
        comment(2, "И у меня так же", 2, author="Пётр"),
        CommentEdited(workspace_id="acme", account_id="vk-1", network="vk", comment_id="2", post_id="p1",
                      text="И у меня так же, жду доставку", edited_at=at(3)),
        reply,
        ReplySent(workspace_id="acme", reply_id="r" * 32, conversation_id=POST, account_id="vk-1", network="vk",
                  remote_id="99", url="https://vk.com/wall-1_1?reply=99", sent_at=at(5)),
        comment(99, "Уже разбираемся", 5, from_account=True),  # our reply, read back by ingest
        CommentDeleted(workspace_id="acme", account_id="vk-1", network="vk", comment_id="2", post_id="p1",
                       deleted_at=at(8)),
        SentimentCorrected(workspace_id="acme", item=ItemRef(kind="comment", network="vk", account_id="vk-1",
                                                             item_id="1"), label="neutral", corrected_by="u1",
                           occurred_at=at(9)),
        ConversationAssigned(workspace_id="acme", conversation_id=POST, assignee_id="u1", assigned_by="u1",
                             occurred_at=at(4)),
        ConversationTagged(workspace_id="acme", conversation_id=POST, added=["доставка", "vip"], tagged_by="u1",
                           occurred_at=at(4)),
        ConversationTagged(workspace_id="acme", conversation_id=POST, removed=["vip"], tagged_by="u1",
                           occurred_at=at(4.5)),
        ConversationNoted(workspace_id="acme", conversation_id=POST, note_id="n1", text="Позвонить в службу",
                          author_id="u1", occurred_at=at(4.6)),
        ConversationClosed(workspace_id="acme", conversation_id=POST, closed_by="u1", occurred_at=at(10)),
        DirectMessageReceived(workspace_id="acme", account_id="tg-1", network="telegram", message_id="m1",
                              dialogue_id="chat-5", author=Author(id="5", name="Olga"), text="Refunds please",
                              created_at=at(5.5)),
        label("message", "tg-1", "m1", "negative", network="telegram"),
        failed_reply, failure,
        ReplyRequested.caused_by(failure, reply_id="e" * 32, conversation_id=DM, account_id="tg-1",
                                 network="telegram", target=ReplyTarget(kind="message", dialogue_id="chat-5"),
                                 text="Здравствуйте", requested_by="u2", occurred_at=at(8)),
        ConversationClosed(workspace_id="acme", conversation_id=DM, closed_by="u2", occurred_at=at(8.5)),
        DirectMessageReceived(workspace_id="acme", account_id="tg-1", network="telegram", message_id="m2",
                              dialogue_id="chat-5", author=Author(id="5", name="Olga"), text="Hello?",
                              created_at=at(11)),  # after the close: reopens it
        MentionFound(workspace_id="acme", account_id="x-1", network="x", mention_id="t1",
                     author=Author(id="9", name="Kate"), text="zerno coffee is great", created_at=at(12),
                     query="zerno"),
        comment(1, "Чужой проект", 1, post="g1", account="vk-g", workspace="globex"),
        IngestGapRecorded(workspace_id="acme", account_id="vk-1", network="vk", source="long_poll", gap_from=at(20),
                          gap_to=at(35), reason="history expired"),
        AlertRaised(workspace_id="acme", alert_id="al1", rule_id="r1", kind="spike", severity="critical",
                    title="Всплеск", summary="9 за час", account_id="vk-1", occurred_at=at(15)),
        BrandRulesChanged(workspace_id="acme", rules=[BrandRule(rule_id="b1", name="Зерно", include=["зерно"])],
                          changed_by="u1"),
        ConversationReopened(workspace_id="acme", conversation_id=POST, reopened_by="u1", occurred_at=at(13)),
        ConversationClosed(workspace_id="acme", conversation_id=POST, closed_by="u1", occurred_at=at(14)),
    ]


def dump(engine) -> dict[str, list]:
    out = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            columns = [c for c in table.c if c.name != "search_id"]  # an internal rowid, assigned in arrival order
            rows = conn.execute(select(*columns)).all()
            out[table.name] = sorted(tuple(str(v) for v in r) for r in rows)
    return out



async def test_live_projection_and_rebuild_give_identical_read_models(js, store, db_url):
    engine = make_engine(db_url)
    events = history()
    await store.append_many(events)
    runner = ProjectionRunner(InboxProjection(), engine, js, FAST)
    await run_until(runner, lambda: runner.applied == len(events))
    live = dump(engine)
    assert len(live["inbox_conversations"]) == 4 and len(live["inbox_alerts"]) == 1
    assert await rebuild(InboxProjection(), engine, js, batch=5) == len(events)
    assert dump(engine) == live
    engine.dispose()


def apply_all(engine, events) -> None:
    projection = InboxProjection()
    projection.create_tables(engine)
    with engine.begin() as conn:
        projection.apply_many(conn, events)


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    apply_all(engine, history())
    yield engine
    engine.dispose()


ACME = Scope("u1", {"acme": "manager"})


def listed(engine, scope=ACME, **filters) -> list[str]:
    with engine.connect() as conn:
        rows, _ = views.list_conversations(conn, scope, Filters(**filters))
    return [r["conversation_id"] for r in rows]


def test_conversation_facts_follow_the_thread(engine):
    with engine.connect() as conn:
        post = views.conversation(conn, ACME, POST)
        dm = views.conversation(conn, ACME, DM)
        thread = views.thread(conn, POST)
        dm_thread = views.thread(conn, DM)
    assert post["status"] == "closed" and post["assignee_id"] == "u1" and post["tags"] == ["доставка"]
    assert post["first_inbound_at"] == at(1) and post["first_response_at"] == at(5)  # when the reply was sent
    assert post["first_response_by"] == "u1" and post["closed_at"] == at(14)
    assert post["sentiment"] == "neutral"  # corrected label wins; the deleted comment does not count
    by_key = {m["message_key"]: m for m in thread}
    assert "vk-1:comment:99" not in by_key  # our reply read back is the reply, not a second message
    reply = by_key["reply:" + "r" * 32]
    assert reply["state"] == "sent" and reply["url"] == "https://vk.com/wall-1_1?reply=99"
    edited = by_key["vk-1:comment:2"]
    assert edited["text"] == "И у меня так же, жду доставку" and edited["original_text"] == "И у меня так же"
    assert edited["deleted_at"] is not None
    assert by_key["vk-1:comment:1"]["sentiment"] == "neutral" and by_key["vk-1:comment:1"]["machine_label"] == "negative"
    assert [m["direction"] for m in thread].count("note") == 1
    assert dm["status"] == "open"  # a message after the close reopened it
    failed = next(m for m in dm_thread if m["reply_id"] == "f" * 32)
    retry = next(m for m in dm_thread if m["reply_id"] == "e" * 32)
    assert failed["state"] == "failed" and failed["failure_reason"] == "bot was blocked" and failed["retried"]
    assert retry["state"] == "sending"


def test_the_inbox_lists_newest_first_and_filters(engine):
    mention = conversation_id("x-1", "mention", "t1")
    assert listed(engine) == [mention, DM]
    assert listed(engine, status="all") == [POST, mention, DM]  # closing counts as activity
    assert listed(engine, status="closed") == [POST]
    assert listed(engine, status="all", network="telegram") == [DM]
    assert listed(engine, status="all", kind="comment") == [POST]
    assert listed(engine, status="all", sentiment="negative") == [DM]
    assert listed(engine, status="all", tag="доставка") == [POST]
    assert listed(engine, status="mine") == []
    assert listed(engine, status="unassigned") == [mention, DM]
    assert listed(engine, status="all", workspace="globex") == []


def test_search_finds_russian_and_english_word_forms_on_both_engines(engine):
    assert listed(engine, status="all", q="доставкой") == [POST]
    assert listed(engine, status="all", q="жду доставки") == [POST]
    assert listed(engine, status="all", q="refund") == [DM]
    assert listed(engine, status="all", q="разбир") == [POST]  # the last word as a prefix
    assert listed(engine, status="all", q="чужой") == []  # globex's comment is not ours


def test_another_workspaces_conversation_is_not_found(engine):
    from chorus.inbox.domain import NotFound

    theirs = conversation_id("vk-g", "comment", "g1")
    with engine.connect() as conn, pytest.raises(NotFound):
        views.conversation(conn, ACME, theirs)
    with engine.connect() as conn:
        assert views.conversation(conn, Scope("u9", {"globex": "viewer"}), theirs)["workspace_id"] == "globex"


def test_pages_follow_the_cursor_without_gaps_or_repeats(engine):
    seen, cursor = [], None
    while True:
        with engine.connect() as conn:
            rows, cursor = views.list_conversations(conn, ACME, Filters(status="all", before=cursor), limit=1)
        seen += [r["conversation_id"] for r in rows]
        if cursor is None:
            break
    assert seen == listed(engine, status="all")


def test_accounts_show_token_health_and_the_last_gap(engine):
    with engine.connect() as conn:
        [account] = health_views.accounts_of(conn, ["acme"])
        alerts = health_views.alerts_of(conn, ["acme"])
        brand = views.snapshot(conn, "acme", "brand_rules")
    assert account.row["status"] == "token_expired" and "revoked" in account.row["status_reason"]
    assert account.last_gap["gap_from"] == at(20) and account.last_gap["gap_to"] == at(35)
    assert [a["title"] for a in alerts] == ["Всплеск"]
    assert brand["rules"][0]["include"] == ["зерно"]


def test_search_rows_follow_edits(engine):
    with engine.connect() as conn:
        lemmas = conn.execute(select(search.c.lemmas).where(search.c.message_key == "vk-1:comment:2")).scalar()
    assert "доставка" in lemmas.split()
