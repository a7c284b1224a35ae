"""The JetStream key-value buckets ingest shares between its replicas, and how keys are spelled.

| bucket | keys | what |
| --- | --- | --- |
| ``chorus_ingest_cursors`` | ``c.<account>.<source>``, ``b.<account>`` | each source's cursor; the backfill record |
| ``chorus_ingest_leases`` | ``a.<account>``, ``r.<replica>`` | who reads an account; which replicas are alive |
| ``chorus_ingest_status`` | ``s.<account>.<source>``, ``a.<account>``, ``r.<replica>`` | what `chorus ingest status` shows |

Key parts are account ids, source names and replica names, which may hold characters a key cannot
(``search:2``, a host name with spaces): anything but letters, digits, ``-`` and ``_`` is written as
``=`` and two hex digits per UTF-8 byte, which reads back unambiguously.
"""
from __future__ import annotations

import re

from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BucketNotFoundError
from nats.js.kv import KeyValue

CURSORS = "chorus_ingest_cursors"
LEASES = "chorus_ingest_leases"
STATUS = "chorus_ingest_status"

_DESCRIPTIONS = {
    CURSORS: "Ingest: each account source's cursor, written after its events are stored",
    LEASES: "Ingest: which replica reads which account (entries expire unless renewed)",
    STATUS: "Ingest: state, times and counters of every account source, for `chorus ingest status`",
}
_SAFE = re.compile(r"[A-Za-z0-9_-]")


def key_part(text: str) -> str:
    return "".join(c if _SAFE.fullmatch(c) else "".join(f"={b:02X}" for b in c.encode()) for c in text) or "="


def unkey(part: str) -> str:
    return re.sub(r"(?:=[0-9A-F]{2})+", lambda m: bytes.fromhex(m.group(0).replace("=", "")).decode("utf-8", "replace"),
                  part)


async def bucket(js: JetStreamContext, name: str) -> KeyValue:
    """The bucket, created on first use (file storage, one value per key; entries may carry a TTL)."""
    try:
        return await js.key_value(name)
    except BucketNotFoundError:
        return await js.create_key_value(KeyValueConfig(bucket=name, description=_DESCRIPTIONS[name], history=1,
                                                        storage=StorageType.FILE))


async def entries(kv: KeyValue, pattern: str = ">", *, timeout: float = 5.0) -> dict[str, KeyValue.Entry]:
    """The current value of every key matching ``pattern`` (deleted and expired keys left out)."""
    watcher = await kv.watch(pattern, ignore_deletes=True)
    found: dict[str, KeyValue.Entry] = {}
    try:
        while True:
            entry = await watcher.updates(timeout)
            if entry is None:
                break
            if entry.value:
                found[entry.key] = entry
            if entry.delta == 0:
                break
    finally:
        await watcher.stop()
    return found
