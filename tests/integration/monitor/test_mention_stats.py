"""Mention statistics on SQLite and PostgreSQL: labels, corrections, re-scoring, and the monthly share."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
from starlette.applications import Starlette

from chorus import events as ev
from chorus.backbone.consumer import ConsumerOptions
from chorus.backbone.db import make_engine
from chorus.backbone.projection import ProjectionRunner, rebuild
from chorus.monitor.domain import classified_id
from chorus.monitor.entrypoints import routes
from chorus.monitor.stats import MentionStatsProjection, mention_stats
from chorus.monitor.views import monthly_share, monthly_stats

DAY = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
FAST = ConsumerOptions(batch=200, max_deliver=3, backoff=(0.05, 0.1), fetch_timeout_s=0.2)


def found(n: int, *, kind: str = "mention", at: datetime = DAY, account: str = "acc-1", network: str = "vk",
          own: bool = False, ws: str = "ws-1") -> ev.Event:
    author = ev.Author(id=f"u{n}", name="Анна")
    common = {"workspace_id": ws, "account_id": account, "network": network, "author": author, "text": "текст", "created_at": at,
                  "event_id": f"{kind}-{ws}-{n}"}
    if kind == "mention":
        return ev.MentionFound(mention_id=f"i{n}", query="brand", **common)
    if kind == "comment":
        return ev.CommentReceived(comment_id=f"i{n}", post_id="p", from_account=own, **common)
    return ev.DirectMessageReceived(message_id=f"i{n}", dialogue_id="d", **common)


def ref(source: ev.Event) -> ev.ItemRef:
    kind = {"mention.found": "mention", "comment.received": "comment", "direct_message.received": "message"}
    return ev.ItemRef(kind=kind[source.type], network=source.network, account_id=source.account_id,
                      item_id=f"i{source.event_id.rsplit('-', 1)[1]}")


def labelled(source: ev.Event, label: str, *, version: str = "v1", at: datetime | None = None,
             language: str = "ru", score: float | None = None) -> ev.SentimentClassified:
    score = score if score is not None else {"positive": 0.6, "negative": -0.6, "neutral": 0.0}[label]
    return ev.SentimentClassified(
        workspace_id=source.workspace_id, event_id=classified_id(source.event_id, version), item=ref(source),
        source_event_id=source.event_id, label=label, score=score, language=language, classifier_version=version,
        occurred_at=at or DAY + timedelta(minutes=1))


def corrected(source: ev.Event, label: str, n: int = 0) -> ev.SentimentCorrected:
    return ev.SentimentCorrected(workspace_id=source.workspace_id, item=ref(source), label=label,
                                 corrected_by="manager", event_id=f"fix-{source.event_id}-{n}")


class Stats:
    """The projection applied straight to a database, batch by batch, as its runner does."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.projection = MentionStatsProjection()
        self.projection.create_tables(self.engine)

    def apply(self, *events: ev.Event) -> None:
        with self.engine.begin() as conn:
            self.projection.apply_many(conn, list(events))

    def month(self, month: str = "2026-11", **kw):
        return monthly_stats(self.engine, "ws-1", month, **kw)

    def counters(self) -> list[tuple]:
        with self.engine.connect() as conn:
            return sorted((r.account_id, r.network, r.day.isoformat(), r.kind, r.label, r.count)
                          for r in conn.execute(mention_stats.select()) if r.count)


async def test_a_correction_changes_the_monthly_share(db_url):
    stats = Stats(db_url)
    items = [found(n) for n in range(4)]
    stats.apply(*items, labelled(items[0], "negative"), labelled(items[1], "negative"),
                labelled(items[2], "positive"), labelled(items[3], "neutral"))
    assert monthly_share(stats.engine, "ws-1", "2026-11") == (0.25, 0.5)
    stats.apply(corrected(items[0], "positive"))
    assert monthly_share(stats.engine, "ws-1", "2026-11") == (0.5, 0.25)
    stats.apply(labelled(items[0], "negative", version="v2", at=DAY + timedelta(days=1)))  # a correction wins
    assert monthly_share(stats.engine, "ws-1", "2026-11") == (0.5, 0.25)
    stats.engine.dispose()


async def test_a_rescored_label_replaces_the_older_version_and_a_late_old_one_does_not(db_url):
    stats = Stats(db_url)
    item = found(1)
    stats.apply(item, labelled(item, "negative", version="v1", at=DAY))
    stats.apply(labelled(item, "positive", version="v2", at=DAY + timedelta(days=3)))
    stats.apply(labelled(item, "neutral", version="v0", at=DAY + timedelta(days=1)))  # replayed late
    assert stats.counters() == [("acc-1", "vk", "2026-11-10", "mention", "positive", 1)]
    stats.engine.dispose()


