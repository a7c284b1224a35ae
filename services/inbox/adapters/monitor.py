"""Asking the monitor to deliver a test alert, and keeping destination secrets in the credentials store.

Contract of ``chorus.monitor.test_destination`` (a core NATS request; the monitor answers it):

- request: JSON ``{"workspace_id": str, "destination_id": str, "requested_by": str}``; the destination is
  the one with that id in the workspace's latest ``AlertDestinationsChanged``, its secret (if any) in the
  credentials store under ``dest-<destination_id>`` (``Credentials.tokens["secret"]``).
- reply: JSON ``{"ok": bool, "detail": str}``: ``ok`` true once the destination accepted a test message
  (webhook 2xx, Telegram ``sendMessage`` ok, SMTP accepted), otherwise ``detail`` says why, without secrets.
- no responder or no reply within the timeout: the inbox shows "the monitor did not answer".

No event is appended for a test: it is not an alert, and the monitor sends it straight to the destination.
"""
from __future__ import annotations

import json

import nats.errors

from chorus.events.settings import AlertDestination, DestinationKind
from chorus.events.values import Network
from chorus.networks.credentials import Credentials, CredentialStore

SUBJECT = "chorus.monitor.test_destination"


async def request_test(nc, workspace_id: str, destination_id: str, user_id: str, timeout: float) -> tuple[bool, str]:
    if nc is None:
        return False, "not connected to NATS"
    payload = json.dumps({"workspace_id": workspace_id, "destination_id": destination_id,
                          "requested_by": user_id}).encode()
    try:
        msg = await nc.request(SUBJECT, payload, timeout=timeout)
    except nats.errors.NoRespondersError:
        return False, "the monitor did not answer (is it running?)"
    except (nats.errors.TimeoutError, TimeoutError):
        return False, f"the monitor did not answer within {timeout:.0f} s"
    try:
        answer = json.loads(msg.data)
        return bool(answer["ok"]), str(answer.get("detail", ""))[:500]
    except (ValueError, KeyError, TypeError):
        return False, "the monitor's answer could not be read"


#: The credentials store keys every entry by a network; a destination secret is filed under the network
#: closest to it (only for the store's shape: its ``settings["purpose"]`` says what it really is).
_FILED_AS = {DestinationKind.TELEGRAM: Network.TELEGRAM, DestinationKind.WEBHOOK: Network.X,
             DestinationKind.EMAIL: Network.X}


async def store_secret(credentials: CredentialStore, workspace_id: str, destination: AlertDestination,
                       secret: str) -> None:
    await credentials.put(Credentials(
        account_id=f"dest-{destination.destination_id}", workspace_id=workspace_id,
        network=_FILED_AS[destination.kind], external_id=destination.destination_id, tokens={"secret": secret},
        settings={"purpose": "alert_destination", "kind": destination.kind.value}))
