"""``newsfeed.search``: public posts containing the query, newest first, paged by ``start_from``/``next_from``.

``next_from`` is opaque to clients; here it is ``"<offset>/<owner>_<post>"`` of the next page's first item.
"""
from __future__ import annotations

from typing import Any

from chorus.emulators.vk.call import Call, method
from chorus.emulators.vk.errors import param_error
from chorus.emulators.vk.objects import post_object
from chorus.emulators.vk.world import SERVICE, USER, Post


@method("newsfeed.search", USER, SERVICE)
def search(call: Call) -> dict[str, Any]:
    query = call.params.get("q", "").strip().casefold()
    count = call.int("count", 30, minimum=0, maximum=200)
    now = call.world.now()
    start_time = call.int("start_time", now - 86400, minimum=0)
    end_time = call.int("end_time", now, minimum=0)
    offset = 0
    if call.has("start_from"):
        head = call.params["start_from"].partition("/")[0]
        if not head.isdigit():
            raise param_error("start_from", "is invalid")
        offset = int(head)
    pool: list[Post] = list(call.world.mentions)
    for community in call.world.communities.values():
        pool += [p for p in community.posts.values() if not p.postponed and not p.deleted]
    found = [p for p in pool if query and query in p.text.casefold() and start_time <= p.date <= end_time]
    found.sort(key=lambda p: (p.date, p.id), reverse=True)
    page = found[offset:offset + count]
    body: dict[str, Any] = {"items": [post_object(p) for p in page], "count": len(page), "total_count": len(found)}
    if offset + count < len(found):
        following = found[offset + count]
        body["next_from"] = f"{offset + count}/{following.owner_id}_{following.id}"
    return body
