"""Every upcaster of every event type, in one place (see ``upcasting.py`` for the mechanism)."""
from __future__ import annotations

from chorus.events.upcasting import Payload, upcaster


@upcaster("comment.received", from_version=1)
def comment_received_v1(payload: Payload) -> Payload:
    # v1 did not say who wrote a comment; before v2 every comment was treated as a customer's.
    payload.setdefault("from_account", False)
    return payload
