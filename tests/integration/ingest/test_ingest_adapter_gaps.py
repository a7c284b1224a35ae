"""Adapter behaviour that makes ingest miss data, pinned by tests that fail until the adapter is fixed.

Each is marked ``xfail(strict=True)``: it fails today (the bug is real), and the day the adapter is fixed
the strict marker turns it into a failure that asks for the marker to be removed.
"""
from __future__ import annotations

import pytest

from chorus.events import CommentReceived
from chorus.events.values import Network
from chorus.networks import x
from chorus.networks.base import Endpoints
from chorus.networks.credentials import Credentials


@pytest.mark.xfail(strict=True, reason="networks/x/mapping.py: a comment first seen in an edited version yields only "
                                       "CommentEdited (no CommentReceived), so the comment never reaches the inbox")
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
