"""What a Facebook Page can do with its Page access token (``page``: pages_read_engagement,
pages_read_user_engagement, pages_manage_posts, pages_manage_engagement)."""
from __future__ import annotations

from chorus.networks.features import Feature, allowed

FEATURES = (
    Feature("read_comments", ("page",), ("GET /{page-id}/feed", "GET /{post-id}/comments"),
            "comments on the Page's recent posts, with edits and deletions"),
    Feature("backfill_comments", ("page",), ("GET /{post-id}/comments",), "comments written before connecting"),
    Feature("reply_comments", ("page",), ("POST /{comment-id}/comments",), "answer comments as the Page"),
    Feature("publish_posts", ("page",), ("POST /{page-id}/feed", "POST /{page-id}/photos"), "post, with photos"),
    Feature("schedule_posts", ("page",), ("POST /{page-id}/feed",),
            "Facebook-side scheduling (scheduled_publish_time, 10 minutes to 30 days ahead)"),
    Feature("followers", ("page",), ("GET /{page-id}",), "fan and follower counts"),
)


def features_for(token_kinds: set[str] | list[str]) -> list[str]:
    return allowed(FEATURES, token_kinds)
