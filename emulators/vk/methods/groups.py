"""``groups.*``: the community's profile and the Bots Long Poll server address."""
from __future__ import annotations

from typing import Any

from chorus.emulators.vk.call import Call, method
from chorus.emulators.vk.errors import param_error
from chorus.emulators.vk.objects import group_object
from chorus.emulators.vk.world import GROUP, SERVICE, USER


@method("groups.getById", USER, GROUP, SERVICE)
def get_by_id(call: Call) -> dict[str, Any]:
    wanted = call.ids("group_ids") or call.ids("group_id")
    if not wanted:
        if call.token.kind != GROUP:
            raise param_error("group_ids", "is undefined")
        wanted = [str(call.token.owner_id)]
    fields = set(call.ids("fields"))
    groups = []
    for ref in wanted:
        found = [c for c in call.world.communities.values()
                 if ref in (str(c.id), f"club{c.id}", f"public{c.id}", c.screen_name)]
        if not found:
            raise param_error("group_ids", "is invalid")
        groups.append(group_object(found[0], fields))
    return {"groups": groups, "profiles": []}


@method("groups.getLongPollServer", USER, GROUP)
def get_long_poll_server(call: Call) -> dict[str, Any]:
    community = call.community(call.int("group_id", minimum=1))
    return {"key": community.events.new_key(), "server": f"{call.base_url}/lp/{community.id}",
            "ts": str(community.events.ts)}
