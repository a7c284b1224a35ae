"""The posts read model on SQLite and PostgreSQL: states per account from the inbox's and the publisher's
events, the same whichever stream is applied first, live from the log and rebuilt (``chorus replay inbox``)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from chorus.backbone.consumer import ConsumerOptions
from chorus.backbone.db import make_engine
from chorus.backbone.projection import ProjectionRunner, rebuild
from chorus.events import (
    PostAttempted,
    PostCancelled,
    PostDeferred,
    PostEdited,
    PostFailed,
    PostMissed,
    PostOutcomeUnknown,
    PostPublished,
    PostReconciled,
    PostScheduled,
    PostTarget,
)
from chorus.events.streams import INBOX
from chorus.inbox.posts import views
from chorus.inbox.posts.projection import PostsProjection
from chorus.inbox.posts.tables import metadata
from chorus.inbox.projection.inbox import InboxProjection
from support.projection import run_until

FAST = ConsumerOptions(batch=4, max_deliver=3, backoff=(0.05, 0.1), fetch_timeout_s=0.2)
T0 = datetime(2026, 5, 11, 9, 0, tzinfo=UTC)
NETWORKS = {"vk-1": "vk", "x-1": "x", "tg-1": "telegram", "fb-1": "facebook"}


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def scheduled(post_id: str, accounts: list[str], minutes: float, when: float) -> PostScheduled:
    return PostScheduled(workspace_id="acme", post_id=post_id, publish_at=at(when), created_by="u1",
                         targets=[PostTarget(account_id=a, network=NETWORKS[a], text=f"{post_id} on {a}")
                                  for a in accounts], occurred_at=at(minutes), campaign="spring")


def outcome(cls, post_id: str, account: str, minutes: float, **fields):
    return cls(workspace_id="acme", post_id=post_id, account_id=account, network=NETWORKS[account],
               occurred_at=at(minutes), **fields)


def history() -> list:
    """Every path a post takes, in the order things happened (inbox and publisher events interleaved)."""
    return [
        scheduled("p1", ["vk-1", "x-1"], 0, 60),
        scheduled("p2", ["tg-1"], 1, 60),
        scheduled("p3", ["vk-1", "fb-1"], 2, 120),
        scheduled("p4", ["x-1"], 3, 30),
        scheduled("p5", ["fb-1"], 4, 30),
        scheduled("p6", ["vk-1"], 5, 10),
        PostCancelled(workspace_id="acme", post_id="p2", cancelled_by="u1", occurred_at=at(6)),
        PostEdited(workspace_id="acme", post_id="p3", publish_at=at(180), edited_by="u2", occurred_at=at(7),
                   targets=[PostTarget(account_id="vk-1", network="vk", text="p3 edited"),
                            PostTarget(account_id="tg-1", network="telegram", text="p3 for telegram")]),
        outcome(PostMissed, "p6", "vk-1", 80, due_at=at(10), reason="the publisher was stopped"),
        outcome(PostAttempted, "p4", "x-1", 30, attempt=1, key="p4:x-1"),
        outcome(PostFailed, "p4", "x-1", 30.1, failure="token_invalid", reason="token expired"),
        outcome(PostAttempted, "p5", "fb-1", 30, attempt=1, key="p5:fb-1"),
        outcome(PostOutcomeUnknown, "p5", "fb-1", 30.2, reason="timeout"),
        outcome(PostAttempted, "p1", "vk-1", 60, attempt=1, key="p1:vk-1"),
        outcome(PostAttempted, "p1", "x-1", 60, attempt=1, key="p1:x-1"),
        outcome(PostPublished, "p1", "vk-1", 60.1, remote_id="11", url="https://vk.com/wall-1_11",
                published_at=at(60.1)),
        outcome(PostDeferred, "p1", "x-1", 60.1, attempt=1, reason="rate limit", retry_at=at(61)),
        outcome(PostReconciled, "p5", "fb-1", 31, attempt=1, found=True, remote_id="55",
                url="https://facebook.com/55", method="read_back"),
        PostEdited(workspace_id="acme", post_id="p4", publish_at=at(90), edited_by="u1", occurred_at=at(40),
                   targets=[PostTarget(account_id="x-1", network="x", text="p4 again")]),
        outcome(PostAttempted, "p1", "x-1", 61, attempt=2, key="p1:x-1"),
        outcome(PostPublished, "p1", "x-1", 61.2, remote_id="77", url="https://x.com/zerno/status/77",
                published_at=at(61.2)),
        outcome(PostFailed, "p1", "x-1", 62, failure="unknown", reason="late duplicate outcome"),  # published stays
    ]


def dump(engine) -> dict[str, list]:
    out = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            out[table.name] = sorted(tuple(str(v) for v in r) for r in conn.execute(select(table)).all())
    return out


def apply_in(engine, events) -> None:
    InboxProjection().create_tables(engine)  # the views name accounts from the conversations' read model
    projection = PostsProjection()
    projection.create_tables(engine)
    with engine.begin() as conn:
        for event in events:  # one by one: each its own batch, as live runners may deliver them
            projection.apply_many(conn, [event])


def states(engine) -> dict[str, dict[str, str]]:
    with engine.connect() as conn:
        found = views.between(conn, "acme", T0 - timedelta(days=1), T0 + timedelta(days=1))
    return {p["post_id"]: {"post": p["state"], **{t["account_id"]: t["state"] for t in p["targets"]}} for p in found}


def test_every_account_gets_its_state_from_the_publishers_events(db_url):
    engine = make_engine(db_url)
    apply_in(engine, history())
    assert states(engine) == {
        "p1": {"post": "published", "vk-1": "published", "x-1": "published"},
        "p2": {"post": "cancelled", "tg-1": "cancelled"},
        "p3": {"post": "scheduled", "vk-1": "scheduled", "fb-1": "cancelled", "tg-1": "scheduled"},
        "p4": {"post": "scheduled", "x-1": "scheduled"},  # re-opened by the edit after a token failure
        "p5": {"post": "published", "fb-1": "published"},
        "p6": {"post": "missed", "vk-1": "missed"},
    }
    with engine.connect() as conn:
        p1 = views.post(conn, "acme", "p1")
        p3 = views.post(conn, "acme", "p3")
        held = views.held(conn, ["vk-1", "tg-1"], T0)
    assert {t["account_id"]: t["url"] for t in p1["targets"]} == {"vk-1": "https://vk.com/wall-1_11",
                                                                   "x-1": "https://x.com/zerno/status/77"}
    assert not p1["can_change"] and p3["can_change"] and p3["publish_at"] == at(180)
    assert [t["text"] for t in p3["targets"] if t["state"] != "cancelled"] == ["p3 edited", "p3 for telegram"]
    assert held == {"vk-1": {at(60), at(180)}, "tg-1": {at(180)}}
    engine.dispose()


def test_the_order_the_two_streams_are_applied_in_does_not_change_the_result(db_url):
    events = history()
    inbox_first = [e for e in events if e.stream is INBOX] + [e for e in events if e.stream is not INBOX]
    publisher_first = [e for e in events if e.stream is not INBOX] + [e for e in events if e.stream is INBOX]
    engine = make_engine(db_url)
    dumps = []
    for order in (events, inbox_first, publisher_first):
        apply_in(engine, order)
        dumps.append(dump(engine))
        with engine.begin() as conn:
            PostsProjection().reset(conn)
    engine.dispose()
    assert dumps[0] == dumps[1] == dumps[2] and len(dumps[0]["inbox_post_targets"]) == 9



async def test_live_from_the_log_and_rebuilt_give_identical_read_models(js, store, db_url):
    engine = make_engine(db_url)
    events = history()
    await store.append_many(events)
    InboxProjection().create_tables(engine)
    runner = ProjectionRunner(PostsProjection(), engine, js, FAST)
    await run_until(runner, lambda: runner.applied == len(events))
    live = dump(engine)
    assert states(engine)["p4"] == {"post": "scheduled", "x-1": "scheduled"}
    assert await rebuild(PostsProjection(), engine, js, batch=5) == len(events)
    assert dump(engine) == live
    engine.dispose()
