"""``chorus replay inbox`` finds the inbox's projection."""
from __future__ import annotations

from chorus.inbox.posts.projection import PostsProjection
from chorus.inbox.projection.inbox import InboxProjection
from chorus.inbox.replays import REPLAYS


def test_replay_inbox_rebuilds_the_inbox_projection():
    assert REPLAYS == {"inbox": [InboxProjection, PostsProjection]}
    assert {s.stream.name for s in PostsProjection.subscriptions} == {"CHORUS_INBOX", "CHORUS_PUBLISHER"}
    assert InboxProjection.name == "inbox"
    streams = {s.stream.name for s in InboxProjection.subscriptions}
    assert streams == {"CHORUS_ACCOUNTS", "CHORUS_INGEST", "CHORUS_MONITOR", "CHORUS_INBOX", "CHORUS_PUBLISHER"}
