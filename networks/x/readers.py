"""The two readers of an X account: its mentions timeline and a recent search for the brand keywords.

Both page newest-first, so a poll walks from the newest post down to the cursor's ``since_id``. The
cursor (opaque to ingest) is a small JSON object::

    {"v": 1, "since": "<newest id fully read>", "next": "<pagination token>", "top": "<newest id of the run>"}

``next``/``top`` are set only while a run is unfinished (more pages than ``max_pages`` in one poll): the
next poll resumes from the page token instead of jumping to the newest post, so a burst of traffic
is neither skipped nor read twice; ``since`` becomes ``top`` once the run reaches the old ``since``.
A bare id is accepted as ``{"since": id}``. An unreadable cursor restarts from the newest page (logged).
A page token X rejects (expired) restarts the run from ``since``; the events it repeats carry the same
``event_id``, so JetStream drops them.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from chorus.networks.base import Batch
from chorus.networks.errors import ContentRejected
from chorus.networks.x.api import XApi
from chorus.networks.x.mapping import Context, Malformed, Page, map_tweet, replied_to_id

log = logging.getLogger(__name__)

MAX_QUERY = 512
_ROOT_CACHE = 10_000


@dataclass
class Cursor:
    since: str | None = None
    next: str | None = None
    top: str | None = None

    @classmethod
    def parse(cls, text: str | None) -> Cursor:
        if not text:
            return cls()
        if text.isdigit():
            return cls(since=text)
        try:
            raw = json.loads(text)
            if not isinstance(raw, dict) or raw.get("v") != 1:
                raise ValueError("not a v1 cursor")
            values = {k: raw.get(k) for k in ("since", "next", "top")}
            if any(v is not None and not isinstance(v, str) for v in values.values()):
                raise ValueError("cursor fields must be strings")
            return cls(**values)
        except ValueError:
            log.warning("unreadable X cursor; reading from the newest posts again")
            return cls()

    def dump(self) -> str:
        return json.dumps({"v": 1, "since": self.since, "next": self.next, "top": self.top}, separators=(",", ":"))


class Roots:
    """Who wrote the root post of each conversation: decides comment or mention (see ``mapping``)."""

    def __init__(self, api: XApi) -> None:
        self._api = api
        self._authors: dict[str, str] = {}

    def known(self) -> dict[str, str]:
        return self._authors

    async def resolve(self, page: Page) -> None:
        unknown: list[str] = []
        for tweet in page.tweets:
            if not isinstance(tweet, dict):
                continue
            conversation, parent = tweet.get("conversation_id"), replied_to_id(tweet)
            if not isinstance(conversation, str) or not parent or conversation in self._authors:
                continue
            root = page.referenced.get(conversation)
            if root and isinstance(root.get("author_id"), str):
                self._remember(conversation, root["author_id"])
            elif parent == conversation and isinstance(tweet.get("in_reply_to_user_id"), str):
                self._remember(conversation, tweet["in_reply_to_user_id"])
            elif conversation not in unknown:
                unknown.append(conversation)
        for start in range(0, len(unknown), 100):
            ids = unknown[start:start + 100]
            body = await self._api.tweets(ids)
            for root in Page.of(body).tweets:
                if isinstance(root, dict) and isinstance(root.get("author_id"), str) and root.get("id") in ids:
                    self._remember(root["id"], root["author_id"])
            for conversation in ids:  # deleted or hidden roots: nobody's, so the reply is a mention
                self._authors.setdefault(conversation, "")

    def _remember(self, conversation: str, author: str) -> None:
        if len(self._authors) >= _ROOT_CACHE:
            del self._authors[next(iter(self._authors))]
        self._authors[conversation] = author


class _TimelineReader:
    source = ""

    def __init__(self, api: XApi, context: Context, roots: Roots, *, max_pages: int = 3,
                 page_size: int = 100) -> None:
        self._api = api
        self._context = context
        self._roots = roots
        self._max_pages = max_pages
        self._page_size = page_size

    async def poll(self, cursor: str | None) -> Batch:
        state = Cursor.parse(cursor)
        if state.next:
            try:
                return await self._run(state)
            except ContentRejected:
                log.warning("X rejected the saved page token of %s; restarting the run", self.source)
                state = Cursor(since=state.since)
        return await self._run(state)

    async def read_since(self, start: datetime, max_pages: int) -> Batch:
        """Everything from ``start`` on (backfill); the cursor is left alone."""
        batch, token = Batch(), None
        for _ in range(max_pages):
            body = await self._fetch(since=None, token=token, start=start)
            await self._map(body, batch)
            token = _next_token(body)
            if not token:
                break
        batch.events.reverse()
        return batch

    async def _run(self, state: Cursor) -> Batch:
        batch, token, top = Batch(), state.next, state.top
        for _ in range(self._max_pages):
            body = await self._fetch(since=state.since, token=token, start=None)
            if top is None:
                newest = (body.get("meta") or {}).get("newest_id") if isinstance(body.get("meta"), dict) else None
                top = newest if isinstance(newest, str) else None
            await self._map(body, batch)
            token = _next_token(body)
            if not token:
                break
        batch.events.reverse()  # pages come newest first; ingest gets them oldest first
        batch.cursor = (Cursor(since=state.since, next=token, top=top) if token
                        else Cursor(since=_newer(top, state.since))).dump()
        return batch

    async def _map(self, body: dict[str, Any], batch: Batch) -> None:
        page = Page.of(body)
        await self._roots.resolve(page)
        context = Context(self._context.workspace_id, self._context.account_id, self._context.user_id,
                          self._roots.known())
        for tweet in page.tweets:
            try:
                events = map_tweet(tweet, page, context, self._query_for(tweet))
            except (Malformed, ValidationError, TypeError, AttributeError) as exc:
                batch.rejected.append({"source": self.source, "reason": str(exc)[:300],
                                       "payload": tweet if isinstance(tweet, dict) else {"value": repr(tweet)}})
                continue
            batch.events.extend(reversed(events))  # the whole batch is reversed later (newest first)

    async def _fetch(self, *, since: str | None, token: str | None, start: datetime | None) -> dict[str, Any]:
        raise NotImplementedError

    def _query_for(self, tweet: Any) -> str:
        raise NotImplementedError


class MentionsReader(_TimelineReader):
    """``GET /2/users/:id/mentions``: posts that @-mention the account."""

    source = "mentions"

    def __init__(self, api: XApi, context: Context, roots: Roots, *, handle: str | None = None,
                 max_pages: int = 3, page_size: int = 100) -> None:
        super().__init__(api, context, roots, max_pages=max_pages, page_size=page_size)
        self._handle = handle

    async def _fetch(self, *, since, token, start):
        return await self._api.mentions(self._context.user_id, since_id=since, pagination_token=token,
                                        start_time=start, max_results=self._page_size)

    def _query_for(self, tweet: Any) -> str:
        if self._handle is None and isinstance(tweet, dict):
            for mention in (tweet.get("entities") or {}).get("mentions") or []:
                if isinstance(mention, dict) and mention.get("id") == self._context.user_id:
                    self._handle = mention.get("username")
        return f"@{self._handle}" if self._handle else "@mentions"


class SearchReader(_TimelineReader):
    """``GET /2/tweets/search/recent`` for some brand keywords, OR-ed in one query (retweets excluded)."""

    source = "search"

    def __init__(self, api: XApi, context: Context, roots: Roots, keywords: list[str], *, source: str = "search",
                 max_pages: int = 3, page_size: int = 100) -> None:
        super().__init__(api, context, roots, max_pages=max_pages, page_size=page_size)
        self.source = source
        self.keywords = keywords
        self.query = build_query(keywords)

    async def _fetch(self, *, since, token, start):
        return await self._api.search(self.query, since_id=since, next_token=token, start_time=start,
                                      max_results=self._page_size)

    def _query_for(self, tweet: Any) -> str:
        text = (tweet.get("text") or "") if isinstance(tweet, dict) else ""
        note = tweet.get("note_tweet") if isinstance(tweet, dict) else None
        if isinstance(note, dict) and isinstance(note.get("text"), str):
            text = note["text"]
        folded = text.casefold() if isinstance(text, str) else ""
        for keyword in self.keywords:
            if keyword.casefold() in folded:
                return keyword
        return self.query


def search_readers(api: XApi, context: Context, roots: Roots, keywords: list[str], *, max_pages: int = 3,
                   page_size: int = 100) -> list[SearchReader]:
    """As few readers as the 512-character query limit allows: ``search``, ``search:2``, ..."""
    cleaned = [k for k in dict.fromkeys(_clean(k) for k in keywords) if k]
    groups: list[list[str]] = []
    for keyword in cleaned:
        if len(build_query([keyword])) > MAX_QUERY:
            raise ValueError(f"the keyword {keyword[:40]!r}... is too long for an X search query "
                             f"({MAX_QUERY} characters at most)")
        if groups and len(build_query(groups[-1] + [keyword])) <= MAX_QUERY:
            groups[-1].append(keyword)
        else:
            groups.append([keyword])
    return [SearchReader(api, context, roots, group, source="search" if i == 0 else f"search:{i + 1}",
                         max_pages=max_pages, page_size=page_size) for i, group in enumerate(groups)]


def build_query(keywords: list[str]) -> str:
    terms = [f'"{k}"' if re.search(r"[\s()\-:@#\"]", k) or k.upper() == "OR" else k for k in keywords]
    joined = " OR ".join(terms)
    return f"({joined}) -is:retweet" if len(terms) > 1 else f"{joined} -is:retweet"


def _clean(keyword: str) -> str:
    return " ".join(keyword.replace('"', " ").split())


def _next_token(body: dict[str, Any]) -> str | None:
    meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
    token = meta.get("next_token")
    return token if isinstance(token, str) and token else None


def _newer(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a or b
    try:
        return a if int(a) >= int(b) else b
    except ValueError:
        return a

