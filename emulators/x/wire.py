"""X API v2 wire format: objects with opt-in fields and expansions, problem bodies, rate-limit headers.

Fields are opt-in as on X: a tweet has ``id``, ``text`` and ``edit_history_tweet_ids`` unless
``tweet.fields`` asks for more; a user ``id``, ``name``, ``username``; media ``media_key`` and ``type``.
A post longer than 280 characters is sent truncated in ``text`` with the whole text in ``note_tweet``.
Errors are RFC 7807 problem bodies with ``Content-Type: application/json`` (tweepy reads them as JSON).
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from starlette.responses import JSONResponse

from chorus.emulators.x.world import Media, Tweet, User, World

TWEET_FIELDS = {"attachments", "author_id", "context_annotations", "conversation_id", "created_at",
                "edit_controls", "edit_history_tweet_ids", "entities", "geo", "id", "in_reply_to_user_id", "lang",
                "note_tweet", "possibly_sensitive", "public_metrics", "referenced_tweets", "reply_settings",
                "source", "text", "withheld"}
USER_FIELDS = {"created_at", "description", "entities", "id", "location", "name", "pinned_tweet_id",
               "profile_image_url", "protected", "public_metrics", "url", "username", "verified", "withheld"}
MEDIA_FIELDS = {"alt_text", "duration_ms", "height", "media_key", "preview_image_url", "public_metrics", "type",
                "url", "variants", "width"}
EXPANSIONS = {"attachments.media_keys", "author_id", "in_reply_to_user_id", "referenced_tweets.id",
              "referenced_tweets.id.author_id", "entities.mentions.username"}
NOTE_LIMIT = 280
ID = re.compile(r"^[0-9]{1,19}$")


class Invalid(Exception):
    """A request X answers with 400 invalid-request; ``parameter`` names the offending one."""

    def __init__(self, message: str, parameter: str | None = None, value: str | None = None) -> None:
        super().__init__(message)
        self.parameter, self.value = parameter, value


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def field_list(params: Any, name: str, allowed: set[str]) -> set[str]:
    raw = params.get(name)
    if raw is None:
        return set()
    values = {v for v in raw.split(",") if v}
    unknown = sorted(values - allowed)
    if unknown:
        raise Invalid(f"The `{name}` query parameter value [{unknown[0]}] is not one of "
                      f"[{','.join(sorted(allowed))}]", name, unknown[0])
    return values


def tweet_json(tweet: Tweet, fields: set[str], world: World) -> dict[str, Any]:
    if tweet.raw is not None:
        return dict(tweet.raw)
    text = tweet.text
    out: dict[str, Any] = {"id": tweet.id, "text": text if len(text) <= NOTE_LIMIT else text[:NOTE_LIMIT - 1] + "…",
                           "edit_history_tweet_ids": list(tweet.edit_history[:tweet.edit_history.index(tweet.id) + 1])}
    if "author_id" in fields:
        out["author_id"] = tweet.author_id
    if "conversation_id" in fields:
        out["conversation_id"] = tweet.conversation_id
    if "created_at" in fields:
        out["created_at"] = iso(tweet.created_at)
    if "in_reply_to_user_id" in fields and tweet.in_reply_to_user_id:
        out["in_reply_to_user_id"] = tweet.in_reply_to_user_id
    if "lang" in fields:
        out["lang"] = tweet.lang
    if "referenced_tweets" in fields and tweet.replied_to:
        out["referenced_tweets"] = [{"type": "replied_to", "id": tweet.replied_to}]
    if "attachments" in fields and tweet.media_keys:
        out["attachments"] = {"media_keys": list(tweet.media_keys)}
    if "note_tweet" in fields and len(text) > NOTE_LIMIT:
        out["note_tweet"] = {"text": text}
    if "public_metrics" in fields:
        replies = sum(1 for t in world.tweets.values() if t.replied_to == tweet.id and not t.deleted)
        out["public_metrics"] = {"retweet_count": 0, "reply_count": replies, "like_count": tweet.like_count,
                                 "quote_count": 0, "bookmark_count": 0, "impression_count": 10 * (replies + 1)}
    if "edit_controls" in fields:
        out["edit_controls"] = {"edits_remaining": max(0, 6 - len(tweet.edit_history)), "is_edit_eligible": True,
                                "editable_until": iso(tweet.created_at)}
    if "entities" in fields:
        entities = _entities(tweet, world)
        if entities:
            out["entities"] = entities
    return out


def _entities(tweet: Tweet, world: World) -> dict[str, Any]:
    entities: dict[str, Any] = {}
    mentions = []
    for username in dict.fromkeys(tweet.mentions()):
        user = world.by_username(username)
        start = tweet.text.lower().find("@" + username)
        item = {"start": start, "end": start + len(username) + 1, "username": user.username if user else username}
        if user:
            item["id"] = user.id
        mentions.append(item)
    if mentions:
        entities["mentions"] = mentions
    tags = [{"start": tweet.text.find("#" + t), "end": tweet.text.find("#" + t) + len(t) + 1, "tag": t}
            for t in dict.fromkeys(tweet.hashtags())]
    if tags:
        entities["hashtags"] = tags
    urls = [{"start": tweet.text.find(u), "end": tweet.text.find(u) + len(u), "url": "https://t.co/emu" + str(i),
             "expanded_url": u, "display_url": u.split("://", 1)[-1][:40]} for i, u in enumerate(tweet.links())]
    if urls:
        entities["urls"] = urls
    return entities


def user_json(user: User, fields: set[str], world: World) -> dict[str, Any]:
    out: dict[str, Any] = {"id": user.id, "name": user.name, "username": user.username}
    if "created_at" in fields:
        out["created_at"] = iso(user.created_at)
    if "description" in fields:
        out["description"] = user.description
    if "protected" in fields:
        out["protected"] = False
    if "verified" in fields:
        out["verified"] = False
    if "profile_image_url" in fields:
        out["profile_image_url"] = f"https://pbs.twimg.com/profile_images/{user.id}/emu_normal.jpg"
    if "public_metrics" in fields:
        out["public_metrics"] = {"followers_count": user.followers, "following_count": user.following,
                                 "tweet_count": len(world.tweets_of(user)), "listed_count": 0, "like_count": 0}
    return out


def media_json(media: Media, fields: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"media_key": media.media_key, "type": media.type}
    if "url" in fields and media.type == "photo":
        out["url"] = media.url
    if "preview_image_url" in fields and media.type != "photo":
        out["preview_image_url"] = media.url
    if "width" in fields:
        out["width"] = 1200
    if "height" in fields:
        out["height"] = 675
    return out


def expand(tweets: list[Tweet], params: Any, world: World) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Render ``tweets`` with the request's fields, and the ``includes`` its expansions ask for."""
    tweet_fields = field_list(params, "tweet.fields", TWEET_FIELDS)
    user_fields = field_list(params, "user.fields", USER_FIELDS)
    media_fields = field_list(params, "media.fields", MEDIA_FIELDS)
    expansions = field_list(params, "expansions", EXPANSIONS)
    field_list(params, "place.fields", {"contained_within", "country", "country_code", "full_name", "geo", "id",
                                        "name", "place_type"})
    field_list(params, "poll.fields", {"duration_minutes", "end_datetime", "id", "options", "voting_status"})
    data = [tweet_json(t, tweet_fields, world) for t in tweets]
    users: dict[str, User] = {}
    referenced: dict[str, Tweet] = {}
    media: dict[str, Media] = {}
    for tweet in tweets:
        if tweet.raw is not None:
            continue
        if "author_id" in expansions and tweet.author_id in world.users:
            users.setdefault(tweet.author_id, world.users[tweet.author_id])
        if "in_reply_to_user_id" in expansions and tweet.in_reply_to_user_id in world.users:
            users.setdefault(tweet.in_reply_to_user_id, world.users[tweet.in_reply_to_user_id])
        if "entities.mentions.username" in expansions:
            for username in tweet.mentions():
                user = world.by_username(username)
                if user:
                    users.setdefault(user.id, user)
        if {"referenced_tweets.id", "referenced_tweets.id.author_id"} & expansions and tweet.replied_to:
            parent = world.tweets.get(tweet.replied_to)
            if parent is not None and not parent.deleted:
                referenced.setdefault(parent.id, parent)
                if "referenced_tweets.id.author_id" in expansions and parent.author_id in world.users:
                    users.setdefault(parent.author_id, world.users[parent.author_id])
        if "attachments.media_keys" in expansions:
            for key in tweet.media_keys:
                item = world.media_by_key(key)
                if item:
                    media.setdefault(key, item)
    includes: dict[str, Any] = {}
    if users:
        includes["users"] = [user_json(u, user_fields, world) for u in users.values()]
    if referenced:
        includes["tweets"] = [tweet_json(t, tweet_fields, world) for t in referenced.values()]
    if media:
        includes["media"] = [media_json(m, media_fields) for m in media.values()]
    return data, includes


