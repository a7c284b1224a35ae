"""X posts (tweets) as Chorus events, and the rule deciding which are comments and which are mentions.

The rule (the tweet decides, not the reader that found it, so the mentions timeline and the keyword search
agree on the same tweet):

- a tweet written by the account itself is nobody's inbound traffic: skipped;
- a reply (``referenced_tweets`` has ``replied_to``) inside a conversation the account started (the
  author of the conversation's root, ``conversation_id``, is the account) is a ``CommentReceived``:
  ``post_id`` is the conversation id, ``parent_comment_id`` the tweet it replies to, or ``None`` when it
  replies to the root post itself;
- everything else (a mention elsewhere, a keyword hit) is a ``MentionFound`` with the query that found it.

Edits: X gives an edited post a new id and lists all versions in ``edit_history_tweet_ids`` (oldest
first). A new version of a comment becomes ``CommentEdited`` keyed by the *first* id, the comment's
stable id; a new version of a mention is skipped (``MentionFound`` has no edited counterpart and the
mention's id is the first version's). Deletions are not visible in these timelines and are not reported.

Long posts: X sends ``note_tweet.text`` with the full text beside a truncated ``text``; the full text wins.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chorus.events import (
    Attachment,
    Author,
    CommentEdited,
    CommentReceived,
    Event,
    MentionFound,
    Network,
    derived_id,
)

_RAW_KEYS = ("conversation_id", "in_reply_to_user_id", "referenced_tweets", "lang", "edit_history_tweet_ids")
_MEDIA_KINDS = {"photo": "photo", "video": "video", "animated_gif": "video"}


@dataclass
class Page:
    """One X response (``data`` + ``includes``) indexed for mapping."""

    tweets: list[Any]
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    referenced: dict[str, dict[str, Any]] = field(default_factory=dict)
    media: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, body: dict[str, Any]) -> Page:
        data = body.get("data")
        includes = body.get("includes") if isinstance(body.get("includes"), dict) else {}
        return cls(tweets=data if isinstance(data, list) else ([] if data is None else [data]),
                   users=_index(includes.get("users"), "id"),
                   referenced=_index(includes.get("tweets"), "id"),
                   media=_index(includes.get("media"), "media_key"))


@dataclass(frozen=True)
class Context:
    workspace_id: str
    account_id: str
    #: The account's own X user id (``Credentials.external_id``).
    user_id: str
    #: conversation id → the author of its root post, as far as known.
    roots: dict[str, str]


class Malformed(ValueError):
    pass


def map_tweet(tweet: Any, page: Page, ctx: Context, query: str) -> list[Event]:
    """The events for one tweet (none when it is not inbound traffic); ``Malformed`` when unusable."""
    if not isinstance(tweet, dict):
        raise Malformed("a tweet must be a JSON object")
    tweet_id, author_id, created = tweet.get("id"), tweet.get("author_id"), tweet.get("created_at")
    if not isinstance(tweet_id, str) or not tweet_id or not isinstance(author_id, str) or not author_id:
        raise Malformed("a tweet needs string 'id' and 'author_id'")
    created_at = parse_time(created)
    if not isinstance(tweet.get("text"), str):
        raise Malformed("a tweet needs a string 'text'")
    if author_id == ctx.user_id:
        return []
    text = full_text(tweet)
    history = [str(i) for i in tweet.get("edit_history_tweet_ids") or [] if isinstance(i, str | int)]
    first_id = history[0] if history else tweet_id
    replied_to = replied_to_id(tweet)
    conversation = tweet.get("conversation_id") if isinstance(tweet.get("conversation_id"), str) else None
    is_comment = bool(replied_to and conversation and ctx.roots.get(conversation) == ctx.user_id)
    raw = {k: tweet[k] for k in _RAW_KEYS if k in tweet} | {"id": tweet_id}
    author = _author(author_id, page.users.get(author_id))
    if is_comment:
        root = page.referenced.get(conversation, {})
        # Keyed by the first version's id: X serves only the newest version of an edited post, so a reply
        # edited before Chorus first read it arrives only edited. Announcing it as received under the id the
        # original would have had lets the inbox show it, and a reply seen before is not received twice.
        received = CommentReceived(
            event_id=derived_id("x", ctx.account_id, CommentReceived.type, first_id),
            workspace_id=ctx.workspace_id, occurred_at=created_at, account_id=ctx.account_id,
            network=Network.X, comment_id=first_id, post_id=conversation,
            parent_comment_id=None if replied_to == conversation else replied_to, author=author, text=text,
            created_at=created_at, url=status_url(author.handle, first_id),
            post_text=full_text(root) if root.get("text") else None,
            attachments=_attachments(tweet, page), raw=raw)
        if first_id == tweet_id:
            return [received]
        return [received, CommentEdited(
            event_id=derived_id("x", ctx.account_id, CommentEdited.type, first_id, tweet_id),
            workspace_id=ctx.workspace_id, occurred_at=created_at, account_id=ctx.account_id,
            network=Network.X, comment_id=first_id, post_id=conversation, text=text, edited_at=created_at,
            raw=raw)]
    if first_id != tweet_id:
        return []  # a new version of a mention: MentionFound has no edited counterpart
    return [MentionFound(
        event_id=derived_id("x", ctx.account_id, MentionFound.type, tweet_id),
        workspace_id=ctx.workspace_id, occurred_at=created_at, account_id=ctx.account_id, network=Network.X,
        mention_id=tweet_id, author=author, text=text, created_at=created_at,
        url=status_url(author.handle, tweet_id), query=query, raw=raw)]


def replied_to_id(tweet: dict[str, Any]) -> str | None:
    for ref in tweet.get("referenced_tweets") or []:
        if isinstance(ref, dict) and ref.get("type") == "replied_to" and isinstance(ref.get("id"), str):
            return ref["id"]
    return None


def parse_time(value: Any) -> datetime:
    """X's ``created_at`` (``2025-01-01T10:00:00.000Z``), always with a time zone."""
    if not isinstance(value, str):
        raise Malformed("a tweet needs 'created_at'")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise Malformed(f"unreadable created_at {value[:40]!r}") from None
    if parsed.tzinfo is None:
        raise Malformed("created_at without a time zone")
    return parsed


