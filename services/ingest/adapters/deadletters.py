"""Payloads an adapter could not map, kept as dead letters (``chorus dlq list --consumer ingest-<network>``).

Each one is the raw JSON the network sent, with the adapter's reason, published on the dead-letter stream
with the same headers the backbone's consumers use, so the usual tools list it. Its message id is derived
from the account, the source and the payload, so reading the same bad payload again after a restart keeps
one copy. Nothing consumes ``ingest-*`` replays: the entries are there for people to see what a network
sent that Chorus does not understand (and to fix the adapter), not to be fed back.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from nats.js import JetStreamContext
from nats.js.api import Header

from chorus.backbone.deadletter import (
    H_CONSUMER,
    H_DELIVERIES,
    H_ERROR,
    H_FAILED_AT,
    H_REASON,
    H_SEQ,
    H_STREAM,
    H_SUBJECT,
    dead_subject,
)
from chorus.events import utcnow
from chorus.events.streams import DEAD_LETTER
from chorus.networks.errors import redact

REASON = "unmappable_payload"


def consumer_name(network: str) -> str:
    return f"ingest-{network}"


class DeadLetters:
    def __init__(self, js: JetStreamContext) -> None:
        self._js = js
        #: Payloads kept by this process (a re-read of one already kept does not count).
        self.kept = 0

    async def keep(self, *, network: str, account_id: str, source: str, item: dict[str, Any]) -> bool:
        """Store one rejected item; False when the same item was kept before (a re-read)."""
        data = json.dumps(item, ensure_ascii=False, default=repr, sort_keys=True).encode()
        digest = hashlib.sha256(data).hexdigest()[:32]
        consumer = consumer_name(network)
        reason = item.get("reason") if isinstance(item.get("reason"), str) else "the adapter could not map it"
        headers = {
            Header.MSG_ID: f"dead:{consumer}:{account_id}:{source}:{digest}",
            H_CONSUMER: consumer,
            H_STREAM: network,
            H_SEQ: "0",
            H_SUBJECT: f"{account_id}/{source}",
            H_REASON: REASON,
            H_ERROR: " ".join(redact(reason).split())[:2000],
            H_DELIVERIES: "1",
            H_FAILED_AT: utcnow().isoformat(),
        }
        ack = await self._js.publish(dead_subject(consumer), data, stream=DEAD_LETTER.name, headers=headers,
                                     timeout=5)
        if ack.duplicate:
            return False
        self.kept += 1
        return True
