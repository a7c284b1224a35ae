"""Adapter behaviour that once made ingest miss data, kept as regression tests."""
from __future__ import annotations

from chorus.events import CommentReceived
from chorus.events.values import Network
from chorus.networks import x
from chorus.networks.base import Endpoints
from chorus.networks.credentials import Credentials


async def test_x_a_reply_edited_before_it_was_first_read_is_still_received(emulators):
    account = await emulators.post("x", "/accounts", {"username": "brand_edit"})
    root = await emulators.post("x", "/tweets", {"author": "brand_edit", "text": "Пост"})
    reply = await emulators.post("x", "/tweets", {"author": "fan", "text": "Опечатка", "in_reply_to": root["id"]})
    await emulators.post("x", f"/tweets/{reply['id']}/edit", {"text": "Исправлено"})
    credentials = Credentials(account_id="x-1", workspace_id="ws", network=Network.X, external_id=account["id"],
                              tokens=account["tokens"])
    client = x.client(credentials, Endpoints(x=emulators.url))
    try:
        batch = await client.readers([])[0].poll(None)
    finally:
        await client.close()
    received = [e for e in batch.events if isinstance(e, CommentReceived)]
    assert [e.comment_id for e in received] == [reply["id"]]
