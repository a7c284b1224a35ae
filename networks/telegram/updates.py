"""Reading a channel, its discussion group and the bot's private chats through ``getUpdates`` long polling.

The cursor is JSON (opaque to ingest): ``{"offset": <next update_id>, "threads": {<thread id>: <post id>}}``.
``offset`` confirms every update before it (Telegram then forgets them), so it is persisted only after
the batch's events are stored: a crash re-reads the batch, and the derived event ids de-duplicate it.
``threads`` remembers which discussion thread belongs to which channel post, so a reply to a comment can be
attached to its post after a restart. A bare number is accepted as a cursor too.

Telegram keeps unconfirmed updates for 24 hours; a cursor older than that cannot be detected from the
answer, so no ``Gap`` is reported here (the Bot API offers no history to backfill from either).
"""
from __future__ import annotations

import json

from chorus.networks.base import Batch
from chorus.networks.telegram.mapping import Account, Rejected, from_update
from chorus.networks.telegram.transport import RawGetUpdates, TelegramTransport

SOURCE = "updates"
ALLOWED = ["message", "edited_message", "channel_post", "edited_channel_post"]
LIMIT = 100
#: Threads remembered across restarts (the most recent ones; older posts rarely get new replies).
THREADS_IN_CURSOR = 500


def load_cursor(cursor: str | None, account: Account) -> int | None:
    """The offset in ``cursor``; its thread map is merged into ``account``."""
    if not cursor:
        return None
    try:
        state = json.loads(cursor)
    except ValueError:
        return None
    if isinstance(state, int) and not isinstance(state, bool):
        return state
    if not isinstance(state, dict):
        return None
    for thread, post in (state.get("threads") or {}).items():
        if str(thread).lstrip("-").isdigit() and isinstance(post, int) and int(thread) not in account.threads:
            account.learn_thread(int(thread), post)
    offset = state.get("offset")
    return offset if isinstance(offset, int) and not isinstance(offset, bool) else None


class UpdatesReader:
    source = SOURCE

    def __init__(self, transport: TelegramTransport, account: Account, *, wait: int = 25) -> None:
        self._transport = transport
        self._account = account
        self._wait = wait

    async def poll(self, cursor: str | None) -> Batch:
        offset = load_cursor(cursor, self._account)
        updates = await self._transport.call(
            RawGetUpdates(offset=offset, limit=LIMIT, timeout=self._wait, allowed_updates=ALLOWED),
            timeout=self._wait + 10)
        batch = Batch()
        for update in updates if isinstance(updates, list) else []:
            update_id = update.get("update_id") if isinstance(update, dict) else None
            if isinstance(update_id, int) and not isinstance(update_id, bool):
                offset = max(offset or 0, update_id + 1)
            try:
                if not isinstance(update, dict):
                    raise Rejected("an update is not an object")
                event = from_update(self._account, update)
            except (Rejected, ValueError, TypeError) as problem:
                batch.rejected.append({"reason": str(problem), "payload": update})
                continue
            if event is not None:
                batch.events.append(event)
        recent = list(self._account.threads.items())[-THREADS_IN_CURSOR:]
        batch.cursor = json.dumps({"offset": offset, "threads": {str(k): v for k, v in recent}})
        return batch
