"""One X account as an ``AccountClient``: read mentions and keyword hits, reply, post, count followers.

Tokens (``Credentials.tokens``), all OAuth 2.0 Bearer tokens, so every call is one ``Authorization``
header and nothing is signed:

- ``bearer``: an app-only bearer token or the account's OAuth 2.0 user token, used for reads (mentions,
  search, user lookup, read-back). Optional when ``user`` is present.
- ``user``: the account's OAuth 2.0 user access token (PKCE flow, scopes ``tweet.read tweet.write
  users.read media.write``), used for writes and ``/2/users/me``. Without it the account is read-only.

OAuth 1.0a user context is not supported (four secrets per account for the same rights). Refreshing an
OAuth 2.0 user token is the connecting flow's job: an expired one is ``TokenInvalid`` here.

Settings (``Credentials.settings``, all optional): ``handle`` (the @username, learnt by ``verify`` when
absent), ``http_timeout`` (seconds per request, default 20), ``rate_limit_max_wait`` (seconds a call may
wait for a rate-limit window; longer waits raise ``RetryLater``; default 30), ``page_size`` (posts per
read, 10-100, default 100) and ``pages_per_poll`` (default 3).

X has no idempotency key. Writes remember in memory which post a key answered; ``find_sent`` reads the
account's own recent posts back (``GET /2/users/:id/tweets``) and matches text (and the reply target
when this process sent it), so a retry after an unobserved outcome does not post twice. There is no
native scheduling on X: ``publish_post`` with a future ``publish_at`` is refused, the publisher sends it
at the time. Direct messages are not supported (feature absent).
"""
from __future__ import annotations

import html
import re
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from typing import Any

from chorus.events import Network
from chorus.networks.base import (
    AccountProfile,
    Batch,
    Endpoints,
    Media,
    Reader,
    Sent,
    Stats,
    Target,
)
from chorus.networks.credentials import Credentials
from chorus.networks.errors import (
    ContentRejected,
    NotFound,
    OutcomeUnknown,
    PermissionMissing,
    RetryLater,
)
from chorus.networks.x.api import XApi
from chorus.networks.x.features import features_for
from chorus.networks.x.mapping import (
    Context,
    Page,
    full_text,
    parse_time,
    replied_to_id,
    status_url,
)
from chorus.networks.x.readers import MentionsReader, Roots, search_readers

MAX_MEDIA = 4
_SCHEDULE_TOLERANCE = timedelta(seconds=60)
_READ_BACK_PAGES = 5
_REMEMBERED = 1000


