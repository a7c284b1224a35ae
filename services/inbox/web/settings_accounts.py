"""Connecting and disconnecting accounts from the settings page, through ``chorus.networks.accounts``."""
from __future__ import annotations

from typing import Any

from chorus.events.values import Network
from chorus.inbox import health_views
from chorus.inbox.domain import InboxError, NotFound
from chorus.inbox.web.auth import services
from chorus.networks.accounts import connect_account, disconnect_account
from chorus.networks.errors import NetworkError
from chorus.networks.features import catalogue

#: The tokens each network's adapter reads (kind, label); the id field is the community/page/user id.
TOKEN_KINDS: dict[str, dict[str, Any]] = {
    "vk": {"tokens": [("community", "Community token"), ("user", "Administrator's user token")],
           "external_id": "Community id (optional: read from the token)"},
    "telegram": {"tokens": [("bot", "Bot token")], "external_id": "Channel or group id (optional)"},
    "x": {"tokens": [("bearer", "App bearer token (reading)"), ("user", "User access token (replying, posting)")],
          "external_id": "X user id"},
    "facebook": {"tokens": [("page", "Page access token")], "external_id": "Page id"},
}


#: What each feature of ``chorus.networks.features`` is called on the page (translated by the catalogue).
FEATURE_LABELS = {
    "read_comments": "Reading comments", "read_messages": "Reading private messages",
    "read_posts": "Reading the account's posts", "mentions": "Brand mentions",
    "backfill_comments": "Comments from before connecting", "reply_comments": "Replying to comments",
    "send_messages": "Answering private messages", "publish_posts": "Publishing posts",
    "schedule_posts": "Scheduling on the network", "followers": "Follower count",
    "audience_stats": "Audience statistics",
}


def feature_table(network: str) -> list[tuple[str, str, list[str]]]:
    """Every feature of a network: its name, its label, and the labels of the tokens that allow it."""
    tokens = dict(TOKEN_KINDS.get(network, {}).get("tokens", []))
    return [(f.name, FEATURE_LABELS[f.name], [tokens.get(kind, kind) for kind in f.token_kinds])
            for f in catalogue(network)]


async def connect(request, caller, ws: str, form) -> str:
    svc = services(request)
    if svc.credentials is None:
        raise InboxError("no_secret_key", "set CHORUS_SECRET_KEY to connect accounts (tokens are stored encrypted)")
    try:
        network = Network(str(form.get("network", "")))
    except ValueError:
        raise InboxError("bad_network", "choose a network") from None
    tokens = {kind: str(form.get(f"token_{kind}", "")).strip() for kind, _ in TOKEN_KINDS[network.value]["tokens"]}
    tokens = {k: v for k, v in tokens.items() if v}
    if not tokens:
        raise InboxError("no_token", "paste at least one token")
    try:
        await connect_account(store=svc.store, credentials=svc.credentials, endpoints=svc.settings.endpoints,
                              workspace_id=ws, network=network, tokens=tokens,
                              external_id=str(form.get("external_id", "")).strip(), connected_by=caller.user_id)
    except NetworkError as exc:
        raise InboxError("network_refused", f"{network.value} refused the token: {exc}", detail=str(exc)) from None
    except (ImportError, ValueError) as exc:
        raise InboxError("network_refused", f"{network.value}: {exc}", detail=str(exc)) from None
    return "connected"


async def disconnect(request, caller, ws: str, form) -> str:
    svc = services(request)
    account_id = str(form.get("account_id", ""))
    found = await svc.read(health_views.account, caller.scope, account_id)
    if found["workspace_id"] != ws:  # an admin of this workspace only manages this workspace's accounts
        raise NotFound("account")
    if svc.credentials is None:
        raise InboxError("no_secret_key", "set CHORUS_SECRET_KEY to manage accounts")
    try:
        await disconnect_account(store=svc.store, credentials=svc.credentials, account_id=account_id,
                                 reason=str(form.get("reason", "")).strip()[:300], disconnected_by=caller.user_id)
    except LookupError:
        raise InboxError("not_connected", "this account has no stored tokens; it is already disconnected") from None
    return "disconnected"
