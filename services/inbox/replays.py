"""What ``chorus replay`` can rebuild for the inbox: ``chorus replay inbox``."""
from __future__ import annotations

from chorus.inbox.posts.projection import PostsProjection
from chorus.inbox.projection.inbox import InboxProjection

REPLAYS = {"inbox": [InboxProjection, PostsProjection]}
