"""Fakes of the publisher's ports (subclasses of the real ones) and of a network account client."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from chorus.events import Event
from chorus.events.values import MediaRef, Network
from chorus.networks.base import AccountClient, Media, Sent, Target
from chorus.publisher.domain import AccountStatus, Item, Kind, Policy, State, Workspace
from chorus.publisher.handlers import Deps
from chorus.publisher.ports import Accounts, Clock, EventLog, MediaProblem, MediaSource, Schedule

NOW = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


def item(**changes: Any) -> Item:
    base = Item(key="post-1:acc-1", kind=Kind.POST, workspace_id="ws-1", account_id="acc-1", network=Network.X,
                text="Новая коллекция", publish_at=NOW, due_at=NOW, state=State.SCHEDULED, post_id="post-1",
                source_event_id="scheduled-1", correlation_id="corr-1")
    return replace(base, **changes)


class FakeSchedule(Schedule):
    def __init__(self, *items: Item, workspace: Workspace | None = None) -> None:
        self.items = {i.key: i for i in items}
        self.ws = workspace or Workspace()
        self.refuse_claims = False
        self.released: list[tuple[str, int]] = []

    async def load(self, key: str) -> Item | None:
        return self.items.get(key)

    async def workspace(self, workspace_id: str) -> Workspace:
        return self.ws

    async def claim(self, item: Item, attempt: int, now: datetime) -> Item | None:
        current = self.items.get(item.key)
        if self.refuse_claims or current is None or current.state not in (State.SCHEDULED, State.UNKNOWN) \
                or current.version != item.version or current.attempts != item.attempts or current.cancel_requested:
            return None
        claimed = replace(current, state=State.SENDING, attempts=attempt, intent_at=current.intent_at or now)
        self.items[item.key] = claimed
        return claimed

    async def release(self, item: Item, attempt: int) -> None:
        self.released.append((item.key, attempt))
        self.items[item.key] = replace(item, state=State.SCHEDULED, attempts=attempt - 1)


class FakeClient(AccountClient):
    """Answers each write with the next scripted outcome (a ``Sent`` or an exception to raise)."""

    network = Network.X
    account_id = "acc-1"

    def __init__(self, log: FakeLog | None = None, outcomes: Sequence[Sent | Exception] = (),
                 found: Sequence[Sent | None | Exception] = ()) -> None:
        self.log = log
        self.outcomes, self.found = list(outcomes), list(found)
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.logged_before_call: list[int] = []

    def _next(self, name: str, **args: Any) -> Sent:
        self.calls.append((name, args))
        if self.log is not None:
            self.logged_before_call.append(len(self.log.events))
        outcome = self.outcomes.pop(0) if self.outcomes else Sent("remote-1", "https://x.com/i/web/status/1")
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def publish_post(self, text: str, media: list[Media], publish_at: datetime | None, key: str) -> Sent:
        return self._next("publish_post", text=text, media=media, publish_at=publish_at, key=key)

    async def reply_to_comment(self, post_id: str, comment_id: str | None, text: str, key: str) -> Sent:
        return self._next("reply_to_comment", post_id=post_id, comment_id=comment_id, text=text, key=key)

    async def send_message(self, dialogue_id: str, text: str, key: str) -> Sent:
        return self._next("send_message", dialogue_id=dialogue_id, text=text, key=key)

    async def find_sent(self, key: str, text: str, since: datetime, target: Target | None = None) -> Sent | None:
        self.calls.append(("find_sent", {"key": key, "text": text, "since": since, "target": target}))
        outcome = self.found.pop(0) if self.found else None
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def close(self) -> None:
        pass


class FakeAccounts(Accounts):
    def __init__(self, client: FakeClient, status: AccountStatus | None = None) -> None:
        self._client, self._status = client, status or AccountStatus(connected=True)
        self.expired: list[tuple[str, str, str]] = []

    async def status(self, account_id: str) -> AccountStatus:
        return self._status

    async def client(self, account_id: str) -> AccountClient:
        return self._client

    async def token_expired(self, account_id: str, token_kind: str, reason: str) -> None:
        self.expired.append((account_id, token_kind, reason))


class FakeMedia(MediaSource):
    def __init__(self, files: dict[str, Media] | None = None) -> None:
        self.files = files or {}

    async def load(self, refs: Sequence[MediaRef]) -> list[Media]:
        missing = [r.media_id for r in refs if r.media_id not in self.files]
        if missing:
            raise MediaProblem(f"{missing[0]}: not in the media store")
        return [self.files[r.media_id] for r in refs]


class FakeLog(EventLog):
    def __init__(self) -> None:
        self.events: list[Event] = []
        self.fail_next = 0

    async def append(self, events: Sequence[Event]) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("NATS is away")
        self.events.extend(events)

    def types(self) -> list[str]:
        return [type(e).__name__ for e in self.events]


class FixedClock(Clock):
    def __init__(self, at: datetime = NOW) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


def deps(*items: Item, client: FakeClient | None = None, status: AccountStatus | None = None,
         media: FakeMedia | None = None, workspace: Workspace | None = None, policy: Policy | None = None) -> Deps:
    log = FakeLog()
    client = client or FakeClient()
    client.log = log
    return Deps(schedule=FakeSchedule(*items, workspace=workspace), accounts=FakeAccounts(client, status),
                media=media or FakeMedia(), log=log, clock=FixedClock(), policy=policy or Policy(),
                jitter=lambda: 1.0)
