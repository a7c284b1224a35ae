"""Everything read from one account while this replica holds its lease: its sources, and its first backfill.

The runner is built from a ``ReaderSpec`` (the connection, the brand keywords, the expired token kinds);
when the spec changes the fleet stops the runner and starts a new one, which rereads the credentials and
builds new readers that continue from the stored cursors. Sources whose token is known to be expired
are not started at all: they wait, visibly, for the account to be connected again.

Backfill runs once per account (a record in the cursors bucket says it is done), beside the live readers
rather than before them: a long poll started first misses nothing written while the backfill pages
through history, and what both see is stored once (same event ids).
"""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from chorus.events import utcnow
from chorus.ingest import handlers
from chorus.ingest.adapters.clients import load_adapter, make_client
from chorus.ingest.domain import (
    BACKFILL,
    VERIFY_FIRST,
    AccountRecord,
    Backoff,
    ReaderSpec,
    State,
    reads_via_callback,
    token_kind,
)
from chorus.ingest.progress import SourceProgress
from chorus.ingest.reading import Deps, SourceLoop, describe, pause
from chorus.networks.base import AccountClient, Endpoints
from chorus.networks.credentials import Credentials, CredentialStore
from chorus.networks.errors import PermissionMissing, TokenInvalid

log = logging.getLogger(__name__)


