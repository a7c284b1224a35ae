"""One Facebook Page as an ``AccountClient``: comment polling, replies, posts (scheduled too), fan count.

Token: kind ``page``, a Page access token (permissions ``pages_read_engagement``,
``pages_read_user_engagement``, ``pages_manage_posts``, ``pages_manage_engagement``); ``external_id`` is
the Page id. Settings (``Credentials.settings``, all optional): ``http_timeout`` (seconds per request,
default 20), ``rate_limit_max_wait`` (seconds a call may wait for the usage gate, default 30),
``window_days`` (how old a post may be and still be polled for comments, default 14), ``max_posts``
(default 20), ``comments_page_size`` (default 100) and ``max_comments_per_poll`` (default 500).

Posts: text goes to ``POST /{page-id}/feed``; one image to ``POST /{page-id}/photos`` with the text as
caption; several images are uploaded unpublished and attached with ``attached_media``. A ``publish_at``
10 minutes to 30 days ahead uses Facebook's own scheduling (``published=false`` +
``scheduled_publish_time``); a nearer one is refused, the publisher sends it at the time instead.

Facebook has no idempotency key: ``find_sent`` reads back the Page's posts, scheduled posts, and the
Page's own comments under the reply's target (known when this process sent the key) or under recent
posts, matching the text, so a retry after an unobserved outcome does not post twice.
Private messages (Messenger) are not supported.
"""
from __future__ import annotations

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
)
from chorus.networks.facebook.features import features_for
from chorus.networks.facebook.graph import GraphApi
from chorus.networks.facebook.mapping import Context, Malformed, parse_time
from chorus.networks.facebook.reader import FeedReader

SCHEDULE_MIN = timedelta(minutes=10)
SCHEDULE_MAX = timedelta(days=30)
MAX_IMAGES = 10
_REMEMBERED = 1000
_BACKFILL_MAX = 5000


