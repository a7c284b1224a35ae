"""Leases on accounts in the ``chorus_ingest_leases`` bucket: one reader per account across all replicas.

A lease is the key ``a.<account>`` holding the holder's name. It is taken with ``create`` (only if the key
is absent) and renewed by publishing to it with ``Nats-Expected-Last-Subject-Sequence`` set to the
revision the holder wrote last, a compare-and-set: a replica whose lease was taken over cannot renew it
by mistake. Every write carries a per-message TTL (``ttl_s``, whole seconds), so the server itself
removes a lease nobody renews, whatever the replicas' clocks say; another replica then creates it.

The holder also fences itself: ``valid_until`` is the moment its last renewal was *sent* plus the TTL, an
earlier bound than the server's expiry (which counts from when it stored the write). The fleet stops an
account's readers once that moment passes without a successful renewal.

Replicas announce themselves under ``r.<replica>`` with the same TTL; the live ones share the accounts.
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass

import nats.errors
from nats.js import JetStreamContext
from nats.js.api import Header
from nats.js.errors import APIError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from chorus.events import utcnow
from chorus.ingest.adapters.kv import LEASES, bucket, entries, key_part, unkey

#: JetStream's "wrong last sequence" error codes: somebody else wrote the key.
_WRONG_LAST = (10071, 10164)


@dataclass(frozen=True)
class Lease:
    account_id: str
    revision: int
    #: time.monotonic() after which the holder must assume the lease is gone.
    valid_until: float


class LeaseStore:
    def __init__(self, js: JetStreamContext, me: str, ttl_s: float) -> None:
        self._js = js
        self.me = me
        self.ttl_s = max(1, math.ceil(ttl_s))
        self._kv: KeyValue | None = None

    async def _bucket(self) -> KeyValue:
        if self._kv is None:
            self._kv = await bucket(self._js, LEASES)
        return self._kv

    def _value(self) -> bytes:
        return json.dumps({"holder": self.me, "renewed_at": utcnow().isoformat()}).encode()

    async def announce(self) -> None:
        """Say this replica is alive (for ``ttl_s``)."""
        await self._bucket()
        await self._js.publish(f"$KV.{LEASES}.r.{key_part(self.me)}", self._value(), msg_ttl=self.ttl_s)

    async def snapshot(self) -> tuple[dict[str, str], set[str]]:
        """Every leased account with its holder, and the live replicas."""
        found = await entries(await self._bucket())
        holders: dict[str, str] = {}
        replicas: set[str] = set()
        for key, entry in found.items():
            kind, _, part = key.partition(".")
            try:
                holder = json.loads(entry.value)["holder"]
            except (ValueError, KeyError, TypeError):
                continue
            if kind == "a":
                holders[unkey(part)] = str(holder)
            elif kind == "r":
                replicas.add(str(holder))
        return holders, replicas

    async def acquire(self, account_id: str) -> Lease | None:
        """The lease, if nobody holds it; ``None`` if another replica got there first."""
        kv = await self._bucket()
        sent = time.monotonic()
        try:
            revision = await kv.create(f"a.{key_part(account_id)}", self._value(), msg_ttl=self.ttl_s)
        except KeyWrongLastSequenceError:
            return None
        return Lease(account_id, revision, sent + self.ttl_s)

    async def renew(self, lease: Lease) -> Lease | None:
        """The renewed lease; ``None`` when it was lost (expired and maybe taken over)."""
        sent = time.monotonic()
        try:
            ack = await self._js.publish(f"$KV.{LEASES}.a.{key_part(lease.account_id)}", self._value(),
                                         headers={Header.EXPECTED_LAST_SUBJECT_SEQUENCE: str(lease.revision)},
                                         msg_ttl=self.ttl_s)
        except APIError as exc:
            if exc.err_code in _WRONG_LAST:
                return None
            raise
        return Lease(lease.account_id, ack.seq, sent + self.ttl_s)

    async def release(self, lease: Lease) -> None:
        """Give the lease back at once (a clean stop), so another replica need not wait for the TTL."""
        kv = await self._bucket()
        try:
            await kv.delete(f"a.{key_part(lease.account_id)}", last=lease.revision)
        except (APIError, nats.errors.Error, TimeoutError):
            pass  # lost meanwhile, or NATS unreachable: the TTL frees it

    async def retire(self) -> None:
        kv = await self._bucket()
        try:
            await kv.delete(f"r.{key_part(self.me)}")
        except (APIError, nats.errors.Error, TimeoutError):
            pass
