"""Connected accounts for the publisher: status from the credentials store and the log, one client each.

An account is connected when its encrypted credentials are in the store (disconnecting deletes them) and the
log has not said it was disconnected. A token found expired is announced once per connection
(``report_token_expired``: its event id is fixed per connection and token kind) and remembered, so the
account's next items fail at once, without calling the network, until it is reconnected (``forget``).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from chorus.backbone.store import EventStore
from chorus.networks import client_for
from chorus.networks.accounts import report_token_expired
from chorus.networks.base import AccountClient, Endpoints
from chorus.networks.credentials import Credentials, CredentialStore
from chorus.publisher.adapters.repository import SqlSchedule
from chorus.publisher.domain import AccountStatus
from chorus.publisher.ports import Accounts

log = logging.getLogger(__name__)

ClientFactory = Callable[[Credentials, Endpoints], AccountClient]


class NetworkAccounts(Accounts):
    def __init__(self, credentials: CredentialStore, endpoints: Endpoints, schedule: SqlSchedule,
                 store: EventStore, factory: ClientFactory = client_for) -> None:
        self._credentials, self._endpoints, self._schedule = credentials, endpoints, schedule
        self._store, self._factory = store, factory
        self._known: dict[str, Credentials | None] = {}
        self._clients: dict[str, tuple[int, AccountClient]] = {}
        self._expired: dict[str, str] = {}
        self._closing: set[asyncio.Task] = set()

    async def _get(self, account_id: str) -> Credentials | None:
        if account_id not in self._known:
            self._known[account_id] = await self._credentials.get(account_id)
        return self._known[account_id]

    async def status(self, account_id: str) -> AccountStatus:
        credentials = await self._get(account_id)
        row = await self._schedule.account_status(account_id)
        if credentials is None or (row is not None and row[0] == "disconnected"):
            return AccountStatus(connected=False, reason=(row[1] if row and row[0] == "disconnected" else "") or "")
        if account_id in self._expired:
            return AccountStatus(connected=True, token_expired=True, reason=self._expired[account_id])
        if row is not None and row[0] == "token_expired":
            return AccountStatus(connected=True, token_expired=True, reason=row[1] or "")
        return AccountStatus(connected=True)

    async def client(self, account_id: str) -> AccountClient:
        credentials = await self._get(account_id)
        if credentials is None:
            raise LookupError(f"account {account_id} has no stored credentials")
        cached = self._clients.get(account_id)
        if cached is not None and cached[0] == credentials.generation:
            return cached[1]
        client = self._factory(credentials, self._endpoints)
        self._clients[account_id] = (credentials.generation, client)
        if cached is not None:
            self._close_later(cached[1])
        return client

    async def token_expired(self, account_id: str, token_kind: str, reason: str) -> None:
        credentials = await self._get(account_id)
        self._expired[account_id] = (f"the account's {token_kind} token stopped working ({reason}): "
                                     "reconnect the account, then edit the post to publish it")
        if credentials is not None:
            await report_token_expired(store=self._store, account=credentials, token_kind=token_kind,
                                       reason=reason, detected_by="publisher")

    def forget(self, account_id: str) -> None:
        """The account was (re)connected or disconnected: read its credentials again next time."""
        self._known.pop(account_id, None)
        self._expired.pop(account_id, None)
        cached = self._clients.pop(account_id, None)
        if cached is not None:
            self._close_later(cached[1])

    def _close_later(self, client: AccountClient) -> None:
        task = asyncio.get_running_loop().create_task(_close(client))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def close(self) -> None:
        clients = [c for _, c in self._clients.values()]
        self._clients.clear()
        await asyncio.gather(*(_close(c) for c in clients), *self._closing)


async def _close(client: AccountClient) -> None:
    try:
        await client.close()
    except Exception as exc:  # noqa: BLE001 - closing is best effort
        log.debug("closing a client failed: %s", exc)
