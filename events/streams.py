"""One JetStream stream per producing context.

A stream is named after the context that writes to it and holds every subject under its prefix. The
settings that must not drift (storage, retention, discard policy) live here; sizes and the duplicate
window are deployment choices and come from configuration (see ``chorus.backbone.streams``).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stream:
    name: str
    subject_prefix: str
    producer: str
    description: str

    @property
    def subjects(self) -> list[str]:
        return [f"{self.subject_prefix}.>"]


ACCOUNTS = Stream(
    "CHORUS_ACCOUNTS", "chorus.accounts", "networks (the `chorus account` commands and the inbox settings)",
    "Connected accounts of every workspace: connections, disconnections and expired tokens. Never tokens.",
)
INGEST = Stream(
    "CHORUS_INGEST", "chorus.ingest", "ingest",
    "Everything read from the networks: comments, direct messages, mentions, stats and reading gaps.",
)
MONITOR = Stream(
    "CHORUS_MONITOR", "chorus.monitor", "monitor",
    "Sentiment labels, brand rules and alerts.",
)
INBOX = Stream(
    "CHORUS_INBOX", "chorus.inbox", "inbox",
    "What people do in the inbox: replies requested, assignments, tags, notes, corrections, posts composed.",
)
PUBLISHER = Stream(
    "CHORUS_PUBLISHER", "chorus.publisher", "publisher",
    "Outcomes of what the publisher did on the networks: replies and posts sent, failed or unknown.",
)

#: Every event stream, in the order they are created.
EVENT_STREAMS: tuple[Stream, ...] = (ACCOUNTS, INGEST, MONITOR, INBOX, PUBLISHER)

#: Poison messages, kept for operators to list and replay. Not an event stream: its messages are copies.
DEAD_LETTER = Stream(
    "CHORUS_DEADLETTER", "chorus.deadletter", "every consumer",
    "Messages a consumer could not handle after its bounded number of deliveries, with the reason.",
)
