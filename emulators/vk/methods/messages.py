"""``messages.*``: a community's dialogues; ``random_id`` makes a re-sent message land once."""
from __future__ import annotations

from typing import Any

from chorus.emulators.vk.call import Call, method
from chorus.emulators.vk.errors import VkError, param_error
from chorus.emulators.vk.objects import message_object
from chorus.emulators.vk.world import GROUP, USER, Community, Sent

MAX_TEXT = 4096
INT32 = 2**31 - 1


def _community(call: Call) -> Community:
    if call.token.kind == GROUP:
        return call.community(call.token.owner_id)
    group_id = call.int("group_id", 0)
    if not group_id:
        raise VkError(7, "messages of a user's own account are not emulated; pass group_id")
    return call.community(group_id)


@method("messages.send", USER, GROUP)
def send(call: Call) -> int:
    community = _community(call)
    peer_id = call.int("peer_id", 0) or call.int("user_id", 0)
    if not peer_id:
        raise param_error("peer_id", "is undefined")
    random_id = call.int("random_id", minimum=-INT32 - 1, maximum=INT32)
    text = call.params.get("message", "")
    if not text.strip() and not call.has("attachment"):
        raise param_error("message", "is empty or invalid")
    if len(text) > MAX_TEXT:
        raise VkError(914)
    if random_id and (known := call.world.remembered(("message", community.id, peer_id, random_id))):
        call.world.sent.append(Sent("message", known, -community.id, text, call.world.now(), peer_id=peer_id,
                                    random_id=random_id, deduplicated=True))
        return known
    if peer_id not in community.can_message:
        raise VkError(901)
    reply_to = call.int("reply_to", 0) or None
    message = call.world.add_message(community, peer_id, text, out=True, random_id=random_id, reply_to=reply_to)
    if random_id:
        call.world.remember(("message", community.id, peer_id, random_id), message.id)
    call.world.sent.append(Sent("message", message.id, -community.id, text, call.world.now(), peer_id=peer_id,
                                random_id=random_id))
    return message.id


@method("messages.getHistory", USER, GROUP)
def get_history(call: Call) -> dict[str, Any]:
    community = _community(call)
    peer_id = call.int("peer_id", 0) or call.int("user_id")
    count = call.int("count", 20, minimum=0, maximum=200)
    offset = call.int("offset", 0, minimum=0)
    history = sorted((m for m in community.messages if m.peer_id == peer_id), key=lambda m: m.id, reverse=True)
    if call.flag("rev"):
        history.reverse()
    return {"count": len(history), "items": [message_object(m) for m in history[offset:offset + count]]}
