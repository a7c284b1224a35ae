"""The ``chorus_ingest_status`` bucket: what each source of each account is doing, for people to read.

Records are JSON objects. Source records (``s.<account>.<source>``) and account records (``a.<account>``)
stay after a replica dies, so the last event time survives; who reads an account now comes from the
leases. Replica records (``r.<replica>``) carry a TTL and vanish with their replica.
"""
from __future__ import annotations

import json
from typing import Any

from nats.js import JetStreamContext
from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue

from chorus.ingest.adapters.kv import STATUS, bucket, entries, key_part, unkey


class StatusBoard:
    def __init__(self, js: JetStreamContext) -> None:
        self._js = js
        self._kv: KeyValue | None = None

    async def _bucket(self) -> KeyValue:
        if self._kv is None:
            self._kv = await bucket(self._js, STATUS)
        return self._kv

    async def put_source(self, account_id: str, source: str, record: dict[str, Any]) -> None:
        await (await self._bucket()).put(f"s.{key_part(account_id)}.{key_part(source)}", _dump(record))

    async def get_source(self, account_id: str, source: str) -> dict[str, Any] | None:
        return await self._get(f"s.{key_part(account_id)}.{key_part(source)}")

    async def put_account(self, account_id: str, record: dict[str, Any]) -> None:
        await (await self._bucket()).put(f"a.{key_part(account_id)}", _dump(record))

    async def put_replica(self, replica: str, record: dict[str, Any], ttl_s: float) -> None:
        await self._bucket()
        await self._js.publish(f"$KV.{STATUS}.r.{key_part(replica)}", _dump(record), msg_ttl=max(1, int(ttl_s)))

    async def read(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Everything, as ``{"sources": {(account/source): record}, "accounts": {...}, "replicas": {...}}``."""
        out: dict[str, dict[str, dict[str, Any]]] = {"sources": {}, "accounts": {}, "replicas": {}}
        for key, entry in (await entries(await self._bucket())).items():
            try:
                record = json.loads(entry.value)
            except ValueError:
                continue
            kind, _, rest = key.partition(".")
            if kind == "s":
                account, _, source = rest.partition(".")
                out["sources"][f"{unkey(account)}/{unkey(source)}"] = record
            elif kind == "a":
                out["accounts"][unkey(rest)] = record
            elif kind == "r":
                out["replicas"][unkey(rest)] = record
        return out

    async def _get(self, key: str) -> dict[str, Any] | None:
        try:
            entry = await (await self._bucket()).get(key)
        except KeyNotFoundError:
            return None
        try:
            record = json.loads(entry.value) if entry.value else None
        except ValueError:
            return None
        return record if isinstance(record, dict) else None


def _dump(record: dict[str, Any]) -> bytes:
    return json.dumps(record, default=str, ensure_ascii=False).encode()
