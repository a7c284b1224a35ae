"""``wall.*``: reading a community's wall and comment threads, commenting and posting (with ``guid``)."""
from __future__ import annotations

from typing import Any

from chorus.emulators.vk.attachments import parse_attachments
from chorus.emulators.vk.call import Call, method
from chorus.emulators.vk.errors import VkError, param_error
from chorus.emulators.vk.objects import comment_object, post_object
from chorus.emulators.vk.world import (
    GROUP,
    SERVICE,
    USER,
    Comment,
    Community,
    Post,
    Sent,
)

MAX_TEXT = 16384


def _wall(call: Call) -> Community:
    owner_id = call.int("owner_id", 0)
    if owner_id == 0 and call.has("domain"):
        found = [c for c in call.world.communities.values() if c.screen_name == call.params["domain"]]
        owner_id = -found[0].id if found else 0
    community = call.world.community_of(owner_id)
    if community is None:
        raise param_error("owner_id", "is invalid")
    call.world.publish_due(community)
    return community


def _live_post(community: Community, post_id: int) -> Post:
    post = community.posts.get(post_id)
    if post is None or post.deleted or post.postponed:
        raise param_error("post_id", "is invalid")
    return post


def _comment_count(community: Community, post: Post) -> int:
    return sum(1 for c in community.comments.values() if c.post_id == post.id and not c.deleted)


def _message(call: Call) -> tuple[str, list[dict[str, Any]]]:
    text = call.params.get("message", "")
    attachments = parse_attachments(call.world, call.params.get("attachments", ""))
    if not text.strip() and not attachments:
        raise param_error("message", "is empty or invalid")
    if len(text) > MAX_TEXT:
        raise param_error("message", "is too long")
    return text, attachments


@method("wall.getComments", USER, SERVICE)
def get_comments(call: Call) -> dict[str, Any]:
    community = _wall(call)
    post = _live_post(community, call.int("post_id"))
    count = call.int("count", 10, minimum=0, maximum=100)
    offset = call.int("offset", 0, minimum=0)
    thread_items = call.int("thread_items_count", 0, minimum=0, maximum=10)
    live = [c for c in community.comments.values() if c.post_id == post.id and not c.deleted]
    if call.has("comment_id"):
        parent = call.int("comment_id")
        level = [c for c in live if c.parents_stack and c.parents_stack[-1] == parent]
    else:
        level = [c for c in live if not c.parents_stack]
    level.sort(key=lambda c: c.id, reverse=call.params.get("sort") == "desc")
    if call.has("start_comment_id"):
        start = call.int("start_comment_id")
        level = [c for c in level if (c.id <= start if call.params.get("sort") == "desc" else c.id >= start)]
    page = level[offset:offset + count]

    def thread(comment: Comment) -> dict[str, Any]:
        replies = [c for c in live if c.parents_stack and c.parents_stack[-1] == comment.id]
        items = [comment_object(c) for c in replies[:thread_items]]
        return {"count": len(replies), "items": items, "can_post": True, "show_reply_button": True,
                "groups_can_post": True}

    items = [comment_object(c, None if call.has("comment_id") else thread(c)) for c in page]
    return {"count": len(live), "current_level_count": len(level), "can_post": True, "show_reply_button": True,
            "groups_can_post": True, "items": items}


@method("wall.createComment", USER, GROUP)
def create_comment(call: Call) -> dict[str, Any]:
    owner_id = call.int("owner_id")
    community = call.own_wall(owner_id)
    post = _live_post(community, call.int("post_id", minimum=0))
    text, attachments = _message(call)
    guid = call.params.get("guid") or None
    if guid and (known := call.world.remembered(("comment", owner_id, guid))):
        _log(call, "comment", known["comment_id"], owner_id, text, post_id=post.id, guid=guid, deduplicated=True)
        return known
    reply_to = None
    if call.has("reply_to_comment"):
        reply_to = community.comments.get(call.int("reply_to_comment"))
        if reply_to is None or reply_to.deleted or reply_to.post_id != post.id:
            raise param_error("reply_to_comment", "is invalid")
    from_group = call.int("from_group", 0)
    if call.token.kind == GROUP or from_group == community.id:
        author = -community.id
    else:
        author = call.token.owner_id
    comment = call.world.add_comment(community, post, author, text, reply_to=reply_to, attachments=attachments)
    result = {"comment_id": comment.id, "parents_stack": list(comment.parents_stack)}
    if guid:
        call.world.remember(("comment", owner_id, guid), result)
    _log(call, "comment", comment.id, owner_id, text, post_id=post.id, guid=guid,
         reply_to_comment=comment.reply_to_comment)
    return result


@method("wall.post", USER)
def post(call: Call) -> dict[str, Any]:
    owner_id = call.int("owner_id")
    community = call.own_wall(owner_id)
    text, attachments = _message(call)
    guid = call.params.get("guid") or None
    publish_date = call.int("publish_date", 0, minimum=0) or None
    if guid and (known := call.world.remembered(("post", owner_id, guid))):
        _log(call, "post", known["post_id"], owner_id, text, guid=guid, publish_date=publish_date, deduplicated=True)
        return known
    postponed = publish_date is not None and publish_date > call.world.now()
    author = -community.id if call.flag("from_group") else call.token.owner_id
    created = call.world.add_post(community, author, text, date=publish_date if postponed else None,
                                  attachments=attachments, postponed=postponed, created_by=call.token.owner_id)
    result = {"post_id": created.id}
    if guid:
        call.world.remember(("post", owner_id, guid), result)
    _log(call, "post", created.id, owner_id, text, guid=guid, publish_date=publish_date)
    return result


@method("wall.get", USER, SERVICE)
def get(call: Call) -> dict[str, Any]:
    community = _wall(call)
    wanted = call.params.get("filter", "all")
    if wanted not in ("owner", "others", "all", "postponed", "suggests", "archived", "donut"):
        raise param_error("filter", "is invalid")
    if wanted == "postponed" and call.token.owner_id not in community.admins:
        raise VkError(15, "only administrators can see postponed posts")
    posts = [p for p in community.posts.values() if not p.deleted and p.postponed == (wanted == "postponed")]
    if wanted == "owner":
        posts = [p for p in posts if p.from_id == p.owner_id]
    elif wanted == "others":
        posts = [p for p in posts if p.from_id != p.owner_id]
    elif wanted in ("suggests", "archived", "donut"):
        posts = []
    posts.sort(key=lambda p: p.id, reverse=True)
    offset = call.int("offset", 0, minimum=0)
    count = call.int("count", 20, minimum=0, maximum=100)
    return {"count": len(posts), "items": [post_object(p, _comment_count(community, p))
                                           for p in posts[offset:offset + count]]}


@method("wall.getById", USER, SERVICE)
def get_by_id(call: Call) -> dict[str, Any]:
    items = []
    for ref in call.ids("posts"):
        owner, _, post_id = ref.partition("_")
        try:
            community = call.world.community_of(int(owner))
            found = community.posts.get(int(post_id)) if community else None
        except ValueError:
            raise param_error("posts", "is invalid") from None
        if found and not found.deleted and not found.postponed:
            items.append(post_object(found, _comment_count(community, found)))
    return {"items": items}


def _log(call: Call, kind: str, item_id: int, owner_id: int, text: str, **details: Any) -> None:
    call.world.sent.append(Sent(kind, item_id, owner_id, text, call.world.now(), **details))