async def test_an_item_counts_whichever_of_its_events_comes_first_and_only_once(db_url):
    stats = Stats(db_url)
    early, late = found(1), found(2)
    stats.apply(labelled(early, "negative"))       # the label before the item
    assert stats.counters() == []
    stats.apply(early, late, labelled(late, "positive"), labelled(late, "positive"), early)
    assert stats.counters() == [("acc-1", "vk", "2026-11-10", "mention", "negative", 1),
                                ("acc-1", "vk", "2026-11-10", "mention", "positive", 1)]
    stats.engine.dispose()


async def test_own_comments_do_not_count_and_unclassifiable_items_do_not_dilute_the_share(db_url):
    stats = Stats(db_url)
    own, customer, foreign, empty = (found(1, kind="comment", own=True), found(2, kind="comment"),
                                     found(3, kind="comment"), found(4, kind="comment"))
    stats.apply(own, customer, foreign, empty, labelled(own, "positive"), labelled(customer, "negative"),
                labelled(foreign, "neutral", language="other"), labelled(empty, "neutral", language="unknown"))
    comments = stats.month()["kinds"]["comment"]
    assert comments["negative"] == 1 and comments["positive"] == 0 and comments["unclassified"] == 2
    assert comments["total"] == 3 and comments["negative_share"] == 1.0
    stats.apply(corrected(foreign, "positive"))  # a manager's label counts even where the machine had none
    assert stats.month()["kinds"]["comment"]["positive"] == 1
    stats.engine.dispose()


async def test_statistics_are_kept_per_account_network_kind_and_day(db_url):
    stats = Stats(db_url)
    events = [found(1, kind="mention", network="x", account="acc-x"), found(2, kind="comment"),
              found(3, kind="message"), found(4, kind="mention", at=DAY + timedelta(days=1)),
              found(5, kind="mention", at=datetime(2026, 10, 31, 23, 59, tzinfo=UTC))]
    stats.apply(*events, *[labelled(e, "negative") for e in events])
    month = stats.month()
    assert [d["day"] for d in month["days"]] == ["2026-11-10", "2026-11-11"]
    assert {k: v["negative"] for k, v in month["kinds"].items()} == {"mention": 2, "comment": 1, "message": 1}
    assert month["headline"]["negative"] == 3  # mentions and comments; messages are reported apart
    assert month["previous_month"]["month"] == "2026-10" and month["previous_month"]["negative"] == 1
    assert stats.month(account_id="acc-x")["kinds"]["mention"]["negative"] == 1
    assert stats.month(network="vk")["kinds"]["mention"]["negative"] == 1
    assert monthly_stats(stats.engine, "ws-2", "2026-11")["headline"]["total"] == 0
    stats.engine.dispose()


async def test_the_projection_runs_from_the_log_and_a_rebuild_gives_the_same_numbers(js, store, db_url):
    engine = make_engine(db_url)
    items = [found(n) for n in range(6)]
    await store.append_many(items)
    await store.append_many([labelled(e, "negative" if n % 2 else "positive") for n, e in enumerate(items)])
    await store.append_many([corrected(items[1], "neutral")])
    runner = ProjectionRunner(MentionStatsProjection(), engine, js, FAST)
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        async with asyncio.timeout(15):
            while runner.applied < 13:
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
    live = monthly_stats(engine, "ws-1", "2026-11")
    assert live["headline"]["positive"] == 3 and live["headline"]["negative"] == 2 and live["headline"]["neutral"] == 1
    await rebuild(MentionStatsProjection(), engine, js)
    assert monthly_stats(engine, "ws-1", "2026-11") == live
    engine.dispose()


async def test_the_http_route_serves_a_month_and_refuses_bad_parameters(db_url):
    stats = Stats(db_url)
    item = found(1)
    stats.apply(item, labelled(item, "positive"))
    transport = httpx.ASGITransport(app=Starlette(routes=routes(stats.engine)))
    async with httpx.AsyncClient(transport=transport, base_url="http://monitor") as client:
        ok = await client.get("/stats/mentions", params={"workspace": "ws-1", "month": "2026-11"})
        assert ok.status_code == 200 and ok.json()["headline"]["positive_share"] == 1.0
        assert (await client.get("/stats/mentions", params={"month": "2026-11"})).status_code == 400
        bad = await client.get("/stats/mentions", params={"workspace": "ws-1", "month": "ноябрь"})
        assert bad.status_code == 400 and "2026-11" in bad.json()["error"]
    stats.engine.dispose()
