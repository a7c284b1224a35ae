"""Cursors in the ``chorus_ingest_cursors`` bucket, shared by every replica.

A cursor is written only after the events it covers are acknowledged by JetStream, so a crash between the
two re-reads a little and JetStream drops the repeats by event id. Each write is a compare-and-set on the
revision the writer last saw: a replica that lost an account's lease but still had a poll in flight
cannot move the cursor under the new holder (its write fails with ``Moved``, and it reloads).

A checkpoint also keeps when the source was last read successfully (``polled_at``): after a restart that
is where a gap starts if the network can no longer page back that far.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from nats.js import JetStreamContext
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from chorus.ingest.adapters.kv import CURSORS, bucket, key_part


class Moved(Exception):
    """Somebody else wrote this cursor since it was read: reload it."""


@dataclass(frozen=True)
class Checkpoint:
    cursor: str | None = None
    polled_at: datetime | None = None
    #: The key's revision when read or last written; 0 when there is no cursor yet.
    revision: int = 0


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


class CursorStore:
    def __init__(self, js: JetStreamContext, me: str) -> None:
        self._js = js
        self._me = me
        self._kv: KeyValue | None = None

    async def _bucket(self) -> KeyValue:
        if self._kv is None:
            self._kv = await bucket(self._js, CURSORS)
        return self._kv

    async def load(self, account_id: str, source: str) -> Checkpoint:
        raw, revision = await self._get(f"c.{key_part(account_id)}.{key_part(source)}")
        if raw is None:
            return Checkpoint(revision=revision)
        cursor = raw.get("cursor")
        return Checkpoint(cursor if isinstance(cursor, str) else None, _time(raw.get("polled_at")), revision)

    async def save(self, account_id: str, source: str, cursor: str | None, polled_at: datetime,
                   revision: int) -> Checkpoint:
        """Store ``cursor`` if the key is still at ``revision``; raises ``Moved`` otherwise."""
        body = json.dumps({"cursor": cursor, "polled_at": polled_at.isoformat(), "by": self._me}).encode()
        kv = await self._bucket()
        key = f"c.{key_part(account_id)}.{key_part(source)}"
        try:
            new = await (kv.update(key, body, last=revision) if revision else kv.create(key, body))
        except KeyWrongLastSequenceError:
            raise Moved(f"the cursor of {account_id}/{source} was written by someone else") from None
        return Checkpoint(cursor, polled_at, new)

    async def backfill(self, account_id: str) -> dict[str, Any] | None:
        """The record of the account's backfill, once it is done."""
        raw, _ = await self._get(f"b.{key_part(account_id)}")
        return raw

    async def mark_backfilled(self, account_id: str, record: dict[str, Any]) -> None:
        kv = await self._bucket()
        await kv.put(f"b.{key_part(account_id)}", json.dumps({**record, "by": self._me}).encode())

    async def _get(self, key: str) -> tuple[dict[str, Any] | None, int]:
        kv = await self._bucket()
        try:
            entry = await kv.get(key)
        except KeyNotFoundError as exc:
            # A deleted key must be recreated at the revision of its delete marker.
            entry = getattr(exc, "entry", None)
            return None, entry.revision if entry is not None and entry.revision else 0
        try:
            raw = json.loads(entry.value) if entry.value else None
        except ValueError:
            raw = None
        return (raw if isinstance(raw, dict) else None), entry.revision or 0
