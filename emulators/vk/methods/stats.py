"""``stats.get``: a community's audience figures per period (user token of an administrator only).

The figures are derived from the community's state (members, posts, comments) so they are stable and
plausible; VK's real numbers come from its own analytics.
"""
from __future__ import annotations

from typing import Any

from chorus.emulators.vk.call import Call, method
from chorus.emulators.vk.errors import param_error
from chorus.emulators.vk.world import USER

PERIODS = {"day": 86400, "week": 7 * 86400, "month": 30 * 86400, "year": 365 * 86400}


@method("stats.get", USER)
def get(call: Call) -> list[dict[str, Any]]:
    community = call.community(call.int("group_id", minimum=1))
    interval = call.params.get("interval", "day")
    if interval not in (*PERIODS, "all"):
        raise param_error("interval", "is invalid")
    length = PERIODS.get(interval, 365 * 86400)
    count = call.int("intervals_count", 1, minimum=1, maximum=100)
    end = call.int("timestamp_to", call.world.now(), minimum=0)
    comments = sum(1 for c in community.comments.values() if not c.deleted)
    posts = sum(1 for p in community.posts.values() if not p.deleted and not p.postponed)
    periods = []
    for index in range(count):
        period_to = end - index * length
        reach = community.members_count // 3 + posts * 40
        periods.append({
            "period_from": period_to - length, "period_to": period_to,
            "visitors": {"views": reach * 2, "visitors": reach},
            "reach": {"reach": reach, "reach_subscribers": community.members_count // 4,
                      "mobile_reach": reach * 2 // 3},
            "activity": {"comments": comments, "copies": 0, "hidden": 0, "likes": posts * 5,
                         "subscribed": 0, "unsubscribed": 0},
        })
    return periods
