"""The emulator's state rendered as VK API 5.199 objects (the shapes ``vk-api-schema`` describes)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chorus.emulators.vk.world import (
        Comment,
        Community,
        Message,
        Person,
        Photo,
        Post,
    )

PHOTO_HOST = "https://sun9-1.userapi.com"


def comment_object(comment: Comment, thread: dict[str, Any] | None = None) -> dict[str, Any]:
    obj: dict[str, Any] = {"id": comment.id, "from_id": comment.from_id, "post_id": comment.post_id,
                           "owner_id": comment.owner_id, "parents_stack": list(comment.parents_stack),
                           "date": comment.date, "text": comment.text,
                           "likes": {"count": 0, "user_likes": 0, "can_like": 1}}
    if comment.reply_to_comment is not None:
        obj["reply_to_comment"] = comment.reply_to_comment
        obj["reply_to_user"] = comment.reply_to_user
    if comment.attachments:
        obj["attachments"] = comment.attachments
    if thread is not None:
        obj["thread"] = thread
    return obj


def comment_event_object(comment: Comment) -> dict[str, Any]:
    """A comment as ``wall_reply_new/edit/restore`` carry it: the comment plus the post's owner."""
    return {**comment_object(comment), "post_owner_id": comment.owner_id}


def post_object(post: Post, comments: int = 0) -> dict[str, Any]:
    obj: dict[str, Any] = {"inner_type": "wall_wallpost", "id": post.id, "owner_id": post.owner_id,
                           "from_id": post.from_id, "date": post.date,
                           "post_type": "postpone" if post.postponed else "post", "text": post.text,
                           "attachments": list(post.attachments), "comments": {"count": comments, "can_post": 1},
                           "likes": {"count": 0, "user_likes": 0, "can_like": 1, "can_publish": 1},
                           "reposts": {"count": 0, "user_reposted": 0}, "views": {"count": 0}}
    if post.created_by is not None:
        obj["created_by"] = post.created_by
    return obj


def message_object(message: Message) -> dict[str, Any]:
    obj: dict[str, Any] = {"id": message.id, "date": message.date, "peer_id": message.peer_id,
                           "from_id": message.from_id, "text": message.text,
                           "conversation_message_id": message.conversation_message_id, "out": message.out,
                           "version": message.id, "attachments": [], "fwd_messages": [], "important": False,
                           "is_hidden": False, "random_id": message.random_id}
    return obj


def group_object(community: Community, fields: set[str]) -> dict[str, Any]:
    obj: dict[str, Any] = {"id": community.id, "name": community.name, "screen_name": community.screen_name,
                           "is_closed": 0, "type": "page",
                           "photo_50": f"{PHOTO_HOST}/g{community.id}_50.jpg",
                           "photo_100": f"{PHOTO_HOST}/g{community.id}_100.jpg",
                           "photo_200": f"{PHOTO_HOST}/g{community.id}_200.jpg"}
    if "members_count" in fields:
        obj["members_count"] = community.members_count
    return obj


def profile_object(person: Person) -> dict[str, Any]:
    return {"id": person.id, "first_name": person.first_name, "last_name": person.last_name,
            "screen_name": person.screen_name, "can_access_closed": True, "is_closed": False,
            "photo_100": f"{PHOTO_HOST}/u{person.id}_100.jpg"}


def photo_object(photo: Photo) -> dict[str, Any]:
    return {"id": photo.id, "album_id": photo.album_id, "owner_id": photo.owner_id, "date": photo.date,
            "has_tags": False, "text": "",
            "sizes": [{"type": "x", "url": f"{PHOTO_HOST}/p{photo.owner_id}_{photo.id}.jpg",
                       "width": 604, "height": 604}]}


def photo_attachment(photo: Photo) -> dict[str, Any]:
    return {"type": "photo", "photo": photo_object(photo)}