def status_url(handle: str | None, tweet_id: str) -> str:
    return f"https://x.com/{handle}/status/{tweet_id}" if handle else f"https://x.com/i/web/status/{tweet_id}"


def full_text(tweet: dict[str, Any]) -> str:
    note = tweet.get("note_tweet")
    if isinstance(note, dict) and isinstance(note.get("text"), str):
        return note["text"]
    text = tweet.get("text")
    return text if isinstance(text, str) else ""


def _author(author_id: str, user: dict[str, Any] | None) -> Author:
    user = user or {}
    handle = user.get("username") if isinstance(user.get("username"), str) else None
    metrics = user.get("public_metrics") if isinstance(user.get("public_metrics"), dict) else {}
    followers = metrics.get("followers_count")
    return Author(id=author_id, name=user.get("name") if isinstance(user.get("name"), str) else "",
                  handle=handle, url=f"https://x.com/{handle}" if handle else None,
                  followers=followers if isinstance(followers, int) and followers >= 0 else None)


def _attachments(tweet: dict[str, Any], page: Page) -> list[Attachment]:
    found: list[Attachment] = []
    attachments = tweet.get("attachments") if isinstance(tweet.get("attachments"), dict) else {}
    for key in attachments.get("media_keys") or []:
        media = page.media.get(key) if isinstance(key, str) else None
        if media:
            found.append(Attachment(kind=_MEDIA_KINDS.get(media.get("type"), "other"),
                                    url=media.get("url") or media.get("preview_image_url"),
                                    title=media.get("alt_text")))
    entities = tweet.get("entities") if isinstance(tweet.get("entities"), dict) else {}
    for link in entities.get("urls") or []:
        if isinstance(link, dict) and (link.get("expanded_url") or link.get("url")):
            if "media_key" in link:
                continue  # the pic.x.com link of attached media, already listed above
            found.append(Attachment(kind="link", url=link.get("expanded_url") or link.get("url"),
                                    title=link.get("title")))
    return found


def _index(items: Any, key: str) -> dict[str, dict[str, Any]]:
    if not isinstance(items, list):
        return {}
    return {item[key]: item for item in items if isinstance(item, dict) and isinstance(item.get(key), str)}
