"""Names of the people and communities behind VK ids, resolved in one call per kind for a whole batch."""
from __future__ import annotations

from chorus.events.values import Author
from chorus.networks.vk.mapping import VK, Account
from chorus.networks.vk.transport import VkTransport

#: users.get takes up to 1000 ids per call; batches are far smaller, this only bounds one call.
MAX_IDS = 1000
CACHE_LIMIT = 20_000


async def resolve(transport: VkTransport, account: Account, ids: set[int]) -> None:
    """Fill ``account.names`` for ``ids`` not resolved yet (users.get and groups.getById; any token kind)."""
    kind = transport.pick("community", "user", purpose="resolving author names")
    if len(account.names) > CACHE_LIMIT:  # a long-running reader meets many people; keep memory bounded
        account.names.clear()
    users = sorted(i for i in ids if i > 0 and i not in account.names)[:MAX_IDS]
    groups = sorted(-i for i in ids if i < 0 and i not in account.names)[:MAX_IDS]
    if users:
        for person in await transport.call(kind, "users.get", {"user_ids": users, "fields": ["screen_name"]}) or []:
            if isinstance(person, dict) and isinstance(person.get("id"), int):
                handle = person.get("screen_name") or f"id{person['id']}"
                name = " ".join(str(person.get(k, "")) for k in ("first_name", "last_name")).strip()
                account.names[person["id"]] = Author(id=str(person["id"]), name=name, handle=handle,
                                                     url=f"{VK}/{handle}")
    if groups:
        answer = await transport.call(kind, "groups.getById", {"group_ids": groups})
        for group in (answer or {}).get("groups", []) if isinstance(answer, dict) else []:
            if isinstance(group, dict) and isinstance(group.get("id"), int):
                handle = group.get("screen_name") or f"club{group['id']}"
                account.names[-group["id"]] = Author(id=str(-group["id"]), name=str(group.get("name", "")),
                                                     handle=handle, url=f"{VK}/{handle}")
