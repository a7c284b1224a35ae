"""What the networks push to ingest's HTTP server: VK Callback API events, Facebook webhook notifications.

VK Callback API (``POST /callback/vk``, one address for every community): the body names the community
(``group_id``). An account opts in with two settings stored with its tokens, ``callback_secret`` (the
"secret key" set in the community's Callback API settings) and ``callback_confirmation_code`` (the string
VK shows there); with ``read_via: "callback"`` its long poll is not run. A ``confirmation`` request is
answered with the code; any other event must carry the secret (compared in constant time), is mapped by
the VK adapter's own ``from_update`` (the function that maps long poll updates: the payloads are the
same), appended, and only then answered ``ok``: VK retries anything else, and a retry is stored once
because the event id comes from VK's ``event_id``. An event the adapter cannot map is kept as a dead
letter and still answered ``ok`` (retrying would not help). Every replica answers; no lease is needed.

Facebook webhooks (``GET/POST /webhooks/facebook``): the Facebook adapter has no mapping for pushed
``feed`` changes (their shape differs from the Graph objects it maps), so a verified notification does
not become events here: it wakes the Page's feed reader, on whichever replica holds the Page, to poll
at once instead of at its next interval (a core NATS message, ``chorus_internal.ingest.nudge.<account>``).
The subscription handshake (``hub.verify_token``) and the ``X-Hub-Signature-256`` check are complete.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any

from chorus.backbone.store import EventStore
from chorus.events.values import Network
from chorus.ingest import handlers
from chorus.ingest.domain import AccountBook, AccountRecord
from chorus.networks.base import Endpoints
from chorus.networks.credentials import Credentials, CredentialStore
from chorus.networks.vk import mapping as vk_mapping
from chorus.networks.vk import people as vk_people
from chorus.networks.vk.transport import VkTransport

log = logging.getLogger(__name__)

NUDGE_PREFIX = "chorus_internal.ingest.nudge"


@dataclass
class Answer:
    status: int
    text: str


@dataclass
class _Community:
    record: AccountRecord
    credentials: Credentials
    mapping: vk_mapping.Account
    transport: VkTransport | None


class VkCallbacks:
    def __init__(self, book: AccountBook, credentials: CredentialStore, endpoints: Endpoints, *,
                 store: EventStore, dead_letters: handlers.DeadLetterKeeper) -> None:
        self._book = book
        self._credentials = credentials
        self._endpoints = endpoints
        self._store = store
        self._dead_letters = dead_letters
        self._known: dict[str, _Community] = {}
        self.received = 0

    async def handle(self, body: Any) -> Answer:
        if not isinstance(body, dict) or not isinstance(body.get("type"), str):
            return Answer(400, "not a VK Callback API event")
        group_id = body.get("group_id")
        if isinstance(group_id, bool) or not isinstance(group_id, int) or group_id <= 0:
            return Answer(400, "group_id is missing")
        secret = body.pop("secret", None)
        communities = await self._communities(group_id)
        if not communities:
            return Answer(404, "this community is not connected to Chorus")
        allowed = [c for c in communities if _secret_ok(c.credentials, secret)]
        if body["type"] == "confirmation":
            codes = [c.credentials.settings.get("callback_confirmation_code") for c in allowed]
            code = next((c for c in codes if isinstance(c, str) and c), None)
            return Answer(200, code) if code else Answer(403, "no callback_confirmation_code is set for this community")
        if not allowed:
            return Answer(403, "wrong or missing secret")
        for community in allowed:
            await handlers.vk_update_pushed(body, account=community.record, mapping=community.mapping,
                                            resolve=self._resolver(community), store=self._store,
                                            dead_letters=self._dead_letters)
        self.received += 1
        return Answer(200, "ok")

    async def _communities(self, group_id: int) -> list[_Community]:
        found = []
        for record in self._book.accounts.values():
            if record.network is not Network.VK or record.external_id.lstrip("-") != str(group_id):
                continue
            known = self._known.get(record.account_id)
            if known is None or known.record.connection != record.connection:
                if known is not None and known.transport is not None:
                    known.transport.close()
                credentials = await self._credentials.get(record.account_id)
                if credentials is None:
                    continue
                community_token = credentials.token("community")
                transport = VkTransport({"community": community_token}, self._endpoints.vk) if community_token else None
                known = _Community(record, credentials,
                                   vk_mapping.Account(record.account_id, record.workspace_id, group_id), transport)
                self._known[record.account_id] = known
            found.append(known)
        return found

    @staticmethod
    def _resolver(community: _Community):
        if community.transport is None:
            return None
        transport = community.transport

        async def resolve(ids: set[int]) -> None:
            await vk_people.resolve(transport, community.mapping, ids)

        return resolve

    def close(self) -> None:
        for community in self._known.values():
            if community.transport is not None:
                community.transport.close()
        self._known.clear()


def _secret_ok(credentials: Credentials, given: Any) -> bool:
    expected = credentials.settings.get("callback_secret")
    if not isinstance(expected, str) or not expected:
        return False  # unauthenticated pushes would let anyone write into the inbox
    return isinstance(given, str) and hmac.compare_digest(given.encode(), expected.encode())


# --- Facebook ------------------------------------------------------------------------------------------

def facebook_challenge(params: dict[str, str], verify_token: str | None) -> Answer:
    if not verify_token:
        return Answer(404, "the Facebook webhook is not configured (CHORUS_FACEBOOK_VERIFY_TOKEN)")
    given = params.get("hub.verify_token", "")
    if params.get("hub.mode") != "subscribe" or not hmac.compare_digest(given.encode(), verify_token.encode()):
        return Answer(403, "verification failed")
    return Answer(200, params.get("hub.challenge", ""))


def facebook_signature_ok(body: bytes, header: str | None, app_secret: str) -> bool:
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header.removeprefix("sha256=").strip().lower().encode(), expected.encode())


def facebook_pages_with_news(body: bytes) -> set[str]:
    """Ids of the Pages a webhook notification says have feed changes (comments, posts)."""
    try:
        data = json.loads(body)
    except ValueError:
        return set()
    if not isinstance(data, dict) or data.get("object") != "page":
        return set()
    pages = set()
    for entry in data.get("entry") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str | int):
            continue
        changes = entry.get("changes") if isinstance(entry.get("changes"), list) else []
        if any(isinstance(c, dict) and c.get("field") == "feed" for c in changes):
            pages.add(str(entry["id"]))
    return pages


def facebook_accounts(book: AccountBook, pages: set[str]) -> list[str]:
    return sorted(r.account_id for r in book.accounts.values()
                  if r.network is Network.FACEBOOK and r.external_id in pages)
