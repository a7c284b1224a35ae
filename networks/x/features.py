"""What an X account can do, and with which token: ``bearer`` (app-only or OAuth 2.0 user token) reads,
``user`` (OAuth 2.0 user token) writes and reads the account itself."""
from __future__ import annotations

from chorus.networks.features import Feature, allowed

FEATURES = (
    Feature("read_comments", ("bearer", "user"), ("GET /2/users/:id/mentions",),
            "replies in the account's own conversations, and their edits"),
    Feature("mentions", ("bearer", "user"), ("GET /2/users/:id/mentions", "GET /2/tweets/search/recent"),
            "posts naming the account, and recent posts with the brand keywords"),
    Feature("backfill_comments", ("bearer", "user"), ("GET /2/users/:id/mentions",),
            "replies written while Chorus was not listening (up to X's limits)"),
    Feature("reply_comments", ("user",), ("POST /2/tweets",), "answer in a conversation (in_reply_to_tweet_id)"),
    Feature("publish_posts", ("user",), ("POST /2/tweets", "POST /2/media/upload"), "post, with up to 4 images"),
    Feature("followers", ("bearer", "user"), ("GET /2/users/:id",), "followers count"),
)


def features_for(token_kinds: set[str] | list[str]) -> list[str]:
    return allowed(FEATURES, token_kinds)
