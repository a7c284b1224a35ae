"""What the handlers need from the outside world; ``adapters/`` implements each, unit tests subclass them."""
from __future__ import annotations

import abc
from collections.abc import Sequence
from datetime import datetime

from chorus.events import Event
from chorus.events.values import MediaRef
from chorus.networks.base import AccountClient, Media
from chorus.publisher.domain import AccountStatus, Item, Workspace


class Schedule(abc.ABC):
    """The schedule's rows (a projection of the log) and the one write the worker makes: the claim."""

    @abc.abstractmethod
    async def load(self, key: str) -> Item | None: ...

    @abc.abstractmethod
    async def workspace(self, workspace_id: str) -> Workspace: ...

    @abc.abstractmethod
    async def claim(self, item: Item, attempt: int, now: datetime) -> Item | None:
        """Mark ``item`` as being sent (attempt ``attempt``), in one transaction that checks it is still as it
        was read: not cancelled, not edited, not claimed by someone else, and this instance holds the lease.
        Returns the claimed item, or ``None`` when it changed (nothing is sent then)."""

    @abc.abstractmethod
    async def release(self, item: Item, attempt: int) -> None:
        """Undo a claim whose intent could not be recorded in the log (so the network was never called)."""


class Accounts(abc.ABC):
    """Connected accounts: their status and a client for each (built from the encrypted credentials)."""

    @abc.abstractmethod
    async def status(self, account_id: str) -> AccountStatus: ...

    @abc.abstractmethod
    async def client(self, account_id: str) -> AccountClient: ...

    @abc.abstractmethod
    async def token_expired(self, account_id: str, token_kind: str, reason: str) -> None:
        """Announce an expired token (once per connection) and stop using the account until it is reconnected."""


class MediaProblem(Exception):
    """A media file cannot be used (missing from the store, unreadable); the message says which and why."""


class MediaSource(abc.ABC):
    @abc.abstractmethod
    async def load(self, refs: Sequence[MediaRef]) -> list[Media]:
        """The bytes of each file, in order. Raises ``MediaProblem``."""


class EventLog(abc.ABC):
    @abc.abstractmethod
    async def append(self, events: Sequence[Event]) -> None:
        """Append in order and wait for the log's acknowledgement (raises when it cannot)."""


class Clock(abc.ABC):
    @abc.abstractmethod
    def now(self) -> datetime: ...
