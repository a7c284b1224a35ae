"""``chorus replay inbox`` finds the inbox's projection."""
from __future__ import annotations

from chorus.inbox.projection.inbox import InboxProjection
from chorus.inbox.replays import REPLAYS


def test_replay_inbox_rebuilds_the_inbox_projection():
    assert REPLAYS == {"inbox": [InboxProjection]}
    assert InboxProjection.name == "inbox"
    streams = {s.stream.name for s in InboxProjection.subscriptions}
    assert streams == {"CHORUS_ACCOUNTS", "CHORUS_INGEST", "CHORUS_MONITOR", "CHORUS_INBOX", "CHORUS_PUBLISHER"}