class XClient:
    network = Network.X

    def __init__(self, credentials: Credentials, endpoints: Endpoints) -> None:
        if credentials.network != Network.X:
            raise ValueError(f"credentials of a {credentials.network.value} account given to the X adapter")
        if not credentials.external_id.isdigit():
            raise ValueError("an X account's external_id must be its numeric user id")
        self.account_id = credentials.account_id
        self._credentials = credentials
        self._user_id = credentials.external_id
        settings = credentials.settings
        self._handle: str | None = settings.get("handle") or None
        self._api = XApi(read_token=credentials.token("bearer"), write_token=credentials.token("user"),
                         endpoint=endpoints.x, timeout_s=_positive(settings, "http_timeout", 20.0),
                         max_wait=_positive(settings, "rate_limit_max_wait", 30.0))
        self._roots = Roots(self._api)
        self._paging = {"page_size": int(_positive(settings, "page_size", 100)),
                        "max_pages": int(_positive(settings, "pages_per_poll", 3))}
        if not 10 <= self._paging["page_size"] <= 100:
            raise ValueError("the X setting 'page_size' must be between 10 and 100")
        self._intents: OrderedDict[str, str | None] = OrderedDict()

    async def verify(self) -> AccountProfile:
        user: dict[str, Any] | None = None
        if self._credentials.token("user"):
            user = _data(await self._api.me())
            if user.get("id") != self._user_id:
                raise PermissionMissing(f"the 'user' credential belongs to X user {user.get('id')}, "
                                        f"not to {self._user_id}")
        if self._credentials.token("bearer") or user is None:
            user = _data(await self._api.user(self._user_id))
        self._handle = user.get("username") or self._handle
        kinds = sorted(k for k in ("bearer", "user") if self._credentials.token(k))
        features = features_for(kinds)
        return AccountProfile(network=Network.X, external_id=self._user_id, name=str(user.get("name") or ""),
                              handle=self._handle, url=f"https://x.com/{self._handle}" if self._handle else None,
                              token_kinds=kinds, features=features, followers=_followers(user))

    def readers(self, keywords: list[str]) -> list[Reader]:
        context = self._context()
        return [MentionsReader(self._api, context, self._roots, handle=self._handle, **self._paging),
                *search_readers(self._api, context, self._roots, keywords, **self._paging)]

    async def backfill(self, since: datetime) -> Batch:
        """Mentions since ``since`` (recent search reaches back 7 days only and is left to the readers)."""
        reader = MentionsReader(self._api, self._context(), self._roots, handle=self._handle)
        return await reader.read_since(since, max_pages=10)

    async def stats(self) -> Stats:
        user = _data(await self._api.user(self._user_id))
        metrics = user.get("public_metrics") if isinstance(user.get("public_metrics"), dict) else {}
        followers = metrics.get("followers_count")
        if not isinstance(followers, int):
            raise ContentRejected("X sent no followers_count for the account")
        posts = metrics.get("tweet_count")
        return Stats(followers=followers, posts=posts if isinstance(posts, int) else None)

    async def reply_to_comment(self, post_id: str, comment_id: str | None, text: str, key: str) -> Sent:
        target = comment_id or post_id
        if not target:
            raise ContentRejected("a reply needs the post or comment it answers")
        _check_text(text)
        self._remember(key, target)
        return self._sent(await self._api.create_tweet(text, in_reply_to=target))

    async def send_message(self, dialogue_id: str, text: str, key: str) -> Sent:
        raise PermissionMissing("direct messages are not supported for X accounts in Chorus")

    async def publish_post(self, text: str, media: list[Media], publish_at: datetime | None, key: str) -> Sent:
        if publish_at is not None and publish_at > datetime.now(UTC) + _SCHEDULE_TOLERANCE:
            raise ContentRejected("X has no scheduled posts: publish this post at its time instead")
        if len(media) > MAX_MEDIA:
            raise ContentRejected(f"X takes at most {MAX_MEDIA} images per post")
        for item in media:
            if not item.content_type.startswith("image/"):
                raise ContentRejected(f"only images can be attached to X posts, not {item.content_type}")
        if not text.strip() and not media:
            raise ContentRejected("an X post needs text or an image")
        media_ids = []
        for item in media:
            body = await self._api.upload_media(item.name, item.content_type, item.data)
            uploaded = body.get("data") if isinstance(body.get("data"), dict) else {}
            if not isinstance(uploaded.get("id"), str):
                raise OutcomeUnknown("X accepted an upload without returning its media id")
            media_ids.append(uploaded["id"])
        self._remember(key, None)
        return self._sent(await self._api.create_tweet(text, media_ids=media_ids))

    async def find_sent(self, key: str, text: str, since: datetime, target: Target | None = None) -> Sent | None:
        """The account's post since ``since`` with this text, answering the same post as the lost request."""
        known = key in self._intents or target is not None
        replied = self._intents[key] if key in self._intents else (
            (target.comment_id or target.post_id) if target is not None else None)
        wanted = _comparable(text)
        token = None
        matches: list[tuple[datetime, str]] = []
        for _ in range(_READ_BACK_PAGES):
            body = await self._api.user_tweets(self._user_id, start_time=since, pagination_token=token,
                                               max_results=100)
            for tweet in Page.of(body).tweets:
                if not isinstance(tweet, dict) or not isinstance(tweet.get("id"), str):
                    continue
                if _comparable(full_text(tweet)) != wanted or (known and replied_to_id(tweet) != replied):
                    continue
                try:
                    matches.append((parse_time(tweet.get("created_at")), tweet["id"]))
                except ValueError:
                    continue
            token = (body.get("meta") or {}).get("next_token") if isinstance(body.get("meta"), dict) else None
            if not token:
                break
        if not matches:
            return None
        created, tweet_id = min(matches)  # the first one is the one the lost request created
        return Sent(remote_id=tweet_id, url=status_url(self._handle, tweet_id), published_at=created)

    async def close(self) -> None:
        await self._api.close()

    def _context(self) -> Context:
        return Context(self._credentials.workspace_id, self.account_id, self._user_id, {})

    def _sent(self, body: dict[str, Any]) -> Sent:
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        tweet_id = data.get("id")
        if not isinstance(tweet_id, str):
            raise OutcomeUnknown("X answered the post without its id: reconcile with find_sent")
        return Sent(remote_id=tweet_id, url=status_url(self._handle, tweet_id), published_at=datetime.now(UTC))

    def _remember(self, key: str, target: str | None) -> None:
        self._intents[key] = target
        self._intents.move_to_end(key)
        while len(self._intents) > _REMEMBERED:
            self._intents.popitem(last=False)


def _data(body: dict[str, Any]) -> dict[str, Any]:
    """The ``data`` object of a read; X answers 200 with only ``errors`` for a missing or hidden object."""
    data = body.get("data")
    if isinstance(data, dict):
        return data
    errors = [e for e in body.get("errors") or [] if isinstance(e, dict)]
    titles = " ".join(str(e.get("title", "")) + " " + str(e.get("detail", "")) for e in errors)[:300]
    if "not found" in titles.lower():
        raise NotFound(f"X: {titles.strip()}")
    if "authoriz" in titles.lower() or "forbidden" in titles.lower():
        raise PermissionMissing(f"X: {titles.strip()}")
    raise RetryLater("X answered without the expected 'data' object" + (f": {titles.strip()}" if titles.strip() else ""))


def _followers(user: dict[str, Any]) -> int | None:
    metrics = user.get("public_metrics")
    value = metrics.get("followers_count") if isinstance(metrics, dict) else None
    return value if isinstance(value, int) and value >= 0 else None


def _check_text(text: str) -> None:
    if not text or not text.strip():
        raise ContentRejected("the reply text is empty")


_URL = re.compile(r"https?://\S+")
_LEADING_MENTIONS = re.compile(r"^(?:@\w+\s+)+")


def _comparable(text: str) -> str:
    """Text as X gives it back: entities unescaped, links shortened to t.co, the @mentions X puts in front
    of a reply dropped, whitespace normalised."""
    text = _LEADING_MENTIONS.sub("", html.unescape(text).strip())
    return " ".join(_URL.sub("<link>", text).split())


def _positive(settings: dict[str, Any], name: str, default: float) -> float:
    value = settings.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError(f"the X setting {name!r} must be a positive number of seconds, not {value!r}")
    return float(value)
