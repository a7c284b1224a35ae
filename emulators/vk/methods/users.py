"""``users.get``: names of the people who wrote (comment authors, message senders)."""
from __future__ import annotations

from typing import Any

from chorus.emulators.vk.call import Call, method
from chorus.emulators.vk.errors import VkError, param_error
from chorus.emulators.vk.objects import profile_object
from chorus.emulators.vk.world import GROUP, SERVICE, USER


@method("users.get", USER, GROUP, SERVICE)
def get(call: Call) -> list[dict[str, Any]]:
    wanted = call.ids("user_ids")
    if not wanted:
        if call.token.kind != USER:
            raise param_error("user_ids", "is undefined")
        wanted = [str(call.token.owner_id)]
    if len(wanted) > 1000:
        raise param_error("user_ids", "is too long")
    found = []
    for ref in wanted:
        user_id = int(ref.removeprefix("id")) if ref.removeprefix("id").isdigit() else None
        if user_id is None:
            raise VkError(113)
        found.append(profile_object(call.world.person(user_id)))
    return found