class AccountRunner:
    def __init__(self, account: AccountRecord, spec: ReaderSpec, *, credentials: CredentialStore,
                 endpoints: Endpoints, deps: Deps, backfill_days: float) -> None:
        self.account = account
        self.spec = spec
        self._credentials = credentials
        self._endpoints = endpoints
        self.deps = deps
        self._backfill_days = backfill_days
        self.sources: list[str] = []

    async def run(self, stop: asyncio.Event) -> None:
        creds = await self._load_credentials(stop)
        if creds is None:
            return
        await load_adapter(self.account.network)
        try:
            client = make_client(creds, self._endpoints, long_poll_wait_s=self.deps.timing.long_poll_wait_s)
        except ValueError as exc:
            await self._describe(State.MISCONFIGURED, f"the stored settings cannot be used: {describe(exc)}")
            return
        try:
            if self.account.network in VERIFY_FIRST and not await self._verify(client, creds, stop):
                return
            try:
                readers = client.readers(list(self.spec.keywords))
            except ValueError as exc:  # e.g. a keyword too long for the network's search
                await self._describe(State.MISCONFIGURED, f"no reader can be built: {describe(exc)}")
                return
            loops = []
            if reads_via_callback(self.account.network, creds.settings):
                readers = [r for r in readers if r.source != "long_poll"]
            for reader in readers:
                kind = token_kind(self.account.network, reader.source, self.account.token_kinds)
                if kind in self.spec.expired:
                    progress = SourceProgress(self.deps.board, self.account, reader.source, self.deps.me, 0)
                    await progress.resume()
                    await progress.set(State.TOKEN_EXPIRED, f"the {kind} token stopped working; reconnect the account")
                else:
                    loops.append(SourceLoop(self.account, creds, reader, self.deps))
            self.sources = [r.source for r in readers]
            if loops:
                await self._describe(State.READING, "")
            else:
                expired = ", ".join(sorted(self.spec.expired)) or "no"
                await self._describe(State.TOKEN_EXPIRED if self.spec.expired else State.STOPPED,
                                     f"nothing to read: {expired} token(s) expired; reconnect the account")
            # A TaskGroup, not gather: if one source crashes the others are cancelled with it, so the fleet's
            # restart never leaves an orphan loop polling beside the new one.
            async with asyncio.TaskGroup() as group:
                for loop in loops:
                    group.create_task(loop.run(stop), name=f"ingest:{self.account.account_id}:{loop.source}")
                group.create_task(self._backfill(client, creds, stop))
        finally:
            await client.close()

    async def _verify(self, client: AccountClient, creds: Credentials, stop: asyncio.Event) -> bool:
        """Ask the network who the account is (retrying transient failures); False when reading cannot start."""
        backoff = Backoff(self.deps.timing.backoff_min_s, self.deps.timing.backoff_max_s)
        kind = token_kind(self.account.network, "", self.account.token_kinds)
        while not stop.is_set():
            try:
                await asyncio.wait_for(client.verify(), self.deps.timing.poll_timeout_s)
                return True
            except TokenInvalid as exc:
                if kind not in self.spec.expired:
                    await handlers.expire_token(exc, credentials=creds, token_kind=kind, store=self.deps.store)
                await self._describe(State.TOKEN_EXPIRED, f"the {kind} token stopped working; reconnect the account")
                return False
            except PermissionMissing as exc:
                await self._describe(State.PERMISSION_MISSING, describe(exc))
                return False
            except Exception as exc:  # noqa: BLE001 - RetryLater, timeouts, connection errors
                delay = backoff.next(getattr(exc, "retry_after", None), self.deps.rng)
                await self._describe(State.BACKING_OFF, describe(exc))
                await pause(stop, delay)
        return False

    async def _load_credentials(self, stop: asyncio.Event) -> Credentials | None:
        backoff = Backoff(self.deps.timing.backoff_min_s, self.deps.timing.backoff_max_s)
        while not stop.is_set():
            try:
                creds = await self._credentials.get(self.account.account_id)
            except ValueError as exc:  # SecretKeyError: stored with another key
                await self._describe(State.NO_CREDENTIALS, describe(exc))
                return None
            except Exception as exc:  # noqa: BLE001 - NATS unreachable
                await pause(stop, backoff.next(None, self.deps.rng))
                log.warning("ingest: %s: credentials not readable yet (%s)", self.account.account_id, describe(exc))
                continue
            if creds is None:
                await self._describe(State.NO_CREDENTIALS, "no stored tokens for this account; connect it again")
            return creds
        return None

    async def _backfill(self, client: AccountClient, creds: Credentials, stop: asyncio.Event) -> None:
        if self._backfill_days <= 0:
            return
        kind = token_kind(self.account.network, BACKFILL, self.account.token_kinds)
        if kind in self.spec.expired:
            return
        progress = SourceProgress(self.deps.board, self.account, BACKFILL, self.deps.me,
                                  self.deps.timing.status_interval_s)
        backoff = Backoff(self.deps.timing.backoff_min_s, self.deps.timing.backoff_max_s)
        since = self.deps.clock() - timedelta(days=self._backfill_days)
        started = False
        while not stop.is_set():
            try:
                if not started:
                    if await self.deps.cursors.backfill(self.account.account_id) is not None:
                        return
                    await progress.resume()
                    await progress.set(State.BACKFILLING, f"reading back to {since.isoformat(timespec='minutes')}")
                    started = True
                if await self._backfill_once(client, creds, since, progress, stop):
                    return
            except Exception as exc:  # noqa: BLE001 - RetryLater, timeouts, NATS unreachable: try again later
                delay = backoff.next(getattr(exc, "retry_after", None), self.deps.rng)
                log.info("ingest: %s backfill: %s; again in %.1fs", self.account.account_id, describe(exc), delay)
                await progress.failed()
                await progress.set(State.BACKING_OFF, describe(exc), self.deps.clock() + timedelta(seconds=delay))
                await pause(stop, delay)

    async def _backfill_once(self, client: AccountClient, creds: Credentials, since: Any,
                             progress: SourceProgress, stop: asyncio.Event) -> bool:
        d = self.deps
        try:
            batch = await asyncio.wait_for(client.backfill(since), d.timing.poll_timeout_s * 10)
        except TokenInvalid as exc:
            kind = token_kind(self.account.network, BACKFILL, self.account.token_kinds)
            await handlers.expire_token(exc, credentials=creds, token_kind=kind, store=d.store)
            await progress.set(State.TOKEN_EXPIRED, f"the {kind} token stopped working; reconnect the account")
            return True
        except PermissionMissing as exc:
            now = d.clock()
            gap = handlers.gap_recorded(self.account, BACKFILL, since, now,
                                        f"what was written before the account was connected cannot be read: "
                                        f"{describe(exc)}")
            await handlers.record_gap(gap, store=d.store)
            await d.cursors.mark_backfilled(self.account.account_id, {
                "result": "unavailable", "since": since.isoformat(), "at": now.isoformat(), "detail": describe(exc)})
            await progress.count(gaps=1)
            await progress.set(State.DONE, f"not possible: {describe(exc)}")
            return True
        stored = await handlers.store_batch(batch, account=self.account, source=BACKFILL, store=d.store,
                                            dead_letters=d.dead_letters, last_ok=None)
        await d.cursors.mark_backfilled(self.account.account_id, {
            "result": "done", "since": since.isoformat(), "at": utcnow().isoformat(), "events": stored.new,
            "rejected": stored.rejected})
        await progress.count(new=stored.new, duplicates=stored.duplicates, rejected=stored.rejected,
                             gaps=1 if stored.gap else 0, newest=stored.newest)
        await progress.set(State.DONE, f"{stored.new} new items since {since.isoformat(timespec='minutes')}")
        log.info("ingest: %s backfill done: %d new items", self.account.account_id, stored.new)
        return True

    async def _describe(self, state: State, detail: str) -> None:
        record = {"account_id": self.account.account_id, "workspace_id": self.account.workspace_id,
                  "network": self.account.network.value, "name": self.account.name, "holder": self.deps.me,
                  "state": state.value, "detail": detail, "keywords": list(self.spec.keywords),
                  "sources": self.sources, "expired": sorted(self.spec.expired), "updated_at": utcnow().isoformat()}
        try:
            await self.deps.board.put_account(self.account.account_id, record)
        except Exception as exc:  # noqa: BLE001 - status is best effort
            log.debug("account status not written: %s", exc)
