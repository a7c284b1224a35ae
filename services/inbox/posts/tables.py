"""Tables of posts: the read model built from the log (``metadata``) and the inbox's own tables (``own``).

The read model (``inbox_posts``, ``inbox_post_targets``) is a projection of ``post.scheduled/edited/
cancelled`` and the publisher's events; ``chorus replay inbox`` rebuilds it. The inbox's own tables hold
what is not (yet) an event: drafts and posts awaiting approval, uploaded images' facts (their bytes are in
the ``chorus_media`` Object Store), posting-queue times per account, UTM presets per workspace, recurring
series, and what was composed for each scheduled post. A replay never touches them.
"""
from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()
own = MetaData()
TZ = DateTime(timezone=True)

# --- read model (projection) ------------------------------------------------------------------------

posts = Table(
    "inbox_posts", metadata,
    Column("post_id", String(64), primary_key=True),
    Column("workspace_id", String(64), nullable=False),
    Column("publish_at", TZ),  # the latest version's time
    Column("version_at", TZ),  # when the latest version (scheduled or edited) happened
    Column("campaign", String(200)),
    Column("created_by", String(64)),
    Column("approved_by", String(64)),
    Column("scheduled_at", TZ),
    Column("edited_by", String(64)),
    Column("cancelled_at", TZ),
    Column("cancelled_by", String(64)),
    Column("state", String(16)),  # summary of the targets' states (see ``states.summary``)
    Column("preview", String(300)),
    Column("networks", String(64)),  # comma-separated, in a fixed order
    Index("ix_inbox_posts_ws_at", "workspace_id", "publish_at"),
)

#: One row per post and account. Content columns are written by the inbox's events, outcome columns by
#: the publisher's; ``state`` is recomputed from both (``states.target_state``), so the order in which the
#: two streams are applied does not change the result.
targets = Table(
    "inbox_post_targets", metadata,
    Column("post_id", String(64), primary_key=True),
    Column("account_id", String(64), primary_key=True),
    Column("workspace_id", String(64), nullable=False),
    Column("network", String(16)),
    Column("text", Text),
    Column("media", Text),  # JSON list of MediaRef
    Column("version_at", TZ),
    Column("removed_at", TZ),  # an edit left this account out
    Column("attempts", Integer, nullable=False, default=0),
    Column("attempted_at", TZ),
    Column("outcome", String(16)),  # attempted | deferred | unknown | resend | failed | missed | published
    Column("outcome_at", TZ),
    Column("failure", String(32)),
    Column("reason", Text),
    Column("retry_at", TZ),
    Column("remote_id", String(128)),
    Column("url", String(500)),
    Column("published_at", TZ),
    Column("state", String(16)),
    Index("ix_inbox_post_targets_ws", "workspace_id", "account_id"),
)

# --- the inbox's own tables -------------------------------------------------------------------------

media = Table(
    "inbox_media", own,
    Column("media_id", String(40), primary_key=True),
    Column("workspace_id", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("content_type", String(40), nullable=False),
    Column("size", Integer, nullable=False),
    Column("format", String(8), nullable=False),
    Column("width", Integer),
    Column("height", Integer),
    Column("uploaded_by", String(64), nullable=False),
    Column("uploaded_at", TZ, nullable=False),
    Index("ix_inbox_media_ws", "workspace_id"),
)

#: Drafts (``draft``), posts waiting for an admin (``awaiting_approval``) and refused ones (``rejected``).
drafts = Table(
    "inbox_drafts", own,
    Column("draft_id", String(40), primary_key=True),
    Column("workspace_id", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("composition", Text, nullable=False),  # JSON, see ``compose.Composition``
    Column("created_by", String(64), nullable=False),
    Column("updated_at", TZ, nullable=False),
    Column("submitted_by", String(64)),
    Column("submitted_at", TZ),
    Column("review_comment", Text),
    Column("reviewed_by", String(64)),
    Column("reviewed_at", TZ),
    Index("ix_inbox_drafts_ws", "workspace_id", "status"),
)

queue_slots = Table(
    "inbox_queue_slots", own,
    Column("account_id", String(64), primary_key=True),
    Column("workspace_id", String(64), nullable=False),
    Column("slots", Text, nullable=False),  # JSON {"mon": ["10:00", "18:00"], ...}
    Column("updated_by", String(64)),
    Column("updated_at", TZ),
)

utm_presets = Table(
    "inbox_utm_presets", own,
    Column("workspace_id", String(64), primary_key=True),
    Column("preset_id", String(40), primary_key=True),
    Column("payload", Text, nullable=False),  # UtmPreset.to_dict()
    Column("is_default", Boolean, nullable=False, default=False),
    Column("updated_by", String(64)),
    Column("updated_at", TZ),
)

series = Table(
    "inbox_series", own,
    Column("series_id", String(40), primary_key=True),
    Column("workspace_id", String(64), nullable=False),
    Column("composition", Text, nullable=False),  # JSON, the text, accounts, media and UTM of each occurrence
    Column("freq", String(10), nullable=False),  # daily | weekly | monthly
    Column("start_local", String(19), nullable=False),  # first occurrence, wall time in the workspace's zone
    Column("until_local", String(10)),  # last day (inclusive), or none
    Column("created_by", String(64), nullable=False),
    Column("approved_by", String(64)),
    Column("created_at", TZ, nullable=False),
    Column("appended_until", TZ),  # occurrences up to this instant are in the log
    Column("problem", Text),  # why the last occurrences could not be appended, shown on the page
    Column("stopped_at", TZ),
    Column("stopped_by", String(64)),
    Index("ix_inbox_series_ws", "workspace_id"),
)

#: What was composed for a post scheduled from the composer (the text before tagging, variants, preset), so
#: an edit starts from it rather than from each account's tagged text.
compositions = Table(
    "inbox_post_compositions", own,
    Column("post_id", String(64), primary_key=True),
    Column("workspace_id", String(64), nullable=False),
    Column("composition", Text, nullable=False),
)