class FacebookClient:
    network = Network.FACEBOOK

    def __init__(self, credentials: Credentials, endpoints: Endpoints) -> None:
        if credentials.network != Network.FACEBOOK:
            raise ValueError(f"credentials of a {credentials.network.value} account given to the Facebook adapter")
        if not credentials.external_id.isdigit():
            raise ValueError("a Facebook account's external_id must be its numeric Page id")
        settings = credentials.settings
        self.account_id = credentials.account_id
        self._page_id = credentials.external_id
        self._context = Context(credentials.workspace_id, credentials.account_id, credentials.external_id)
        self._api = GraphApi(credentials.token("page"), base_url=endpoints.facebook,
                             version=endpoints.facebook_version, timeout_s=_number(settings, "http_timeout", 20.0),
                             max_wait=_number(settings, "rate_limit_max_wait", 30.0))
        self._window_days = _number(settings, "window_days", 14.0)
        self._max_posts = int(_number(settings, "max_posts", 20))
        self._page_size = int(_number(settings, "comments_page_size", 100))
        self._max_comments = int(_number(settings, "max_comments_per_poll", 500))
        self._intents: OrderedDict[str, str | None] = OrderedDict()

    async def verify(self) -> AccountProfile:
        page = await self._api.get(self._page_id, fields="id,name,link,username,fan_count,followers_count")
        me = await self._api.get("me", fields="id,name")
        if str(me.get("id")) != self._page_id:
            raise PermissionMissing(f"the credential is not one of Page {self._page_id} "
                                    f"(it belongs to {me.get('id')})")
        followers = page.get("followers_count", page.get("fan_count"))
        return AccountProfile(network=Network.FACEBOOK, external_id=self._page_id, name=str(page.get("name") or ""),
                              handle=page.get("username") if isinstance(page.get("username"), str) else None,
                              url=page.get("link") if isinstance(page.get("link"), str) else None,
                              token_kinds=["page"], features=features_for(["page"]),
                              followers=followers if isinstance(followers, int) and followers >= 0 else None)

    def readers(self, keywords: list[str]) -> list[Reader]:
        """The Page's comments; the Graph API has no keyword search of public posts, so ``keywords`` is unused."""
        return [self._reader()]

    async def backfill(self, since: datetime) -> Batch:
        """Comments created since ``since`` under posts of the window (or created since then, if earlier)."""
        reader = self._reader()
        batch = Batch()
        oldest = min(since.timestamp(), datetime.now(UTC).timestamp() - self._window_days * 86400)
        posts = await reader.recent_posts(since=int(oldest), limit=100)
        budget = _BACKFILL_MAX
        for post in reversed(posts):
            budget -= await reader.read_post(post, batch, since=since, budget=budget)
            if budget <= 0:
                break
        return batch

    async def stats(self) -> Stats:
        page = await self._api.get(self._page_id, fields="fan_count,followers_count")
        followers = page.get("followers_count", page.get("fan_count"))
        if not isinstance(followers, int) or followers < 0:
            raise ContentRejected("Facebook sent no followers_count or fan_count for the Page")
        return Stats(followers=followers)

    async def reply_to_comment(self, post_id: str, comment_id: str | None, text: str, key: str) -> Sent:
        target = comment_id or post_id
        if not target:
            raise ContentRejected("a reply needs the post or comment it answers")
        if not text.strip():
            raise ContentRejected("the reply text is empty")
        self._remember(key, target)
        return self._sent(await self._api.post(target, "comments", data={"message": text}), None)

    async def send_message(self, dialogue_id: str, text: str, key: str) -> Sent:
        raise PermissionMissing("private messages (Messenger) are not supported for Facebook Pages in Chorus")

    async def publish_post(self, text: str, media: list[Media], publish_at: datetime | None, key: str) -> Sent:
        schedule = _schedule(publish_at)
        if not text.strip() and not media:
            raise ContentRejected("a Facebook post needs text or an image")
        if len(media) > MAX_IMAGES:
            raise ContentRejected(f"Chorus attaches at most {MAX_IMAGES} images to a Facebook post")
        for item in media:
            if not item.content_type.startswith("image/"):
                raise ContentRejected(f"only images can be attached to Facebook posts, not {item.content_type}")
        timing: dict[str, Any] = ({"published": False, "scheduled_publish_time": int(schedule.timestamp())}
                                  if schedule else {})
        self._remember(key, None)
        if len(media) == 1:
            item = media[0]
            body = await self._api.post(self._page_id, "photos", data={"message": text, **timing},
                                        files={"source": (item.name or "image", item.data, item.content_type)})
            return self._sent({"id": body.get("post_id") or body.get("id")}, schedule)
        data: dict[str, Any] = {"message": text, **timing}
        for index, item in enumerate(media):
            photo = await self._api.post(self._page_id, "photos",
                                         data={"published": False, "temporary": bool(schedule)},
                                         files={"source": (item.name or "image", item.data, item.content_type)})
            if not isinstance(photo.get("id"), str):
                raise OutcomeUnknown("Facebook accepted a photo without returning its id")
            data[f"attached_media[{index}]"] = f'{{"media_fbid":"{photo["id"]}"}}'
        return self._sent(await self._api.post(self._page_id, "feed", data=data), schedule)

    async def find_sent(self, key: str, text: str, since: datetime, target: Target | None = None) -> Sent | None:
        """The Page's post, scheduled post or comment with ``text`` created since ``since``, if any."""
        wanted = " ".join(text.split())
        answered = (target.comment_id or target.post_id) if target is not None else None
        known = key in self._intents or target is not None
        target = self._intents.get(key, answered)
        if known and target:
            return await self._own_comment(target, wanted, since)
        found = await self._own_post(wanted, since)
        if found or known:
            return found
        for post in await self._reader().recent_posts(since=int(since.timestamp()) - 30 * 86400, limit=10):
            found = await self._own_comment(post["id"], wanted, since)
            if found:
                return found
        return None

    async def close(self) -> None:
        await self._api.close()

    def _reader(self) -> FeedReader:
        return FeedReader(self._api, self._context, window_days=self._window_days, max_posts=self._max_posts,
                          max_comments=self._max_comments, page_size=min(self._page_size, 100))

    async def _own_post(self, wanted: str, since: datetime) -> Sent | None:
        body = await self._api.get(self._page_id, "feed", fields="id,message,created_time,from",
                                   since=int(since.timestamp()) - 1, limit=100)
        scheduled = await self._api.get(self._page_id, "scheduled_posts",
                                        fields="id,message,created_time,scheduled_publish_time", limit=100)
        for item in [*(body.get("data") or []), *(scheduled.get("data") or [])]:
            if self._matches(item, wanted, since, check_author="from" in item):
                when = item.get("scheduled_publish_time")
                return Sent(remote_id=item["id"], url=f"https://www.facebook.com/{item['id']}",
                            published_at=datetime.fromtimestamp(when, UTC) if isinstance(when, int)
                            else parse_time(item["created_time"]))
        return None

    async def _own_comment(self, target: str, wanted: str, since: datetime) -> Sent | None:
        try:
            body = await self._api.get(target, "comments", filter="stream", order="reverse_chronological",
                                       limit=100, fields="id,message,created_time,from")
        except NotFound:
            return None
        for item in body.get("data") or []:
            if self._matches(item, wanted, since, check_author=True):
                return Sent(remote_id=item["id"], url=f"https://www.facebook.com/{item['id']}",
                            published_at=parse_time(item["created_time"]))
        return None

    def _matches(self, item: Any, wanted: str, since: datetime, *, check_author: bool) -> bool:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            return False
        sender = item.get("from") if isinstance(item.get("from"), dict) else {}
        if check_author and sender.get("id") != self._page_id:
            return False
        try:
            created = parse_time(item.get("created_time"))
        except Malformed:
            return False
        return created >= since - timedelta(seconds=1) and " ".join(str(item.get("message") or "").split()) == wanted

    def _sent(self, body: dict[str, Any], schedule: datetime | None) -> Sent:
        remote_id = body.get("id")
        if not isinstance(remote_id, str) or not remote_id:
            raise OutcomeUnknown("Facebook answered without the new object's id: reconcile with find_sent")
        return Sent(remote_id=remote_id, url=f"https://www.facebook.com/{remote_id}",
                    published_at=schedule or datetime.now(UTC))

    def _remember(self, key: str, target: str | None) -> None:
        self._intents[key] = target
        self._intents.move_to_end(key)
        while len(self._intents) > _REMEMBERED:
            self._intents.popitem(last=False)


def _schedule(publish_at: datetime | None) -> datetime | None:
    """``publish_at`` when it calls for native scheduling, ``None`` for now; refuses what Facebook would."""
    if publish_at is None:
        return None
    if publish_at.tzinfo is None:
        raise ContentRejected("publish_at must carry a time zone")
    ahead = publish_at - datetime.now(UTC)
    if ahead <= timedelta(seconds=60):
        return None
    if not SCHEDULE_MIN <= ahead <= SCHEDULE_MAX:
        raise ContentRejected("Facebook schedules posts 10 minutes to 30 days ahead; publish this one at its time")
    return publish_at


def _number(settings: dict[str, Any], name: str, default: float) -> float:
    value = settings.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError(f"the Facebook setting {name!r} must be a positive number, not {value!r}")
    return float(value)
