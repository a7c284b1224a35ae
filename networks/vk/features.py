"""What each VK feature needs: which token kinds can do it and through which methods.

The inbox's account page shows this table, and ``verify()`` reports the features the stored tokens allow.
A community token (kind ``community``) is what a community admin creates in the community's settings; the
administrator's user token (kind ``user``) is needed for what VK does not let community tokens do.
"""
from __future__ import annotations

from chorus.networks.features import Feature, allowed

FEATURES = (
    Feature("read_comments", ("community",), ("groups.getLongPollServer", "Bots Long Poll"),
            "new, edited, deleted and restored comments as they happen (wall_reply_*)"),
    Feature("read_messages", ("community",), ("groups.getLongPollServer", "Bots Long Poll"),
            "private messages to the community (message_new)"),
    Feature("read_posts", ("community",), ("groups.getLongPollServer", "Bots Long Poll"),
            "the community's own new posts (wall_post_new)"),
    Feature("reply_comments", ("community", "user"), ("wall.createComment",),
            "answer in a comment thread on behalf of the community (from_group, reply_to_comment, guid)"),
    Feature("send_messages", ("community",), ("messages.send",),
            "answer private messages (random_id makes a re-send land once)"),
    Feature("publish_posts", ("user",), ("wall.post", "photos.getWallUploadServer", "photos.saveWallPhoto"),
            "publish posts with photos on the community's wall (guid)"),
    Feature("schedule_posts", ("user",), ("wall.post", "wall.get"),
            "VK-side scheduling with publish_date; postponed posts are read back with wall.get filter=postponed"),
    Feature("backfill_comments", ("user",), ("wall.get", "wall.getComments"),
            "read comments written while Chorus was not listening"),
    Feature("followers", ("community", "user"), ("groups.getById",), "members count"),
    Feature("audience_stats", ("user",), ("stats.get",), "reach, views and activity (administrators only)"),
    Feature("mentions", ("user",), ("newsfeed.search",), "public posts naming the brand keywords"),
)


def features_for(token_kinds: set[str] | list[str]) -> list[str]:
    """Names of the features the given token kinds allow."""
    return allowed(FEATURES, token_kinds)


def feature(name: str) -> Feature:
    return next(f for f in FEATURES if f.name == name)