def problem(status: int, title: str, detail: str, kind: str = "about:blank", **extra: Any) -> JSONResponse:
    return JSONResponse({"title": title, "detail": detail, "type": kind, "status": status, **extra},
                        status_code=status)


def invalid(error: Invalid) -> JSONResponse:
    item: dict[str, Any] = {"message": str(error)}
    if error.parameter:
        item["parameters"] = {error.parameter: [error.value or ""]}
    return JSONResponse({"errors": [item], "title": "Invalid Request",
                         "detail": "One or more parameters to your request was invalid.",
                         "type": "https://api.twitter.com/2/problems/invalid-request"}, status_code=400)


def unauthorized() -> JSONResponse:
    return problem(401, "Unauthorized", "Unauthorized")


def unsupported_auth() -> JSONResponse:
    return problem(403, "Unsupported Authentication",
                   "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported "
                   "authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].",
                   "https://api.twitter.com/2/problems/unsupported-authentication")


def too_many_requests() -> JSONResponse:
    return problem(429, "Too Many Requests", "Too Many Requests")


def not_found_error(value: str, resource: str, parameter: str) -> dict[str, Any]:
    """An entry of the ``errors`` list of a 200 answer that found only part of what was asked."""
    name = "tweet" if resource == "tweet" else "user"
    return {"value": value, "detail": f"Could not find {name} with {parameter}: [{value}].",
            "title": "Not Found Error", "resource_type": resource, "parameter": parameter, "resource_id": value,
            "type": "https://api.twitter.com/2/problems/resource-not-found"}
