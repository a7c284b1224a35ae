"""The publisher's tables: the schedule (a projection of the log, ``chorus replay publisher``) and its lease.

Times are stored as UNIX seconds (``Float``) so SQLite and PostgreSQL compare and index them alike; the due
loop reads ``(state, due_at)`` through ``ix_publisher_items_due`` and never scans the rows that are not due.
"""
from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

items = Table(
    "publisher_items", metadata,
    Column("key", String(300), primary_key=True),  # post_id:account_id, or the reply_id
    Column("kind", String(8), nullable=False),  # post | reply
    Column("workspace_id", String(64), nullable=False),
    Column("account_id", String(64), nullable=False),
    Column("network", String(16), nullable=False),
    Column("post_id", String(128)),
    Column("reply_id", String(128)),
    Column("conversation_id", String(128)),
    Column("target", Text),  # JSON: a reply's ReplyTarget
    Column("text", Text, nullable=False),
    Column("media", Text),  # JSON list of MediaRef
    Column("campaign", String(200)),
    Column("publish_at", Float, nullable=False),
    Column("due_at", Float, nullable=False),
    Column("state", String(12), nullable=False),
    Column("attempts", Integer, nullable=False),  # attempts claimed
    Column("logged_attempt", Integer, nullable=False),  # the last attempt whose intent is in the log
    Column("claimed_from", String(12)),
    Column("claimed_at", Float),
    Column("intent_at", Float),
    Column("version", Integer, nullable=False),  # bumped by each edit
    Column("rounds", Integer, nullable=False),
    Column("deferred", Boolean, nullable=False),
    Column("cancel_requested", Boolean, nullable=False),
    Column("failure", String(24)),
    Column("reason", Text),
    Column("note", Text),
    Column("remote_id", String(200)),
    Column("url", String(500)),
    Column("done_at", Float),
    Column("source_event_id", String(128)),
    Column("correlation_id", String(128)),
    Index("ix_publisher_items_due", "state", "due_at"),
    Index("ix_publisher_items_post", "post_id"),
)

posts = Table(
    "publisher_posts", metadata,
    Column("post_id", String(128), primary_key=True),
    Column("workspace_id", String(64), nullable=False),
    Column("cancelled", Boolean, nullable=False),
    Column("cancelled_by", String(128)),
)

workspaces = Table(
    "publisher_workspaces", metadata,
    Column("workspace_id", String(64), primary_key=True),
    Column("time_zone", String(64), nullable=False),
    Column("lateness_minutes", Integer, nullable=False),
)

accounts = Table(
    "publisher_accounts", metadata,
    Column("account_id", String(64), primary_key=True),
    Column("status", String(16), nullable=False),  # connected | token_expired | disconnected
    Column("reason", Text),
)

#: Not part of the projection (a replay must not wipe it): which publisher instance may send.
runtime = MetaData()

lease = Table(
    "publisher_lease", runtime,
    Column("name", String(32), primary_key=True),
    Column("holder", String(200), nullable=False),
    Column("expires_at", Float, nullable=False),
)
