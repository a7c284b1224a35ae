"""The inbox's read models: tables rebuilt from the log by ``InboxProjection`` (``chorus replay inbox``).

Indexes serve the inbox list (newest activity first within the user's workspaces, with filters) with
keyset pagination on ``(last_at, conversation_id)``; see ``bench/inbox.py`` for the figures.
"""
from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()
TZ = DateTime(timezone=True)

accounts = Table(
    "inbox_accounts", metadata,
    Column("account_id", String(64), primary_key=True),
    Column("workspace_id", String(64), nullable=False),
    Column("network", String(16), nullable=False),
    Column("external_id", String(128)),
    Column("name", String(300)),
    Column("handle", String(200)),
    Column("url", String(500)),
    Column("token_kinds", Text),  # JSON list
    Column("features", Text),  # JSON list
    Column("status", String(20), nullable=False),  # connected | token_expired | disconnected
    Column("status_reason", Text),
    Column("status_at", TZ),
    Column("connected_at", TZ),
    Index("ix_inbox_accounts_ws", "workspace_id"),
)

conversations = Table(
    "inbox_conversations", metadata,
    Column("conversation_id", String(40), primary_key=True),
    Column("workspace_id", String(64), nullable=False),
    Column("account_id", String(64)),
    Column("network", String(16)),
    Column("kind", String(10)),  # comment | message | mention
    Column("thread_key", String(200)),
    Column("post_text", Text),
    Column("post_url", String(500)),
    Column("author_id", String(128)),
    Column("author_name", String(300)),
    Column("author_handle", String(200)),
    Column("author_url", String(500)),
    Column("author_followers", Integer),
    Column("preview", String(300)),
    Column("last_direction", String(8)),
    Column("message_count", Integer, nullable=False, default=0),
    Column("last_at", TZ),
    Column("first_inbound_at", TZ),
    Column("last_inbound_at", TZ),
    Column("first_response_at", TZ),
    Column("first_response_by", String(64)),
    Column("sentiment", String(10)),
    Column("status", String(8), nullable=False, default="open"),
    Column("closed_at", TZ),
    Column("closed_by", String(64)),
    Column("reopened_at", TZ),
    Column("assignee_id", String(64)),
    Index("ix_inbox_conv_ws_last", "workspace_id", "last_at", "conversation_id"),
    Index("ix_inbox_conv_ws_status_last", "workspace_id", "status", "last_at", "conversation_id"),
    Index("ix_inbox_conv_assignee_last", "assignee_id", "status", "last_at", "conversation_id"),
    Index("ix_inbox_conv_account_last", "account_id", "last_at"),
    Index("ix_inbox_conv_last", "last_at", "conversation_id"),
    # a search resolves its matches to conversations and sorts them without reading the rows
    Index("ix_inbox_conv_cover", "conversation_id", "workspace_id", "status", "last_at", "account_id"),
)

#: Every item of a thread: inbound comments, messages and mentions (key ``account:kind:item_id``), the
#: account's own comments, replies sent from the inbox (``reply:<reply_id>``), notes (``note:<id>``) and
#: activity lines (``act:<event_id>``).
messages = Table(
    "inbox_messages", metadata,
    Column("message_key", String(200), primary_key=True),
    Column("conversation_id", String(40), nullable=False),
    Column("workspace_id", String(64), nullable=False),
    Column("direction", String(8), nullable=False),  # in | out | note | activity
    Column("item_id", String(128)),
    Column("parent_item_id", String(128)),
    Column("author_id", String(128)),
    Column("author_name", String(300)),
    Column("author_handle", String(200)),
    Column("author_url", String(500)),
    Column("text", Text),
    Column("original_text", Text),
    Column("url", String(500)),
    Column("attachments", Text),  # JSON list
    Column("at", TZ),
    Column("edited_at", TZ),
    Column("deleted_at", TZ),
    # replies sent from the inbox
    Column("reply_text", Text),
    Column("requested_by", String(64)),
    Column("requested_event_id", String(128)),
    Column("retry_of", String(128)),  # the ReplyFailed event a retry answers
    Column("target", Text),  # JSON ReplyTarget
    Column("sent_at", TZ),
    Column("remote_id", String(128)),
    Column("failure", String(32)),
    Column("failure_reason", Text),
    Column("failed_event_id", String(128)),
    # activity lines: what happened, as data (rendered in the reader's language)
    Column("activity", Text),  # JSON {"action": ..., ...}
    Index("ix_inbox_msg_conv", "conversation_id", "at"),
    Index("ix_inbox_msg_ws_at", "workspace_id", "at"),
)

