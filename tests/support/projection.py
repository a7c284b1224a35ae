"""A small projection used to test the projection machinery: comment rows and a per-account counter.

The counter makes a doubled effect visible; a comment whose text is ``boom`` makes ``apply`` fail.
"""
from __future__ import annotations

import asyncio

from sqlalchemy import Column, Integer, MetaData, String, Table, select, update
from sqlalchemy.engine import Connection

from chorus.backbone.consumer import subscriptions_for
from chorus.backbone.db import insert_ignore
from chorus.backbone.projection import Projection
from chorus.events import Author, CommentDeleted, CommentReceived, Event, utcnow

metadata = MetaData()
comments = Table("t_comments", metadata, Column("comment_id", String(64), primary_key=True),
                 Column("account_id", String(64)), Column("text", String(2000)))
counts = Table("t_counts", metadata, Column("account_id", String(64), primary_key=True),
               Column("n", Integer, nullable=False))


class CommentCounts(Projection):
    name = "test-counts"
    subscriptions = subscriptions_for(CommentReceived, CommentDeleted)
    metadata = metadata

    def apply(self, conn: Connection, event: Event) -> None:
        if isinstance(event, CommentReceived):
            if event.text == "boom":
                raise RuntimeError("boom")
            conn.execute(comments.insert().values(comment_id=event.comment_id, account_id=event.account_id,
                                                  text=event.text))
            insert_ignore(conn, counts, {"account_id": event.account_id, "n": 0})
            conn.execute(update(counts).where(counts.c.account_id == event.account_id).values(n=counts.c.n + 1))
        elif isinstance(event, CommentDeleted):
            gone = conn.execute(comments.delete().where(comments.c.comment_id == event.comment_id)).rowcount
            if gone:
                conn.execute(update(counts).where(counts.c.account_id == event.account_id).values(n=counts.c.n - 1))


def dump(conn: Connection) -> dict[str, list[tuple]]:
    return {
        "comments": sorted(tuple(r) for r in conn.execute(select(comments))),
        "counts": sorted(tuple(r) for r in conn.execute(select(counts))),
    }


def comment(n: int, account: str = "acc-1", text: str | None = None, **kw) -> CommentReceived:
    return CommentReceived(
        workspace_id="ws-1", account_id=account, network="vk", comment_id=str(n), post_id="p1",
        author=Author(id="7", name="Ann"), text=text if text is not None else f"comment {n}",
        created_at=utcnow(), **kw)


async def run_until(runner, condition, timeout: float = 30.0) -> None:
    """Run a projection runner or a consumer until ``condition()`` holds (called in a thread: it may query
    the database)."""
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        async with asyncio.timeout(timeout):
            while not await asyncio.to_thread(condition):
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
