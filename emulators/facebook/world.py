"""The Facebook emulator's state: Pages with tokens, posts (published, unpublished, scheduled), comments.

Ids look like Graph ids: a Page is a number, a post ``<page id>_<number>``, a comment
``<post number>_<number>``. Simplifications, on purpose: one token kind (Page tokens; ``/me`` is the
Page), no reactions or shares, no privacy (every commenter's ``from`` is visible), replies are two
levels deep as on Facebook (a reply to a reply hangs under the same top-level comment), and a scheduled
post goes live the first time the Page is read after its time.
"""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Page:
    id: str
    name: str
    username: str
    fan_count: int = 0
    followers_count: int = 0
    category: str = "Brand"

    @property
    def link(self) -> str:
        return f"https://www.facebook.com/{self.username or self.id}"


@dataclass
class Person:
    id: str
    name: str


@dataclass
class Post:
    id: str
    page_id: str
    from_id: str
    message: str
    created: int
    updated: int
    published: bool = True
    scheduled_at: int | None = None
    photo_ids: list[str] = field(default_factory=list)
    deleted: bool = False
    via_api: bool = False

    @property
    def local(self) -> str:
        return self.id.split("_", 1)[1]


@dataclass
class Comment:
    id: str
    post_id: str
    from_id: str
    message: str
    created: int
    parent_id: str | None = None
    attachment: dict[str, Any] | None = None
    is_hidden: bool = False
    deleted: bool = False
    via_api: bool = False
    #: Control-injected payload, served verbatim (to test clients against malformed comments).
    raw: dict[str, Any] | None = None


@dataclass
class Photo:
    id: str
    page_id: str
    created: int
    published: bool
    temporary: bool = False
    post_id: str | None = None


class World:
    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        """Forget everything (the control API's reset)."""
        self.pages: dict[str, Page] = {}
        self.people: dict[str, Person] = {}
        self.tokens: dict[str, str] = {}  # Page token -> Page id
        self.revoked: set[str] = set()
        self.posts: dict[str, Post] = {}
        self.comments: dict[str, Comment] = {}
        self.photos: dict[str, Photo] = {}
        self.sent: list[dict[str, Any]] = []
        self._numbers = itertools.count(int(time.time() * 1000) % 10**9 * 1000 + 10**14)

    def number(self) -> str:
        return str(next(self._numbers))

    # pages and people ---------------------------------------------------------------------------------

    def add_page(self, name: str, *, page_id: str | None = None, username: str = "", fan_count: int = 0,
                 followers_count: int | None = None) -> Page:
        page = Page(id=page_id or self.number(), name=name, username=username, fan_count=fan_count,
                    followers_count=fan_count if followers_count is None else followers_count)
        self.pages[page.id] = page
        return page

    def person(self, name: str, person_id: str | None = None) -> Person:
        if person_id and person_id in self.people:
            return self.people[person_id]
        found = next((p for p in self.people.values() if p.name == name and person_id is None), None)
        if found:
            return found
        person = Person(id=person_id or self.number(), name=name)
        self.people[person.id] = person
        return person

    def name_of(self, sender_id: str) -> str:
        if sender_id in self.pages:
            return self.pages[sender_id].name
        person = self.people.get(sender_id)
        return person.name if person else ""

    # posts and comments -------------------------------------------------------------------------------

    def add_post(self, page: Page, message: str, *, from_id: str | None = None, created: int | None = None,
                 published: bool = True, scheduled_at: int | None = None, photo_ids: list[str] | None = None,
                 via_api: bool = False) -> Post:
        moment = created or int(time.time())
        post = Post(id=f"{page.id}_{self.number()}", page_id=page.id, from_id=from_id or page.id, message=message,
                    created=moment, updated=moment, published=published, scheduled_at=scheduled_at,
                    photo_ids=list(photo_ids or []), via_api=via_api)
        self.posts[post.id] = post
        return post

    def add_comment(self, post: Post, from_id: str, message: str, *, parent: Comment | None = None,
                    created: int | None = None, attachment: dict[str, Any] | None = None,
                    via_api: bool = False) -> Comment:
        if parent is not None and parent.parent_id is not None:
            parent = self.comments[parent.parent_id]  # Facebook threads are two levels deep
        moment = created or int(time.time())
        comment = Comment(id=f"{post.local}_{self.number()}", post_id=post.id, from_id=from_id, message=message,
                          created=moment, parent_id=parent.id if parent else None, attachment=attachment,
                          via_api=via_api)
        self.comments[comment.id] = comment
        post.updated = max(post.updated, moment, int(time.time()))
        return comment

    def delete_comment(self, comment: Comment) -> None:
        comment.deleted = True
        for reply in self.comments.values():
            if reply.parent_id == comment.id:
                reply.deleted = True
        self.posts[comment.post_id].updated = int(time.time())

    def publish_due(self) -> None:
        now = int(time.time())
        for post in self.posts.values():
            if not post.published and post.scheduled_at is not None and post.scheduled_at <= now:
                post.published, post.created, post.updated = True, post.scheduled_at, post.scheduled_at

    def feed(self, page: Page) -> list[Post]:
        self.publish_due()
        return sorted((p for p in self.posts.values() if p.page_id == page.id and p.published and not p.deleted),
                      key=lambda p: (p.created, p.id), reverse=True)

    def scheduled(self, page: Page) -> list[Post]:
        self.publish_due()
        return sorted((p for p in self.posts.values() if p.page_id == page.id and not p.published
                       and p.scheduled_at is not None and not p.deleted), key=lambda p: (p.scheduled_at, p.id))

    def comments_of(self, node_id: str, *, stream: bool) -> list[Comment]:
        """Live comments under a post (top level, or all levels with ``stream``) or replies to a comment."""
        if node_id in self.posts:
            found = [c for c in self.comments.values() if c.post_id == node_id and not c.deleted
                     and (stream or c.parent_id is None)]
        else:
            found = [c for c in self.comments.values() if c.parent_id == node_id and not c.deleted]
        return sorted(found, key=comment_order)


def comment_order(comment: Comment) -> tuple[int, int, str]:
    return comment.created, len(comment.id), comment.id