#: Sentiment per inbound item, independent of the message row (the monitor's stream may be applied first).
sentiments = Table(
    "inbox_sentiments", metadata,
    Column("item_key", String(200), primary_key=True),
    Column("machine_label", String(10)),
    Column("score", Float),
    Column("language", String(10)),
    Column("corrected_label", String(10)),
    Column("corrected_by", String(64)),
)

tags = Table(
    "inbox_tags", metadata,
    Column("conversation_id", String(40), primary_key=True),
    Column("tag", String(64), primary_key=True),
    Column("workspace_id", String(64), nullable=False),
    Index("ix_inbox_tags_ws_tag", "workspace_id", "tag"),
)

alerts = Table(
    "inbox_alerts", metadata,
    Column("alert_id", String(128), primary_key=True),
    Column("workspace_id", String(64), nullable=False),
    Column("rule_id", String(128)),
    Column("kind", String(32)),
    Column("severity", String(16)),
    Column("title", Text),
    Column("summary", Text),
    Column("account_id", String(64)),
    Column("items", Text),  # JSON list of ItemRef
    Column("raised_at", TZ),
    Column("window_from", TZ),
    Column("window_to", TZ),
    Index("ix_inbox_alerts_ws_at", "workspace_id", "raised_at"),
)

gaps = Table(
    "inbox_gaps", metadata,
    Column("gap_id", String(128), primary_key=True),
    Column("workspace_id", String(64), nullable=False),
    Column("account_id", String(64), nullable=False),
    Column("network", String(16)),
    Column("source", String(32)),
    Column("gap_from", TZ),
    Column("gap_to", TZ),
    Column("reason", Text),
    Index("ix_inbox_gaps_account", "account_id", "gap_to"),
)

#: The latest snapshot of each settings event per workspace (brand_rules, alert_rules, ...).
settings = Table(
    "inbox_settings", metadata,
    Column("workspace_id", String(64), primary_key=True),
    Column("name", String(40), primary_key=True),
    Column("payload", Text, nullable=False),  # JSON
    Column("changed_by", String(64)),
    Column("changed_at", TZ),
)

#: Lemmatised text of each item, for full-text search (see ``search.py``). On SQLite an external-content
#: FTS5 table ``inbox_fts`` indexes it (kept in step by triggers); on PostgreSQL a generated ``tsv`` column
#: with a GIN index. ``last_at`` is the conversation's ``last_at``, copied by a trigger whenever the
#: conversation's facts are recomputed, so the newest matches of a search come straight off the
#: ``(workspace_id, last_at, conversation_id)`` index instead of sorting every match (``search_views.py``).
#: The secondary indexes and triggers differ by engine and are created in ``ddl.py``.
search = Table(
    "inbox_search", metadata,
    # Derived from the message key, not a counter: a rebuild applies the streams in another interleaving
    # than the live run did, and must still produce identical rows (search_id is FTS5's rowid). On SQLite
    # it is declared INTEGER so that it is the table's rowid: FTS5 matches then resolve without a second
    # index lookup.
    Column("search_id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=False),
    Column("message_key", String(200), nullable=False, unique=True),
    Column("conversation_id", String(40), nullable=False),
    Column("workspace_id", String(64), nullable=False),
    Column("lemmas", Text, nullable=False),
    Column("last_at", TZ),
)
