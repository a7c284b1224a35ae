"""The VK emulator's state: communities with their walls, comment threads, dialogues, tokens and uploads.

Kept the way VK keeps it where a client can tell: posts and comments of one wall share one id counter;
a community is the negative owner id of its wall; a ``guid`` (wall.post, wall.createComment) or a
``random_id`` (messages.send) seen again within an hour returns what it created the first time instead of
creating it twice. Simplifications: one admin user per user token, no privacy settings beyond "the user
wrote to the community first", no media other than photos, time can be moved forward by the control API.
"""
from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from chorus.emulators.vk.callback import CallbackServer
from chorus.emulators.vk.events import EventLog
from chorus.emulators.vk.objects import (
    comment_event_object,
    message_object,
    post_object,
)

GROUP, USER, SERVICE = "group", "user", "service"
DEDUP_WINDOW = 3600


@dataclass
class Token:
    value: str
    kind: str  # group | user | service
    owner_id: int  # the community's id for a group token, the user's id for a user token
    revoked: bool = False


@dataclass
class Person:
    id: int
    first_name: str
    last_name: str = ""

    @property
    def screen_name(self) -> str:
        return f"id{self.id}"


@dataclass
class Comment:
    id: int
    owner_id: int
    post_id: int
    from_id: int
    date: int
    text: str
    parents_stack: list[int] = field(default_factory=list)
    reply_to_comment: int | None = None
    reply_to_user: int | None = None
    attachments: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False


@dataclass
class Post:
    id: int
    owner_id: int
    from_id: int
    date: int
    text: str
    attachments: list[dict[str, Any]] = field(default_factory=list)
    postponed: bool = False
    created_by: int | None = None
    deleted: bool = False


@dataclass
class Message:
    id: int
    conversation_message_id: int
    peer_id: int
    from_id: int
    date: int
    text: str
    out: int
    random_id: int = 0
    reply_to: int | None = None


@dataclass
class Community:
    id: int
    name: str
    screen_name: str
    members_count: int = 0
    admins: set[int] = field(default_factory=set)
    posts: dict[int, Post] = field(default_factory=dict)
    comments: dict[int, Comment] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)
    #: Users who wrote to the community first: it may answer them (VK error 901 otherwise).
    can_message: set[int] = field(default_factory=set)
    events: EventLog = field(init=False)
    next_item_id: int = 1
    next_message_id: int = 1

    def __post_init__(self) -> None:
        self.events = EventLog(self.id)

    def new_item_id(self) -> int:
        item_id, self.next_item_id = self.next_item_id, self.next_item_id + 1
        return item_id


@dataclass
class Photo:
    id: int
    owner_id: int
    album_id: int
    date: int
    data: bytes = field(repr=False)
    content_type: str = "image/jpeg"


