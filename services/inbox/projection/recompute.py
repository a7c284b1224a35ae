"""Re-deriving a conversation's facts from its rows after a batch touched it (see ``domain.facts``)."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection

from chorus.inbox.domain import Row, facts
from chorus.inbox.projection.tables import conversations, messages, sentiments

_ROWS = (select(messages.c.message_key, messages.c.direction, messages.c.at, messages.c.text, messages.c.item_id,
                messages.c.author_id, messages.c.author_name, messages.c.author_handle, messages.c.author_url,
                messages.c.deleted_at, messages.c.sent_at, messages.c.remote_id, messages.c.requested_by,
                sentiments.c.machine_label, sentiments.c.corrected_label)
         .select_from(messages.outerjoin(sentiments, sentiments.c.item_key == messages.c.message_key))
         .where(messages.c.conversation_id == bindparam("cid"), messages.c.direction.in_(("in", "out"))))
_STATE = select(conversations.c.closed_at, conversations.c.reopened_at).where(
    conversations.c.conversation_id == bindparam("cid"))


def thread_rows(conn: Connection, conversation_id: str) -> list[Row]:
    raw = conn.execute(_ROWS, {"cid": conversation_id}).all()
    echoed = {r.remote_id for r in raw if r.message_key.startswith("reply:") and r.remote_id}
    rows = []
    for r in raw:
        is_reply = r.message_key.startswith("reply:")
        if not is_reply and r.direction == "out" and r.item_id in echoed:
            continue  # our own reply read back from the network: already shown as the reply
        at = (r.sent_at or r.at) if is_reply else r.at
        rows.append(Row(direction=r.direction, at=at, text=r.text, author_id=r.author_id,
                        author_name=r.author_name, author_handle=r.author_handle, author_url=r.author_url,
                        sentiment=r.corrected_label or r.machine_label, deleted=r.deleted_at is not None,
                        sent=(r.sent_at is not None) if is_reply else True,
                        by=r.requested_by if is_reply else None))
    return rows


def recompute(conn: Connection, conversation_ids: Iterable[str]) -> None:
    for cid in sorted(set(conversation_ids)):
        state = conn.execute(_STATE, {"cid": cid}).first()
        if state is None:
            continue
        f = facts(thread_rows(conn, cid), closed_at=state.closed_at, reopened_at=state.reopened_at)
        author = f.author
        values = {"message_count": f.message_count, "last_at": f.last_at, "first_inbound_at": f.first_inbound_at,
                  "last_inbound_at": f.last_inbound_at, "first_response_at": f.first_response_at,
                  "first_response_by": f.first_response_by, "preview": f.preview,
                  "last_direction": f.last_direction, "sentiment": f.sentiment, "status": f.status}
        if author is not None:
            values.update(author_id=author.author_id, author_name=author.author_name,
                          author_handle=author.author_handle, author_url=author.author_url)
        conn.execute(update(conversations).where(conversations.c.conversation_id == cid).values(**values))
