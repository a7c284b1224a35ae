"""What a Telegram channel connected through its bot can do (all with the one ``bot`` token).

The inbox's account page shows this table. The bot must be an administrator of the channel (to post) and
a member of the linked discussion group with privacy mode off or administrator rights (to see comments).
"""
from __future__ import annotations

from chorus.networks.features import Feature

FEATURES = (
    Feature("read_comments", ("bot",), ("getUpdates",), "comments in the linked discussion group, and their edits",
            needs_discussion=True),
    Feature("read_messages", ("bot",), ("getUpdates",), "private messages to the bot"),
    Feature("read_posts", ("bot",), ("getUpdates",), "the channel's posts (channel_post)"),
    Feature("reply_comments", ("bot",), ("sendMessage",), "answer comments (reply_parameters)",
            needs_discussion=True),
    Feature("send_messages", ("bot",), ("sendMessage",), "answer private messages (only people who wrote first)"),
    Feature("publish_posts", ("bot",), ("sendMessage", "sendPhoto"), "post to the channel, with one photo"),
    Feature("followers", ("bot",), ("getChatMemberCount",), "subscriber count"),
)


def features_for(*, discussion: bool, reads_groups: bool = True) -> list[str]:
    """Names of the features available: comment features need the discussion group, and a bot that can read
    all group messages (privacy mode off) or is an administrator there."""
    return [f.name for f in FEATURES if not f.needs_discussion or (discussion and reads_groups)]