@dataclass
class Sent:
    """One write a client made, as the control API lists it (including retries VK de-duplicated)."""

    kind: str  # comment | post | message
    id: int
    owner_id: int
    text: str
    at: int
    post_id: int | None = None
    reply_to_comment: int | None = None
    peer_id: int | None = None
    guid: str | None = None
    random_id: int | None = None
    publish_date: int | None = None
    deduplicated: bool = False

    def describe(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


class World:
    """Everything the VK emulator knows; methods, long poll and the control API read and change it."""

    def __init__(self) -> None:
        self.clock_offset = 0
        self.tokens: dict[str, Token] = {}
        self.people: dict[int, Person] = {}
        self.communities: dict[int, Community] = {}
        #: Public posts on other walls, found by newsfeed.search (brand mentions).
        self.mentions: list[Post] = []
        self.photos: dict[int, Photo] = {}
        self.upload_tickets: dict[str, int] = {}
        #: Received uploads by their ``hash``, waiting for photos.saveWallPhoto.
        self.uploads: dict[str, dict[str, Any]] = {}
        self.sent: list[Sent] = []
        self.callbacks: dict[int, CallbackServer] = {}
        self._dedup: dict[tuple[Any, ...], tuple[int, Any]] = {}
        self._next_id = 1000

    def now(self) -> int:
        return int(time.time()) + self.clock_offset

    def next_id(self) -> int:
        self._next_id += 1
        return self._next_id

    # --- people, communities, tokens -------------------------------------------------------------
    def person(self, user_id: int, first_name: str | None = None, last_name: str = "") -> Person:
        if user_id not in self.people or first_name:
            self.people[user_id] = Person(user_id, first_name or f"User{user_id}", last_name)
        return self.people[user_id]

    def add_community(self, community_id: int, name: str, screen_name: str, members_count: int = 0) -> Community:
        community = Community(community_id, name, screen_name, members_count)
        self.communities[community_id] = community
        community.events.listeners.append(lambda event: self._to_callback(community_id, event))
        return community

    def setup_community(self, community_id: int, name: str, *, screen_name: str | None = None,
                        members_count: int = 0, admin_user_id: int | None = None, admin_name: str = "Admin",
                        community_token: str | None = None, user_token: str | None = None,
                        post_text: str | None = None) -> dict[str, Any]:
        """A community with its administrator, a community token and the administrator's user token."""
        if community_id <= 0 or community_id in self.communities:
            raise ValueError(f"community {community_id} exists already or is not a positive id")
        admin_id = admin_user_id or community_id + 1_000_000
        community_token = community_token or f"vk1.a.emu-c{community_id}-{secrets.token_hex(12)}"
        user_token = user_token or f"vk1.a.emu-u{admin_id}-{secrets.token_hex(12)}"
        if community_token in self.tokens or user_token in self.tokens or community_token == user_token:
            raise ValueError("that token is already in use")
        community = self.add_community(community_id, name, screen_name or f"club{community_id}", members_count)
        self.person(admin_id, admin_name)
        community.admins.add(admin_id)
        self.add_token(community_token, GROUP, community_id)
        self.add_token(user_token, USER, admin_id)
        if post_text:
            self.add_post(community, -community_id, post_text)
        return {"id": community_id, "name": name, "screen_name": community.screen_name,
                "community_token": community_token, "user_token": user_token, "admin_user_id": admin_id}

    def _to_callback(self, community_id: int, event: dict[str, Any]) -> None:
        if (server := self.callbacks.get(community_id)) is not None:
            server.on_event(event)

    def add_token(self, value: str, kind: str, owner_id: int) -> Token:
        self.tokens[value] = Token(value, kind, owner_id)
        return self.tokens[value]

    def community_of(self, owner_id: int) -> Community | None:
        return self.communities.get(-owner_id) if owner_id < 0 else None

    # --- uploads ------------------------------------------------------------------------------------
    def new_upload(self, owner_id: int) -> str:
        ticket = secrets.token_hex(8)
        self.upload_tickets[ticket] = owner_id
        return ticket

    def receive_upload(self, ticket: str, data: bytes, content_type: str) -> dict[str, Any] | None:
        """Store an uploaded file; the answer the upload server gives (``server``, ``photo``, ``hash``)."""
        owner_id = self.upload_tickets.pop(ticket, None)
        if owner_id is None:
            return None
        digest = secrets.token_hex(16)
        photo = f'[{{"photo":"{secrets.token_hex(6)}","sizes":[],"kid":"{secrets.token_hex(4)}"}}]'
        self.uploads[digest] = {"owner_id": owner_id, "server": 1, "photo": photo, "data": data,
                                "content_type": content_type}
        return {"server": 1, "photo": photo, "hash": digest}

    # --- idempotency keys -------------------------------------------------------------------------
    def remembered(self, key: tuple[Any, ...]) -> Any | None:
        """What a write with this idempotency key created within the last hour, if anything."""
        found = self._dedup.get(key)
        if found and self.now() - found[0] < DEDUP_WINDOW:
            return found[1]
        return None

    def remember(self, key: tuple[Any, ...], result: Any) -> None:
        self._dedup[key] = (self.now(), result)

    # --- changes that emit events -----------------------------------------------------------------
    def publish_due(self, community: Community) -> None:
        """Postponed posts whose time has come go out, as VK does (``wall_post_new`` with ``postponed_id``)."""
        for post in list(community.posts.values()):
            if post.postponed and not post.deleted and post.date <= self.now():
                postponed_id = post.id
                post.postponed = False
                del community.posts[postponed_id]
                post.id = community.new_item_id()
                community.posts[post.id] = post
                community.events.emit("wall_post_new", {**post_object(post), "postponed_id": postponed_id})

    def add_post(self, community: Community, from_id: int, text: str, *, date: int | None = None,
                 attachments: list[dict[str, Any]] | None = None, postponed: bool = False,
                 created_by: int | None = None) -> Post:
        post = Post(community.new_item_id(), -community.id, from_id, date or self.now(), text,
                    attachments or [], postponed, created_by)
        community.posts[post.id] = post
        if not postponed:
            community.events.emit("wall_post_new", post_object(post))
        return post

    def add_comment(self, community: Community, post: Post, from_id: int, text: str, *,
                    reply_to: Comment | None = None, attachments: list[dict[str, Any]] | None = None) -> Comment:
        # VK threads have two levels: a reply to a reply stays in the top comment's thread.
        stack = list(reply_to.parents_stack or [reply_to.id]) if reply_to else []
        comment = Comment(community.new_item_id(), post.owner_id, post.id, from_id, self.now(), text, stack,
                          reply_to.id if reply_to else None, reply_to.from_id if reply_to else None,
                          attachments or [])
        community.comments[comment.id] = comment
        community.events.emit("wall_reply_new", comment_event_object(comment))
        return comment

    def edit_comment(self, community: Community, comment: Comment, text: str) -> None:
        comment.text = text
        community.events.emit("wall_reply_edit", comment_event_object(comment))

    def delete_comment(self, community: Community, comment: Comment, deleter_id: int) -> None:
        comment.deleted = True
        community.events.emit("wall_reply_delete", {"owner_id": comment.owner_id, "id": comment.id,
                                                    "user_id": deleter_id, "deleter_id": deleter_id,
                                                    "post_id": comment.post_id})

    def restore_comment(self, community: Community, comment: Comment) -> None:
        comment.deleted = False
        community.events.emit("wall_reply_restore", comment_event_object(comment))

    def add_message(self, community: Community, peer_id: int, text: str, *, out: bool,
                    random_id: int = 0, reply_to: int | None = None) -> Message:
        same_peer = [m for m in community.messages if m.peer_id == peer_id]
        message = Message(community.next_message_id, len(same_peer) + 1, peer_id,
                          -community.id if out else peer_id, self.now(), text, int(out), random_id, reply_to)
        community.next_message_id += 1
        community.messages.append(message)
        if out:
            community.events.emit("message_reply", message_object(message))
        else:
            community.can_message.add(peer_id)
            community.events.emit("message_new", {"message": message_object(message), "client_info": {
                "button_actions": ["text", "vkpay", "open_app", "location", "open_link", "callback"],
                "keyboard": True, "inline_keyboard": True, "carousel": True, "lang_id": 0}})
        return message
