"""Connecting and disconnecting accounts: the one flow behind `chorus account` and the inbox settings.

Connecting verifies the token against the network first (a wrong token is refused with the network's
reason, nothing is stored), then stores the tokens encrypted and appends ``AccountConnected``. The
account id is derived from the workspace, network and network id, so reconnecting a community after a
token expired keeps its history together.
"""
from __future__ import annotations

from chorus.backbone.store import EventStore
from chorus.events import AccountConnected, AccountDisconnected, AccountTokenExpired, derived_id
from chorus.events.values import Network
from chorus.networks import client_for
from chorus.networks.base import Endpoints
from chorus.networks.credentials import Credentials, CredentialStore


def account_id_for(workspace_id: str, network: Network, external_id: str) -> str:
    return f"{network.value}-{derived_id('account', workspace_id, network.value, external_id)[:12]}"


async def connect_account(*, store: EventStore, credentials: CredentialStore, endpoints: Endpoints,
                          workspace_id: str, network: Network, tokens: dict[str, str],
                          settings: dict[str, object] | None = None, external_id: str = "",
                          connected_by: str) -> AccountConnected:
    """Verify, store and announce an account. Raises a ``NetworkError`` if the network refuses the token."""
    draft = Credentials(account_id="pending", workspace_id=workspace_id, network=network, external_id=external_id,
                        tokens=dict(tokens), settings=dict(settings or {}))
    client = client_for(draft, endpoints)
    try:
        profile = await client.verify()
    finally:
        await client.close()
    account_id = account_id_for(workspace_id, network, profile.external_id)
    previous = await credentials.get(account_id)
    stored = Credentials(account_id=account_id, workspace_id=workspace_id, network=network,
                         external_id=profile.external_id, tokens=dict(tokens),
                         settings={**profile.settings, **(settings or {})},
                         generation=(previous.generation + 1) if previous else 1)
    await credentials.put(stored)
    event = AccountConnected(
        workspace_id=workspace_id, account_id=account_id, network=network, external_id=profile.external_id,
        name=profile.name, handle=profile.handle, url=profile.url, token_kinds=profile.token_kinds,
        features=profile.features, connected_by=connected_by,
        event_id=derived_id(AccountConnected.type, account_id, stored.generation))
    await store.append(event)
    return event


async def disconnect_account(*, store: EventStore, credentials: CredentialStore, account_id: str,
                             reason: str, disconnected_by: str) -> AccountDisconnected:
    stored = await credentials.get(account_id)
    if stored is None:
        raise LookupError(f"no connected account {account_id!r}")
    await credentials.delete(account_id)
    event = AccountDisconnected(workspace_id=stored.workspace_id, account_id=account_id, network=stored.network,
                                reason=reason, disconnected_by=disconnected_by)
    await store.append(event)
    return event


async def report_token_expired(*, store: EventStore, account: Credentials, token_kind: str, reason: str,
                               detected_by: str) -> AccountTokenExpired:
    """Announce that a token stopped working. Its id is fixed per connection and token, so ingest and the
    publisher noticing the same expiry store one event."""
    event = AccountTokenExpired(
        workspace_id=account.workspace_id, account_id=account.account_id, network=account.network,
        token_kind=token_kind, reason=reason, detected_by=detected_by,
        event_id=derived_id(AccountTokenExpired.type, account.account_id, account.generation, token_kind))
    await store.append(event)
    return event
