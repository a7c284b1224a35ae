"""Ingest's own view of the world and its reading rules. Pure: no I/O, no clock, no randomness of its own.

- ``AccountBook``: the connected accounts, as the accounts stream tells (connected, disconnected, token
  expired), and each workspace's brand keywords from its latest ``BrandRulesChanged``.
- ``ReaderSpec``: what a running account reader was built from; when it changes, the reader is rebuilt.
- Reading rules per network and source: long poll or polling, which token a source uses, how far back
  the network lets a reader page (beyond that, an outage is a gap).
- ``Backoff``: exponential delays with jitter, never shorter than what the network asked for.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from chorus.events import (
    AccountConnected,
    AccountDisconnected,
    AccountTokenExpired,
    BrandRulesChanged,
    Event,
)
from chorus.events.values import Network


class State(StrEnum):
    """What a source (or an account) is doing, as ``chorus ingest status`` shows it."""

    STARTING = "starting"
    BACKFILLING = "backfilling"
    READING = "reading"
    BACKING_OFF = "backing off"
    TOKEN_EXPIRED = "token expired"
    PERMISSION_MISSING = "permission missing"
    NO_CREDENTIALS = "no credentials"
    MISCONFIGURED = "misconfigured"
    STOPPED = "stopped"
    NOT_LEASED = "not leased"
    DONE = "done"


@dataclass(frozen=True)
class AccountRecord:
    account_id: str
    workspace_id: str
    network: Network
    external_id: str
    name: str
    token_kinds: tuple[str, ...]
    #: The id of the ``AccountConnected`` event of the current connection (changes at each reconnection).
    connection: str
    #: Token kinds reported expired since that connection.
    expired: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ReaderSpec:
    """Everything an account's readers are built from; a change means stop them and build new ones."""

    connection: str
    keywords: tuple[str, ...]
    expired: frozenset[str]


@dataclass
class AccountBook:
    accounts: dict[str, AccountRecord] = field(default_factory=dict)
    #: workspace id -> the ``rules`` of its latest ``BrandRulesChanged`` (BrandRule objects)
    brand_rules: dict[str, list[Any]] = field(default_factory=dict)

    def apply(self, event: Event) -> bool:
        """Change the view for ``event``; True when something changed."""
        if isinstance(event, AccountConnected):
            self.accounts[event.account_id] = AccountRecord(
                account_id=event.account_id, workspace_id=event.workspace_id, network=Network(event.network),
                external_id=event.external_id, name=event.name, token_kinds=tuple(event.token_kinds),
                connection=event.event_id)
            return True
        if isinstance(event, AccountDisconnected):
            return self.accounts.pop(event.account_id, None) is not None
        if isinstance(event, AccountTokenExpired):
            known = self.accounts.get(event.account_id)
            if known is None or event.token_kind in known.expired:
                return False
            self.accounts[event.account_id] = replace(known, expired=known.expired | {event.token_kind})
            return True
        if isinstance(event, BrandRulesChanged):
            self.brand_rules[event.workspace_id] = list(event.rules)
            return True
        return False

    def keywords(self, account: AccountRecord) -> tuple[str, ...]:
        """The include terms of the workspace's enabled brand rules that apply to the account's network."""
        found: dict[str, None] = {}
        for rule in self.brand_rules.get(account.workspace_id, []):
            if not rule.enabled or (rule.networks and account.network not in rule.networks):
                continue
            for term in rule.include:
                cleaned = " ".join(str(term).split())
                if cleaned:
                    found.setdefault(cleaned, None)
        return tuple(sorted(found))

    def spec(self, account: AccountRecord) -> ReaderSpec:
        return ReaderSpec(account.connection, self.keywords(account), account.expired)


# --- reading rules ---------------------------------------------------------------------------------------

#: Sources whose ``poll`` itself waits for news (a long poll): polled again at once.
LONG_POLLS = {(Network.VK, "long_poll"), (Network.TELEGRAM, "updates")}

BACKFILL = "backfill"

#: How far back a source can still read after a pause; a longer outage loses the oldest part.
#: Telegram keeps unconfirmed updates 24 hours; X recent search reaches 7 days back; the Facebook feed reader
#: sees posts of its window (``window_days``, 14 by default). VK's long poll says itself when history was
#: lost (``failed: 1``); VK newsfeed.search and X mentions page by id/time without a documented horizon.
HORIZONS = {
    (Network.TELEGRAM, "updates"): timedelta(hours=24),
    (Network.X, "search"): timedelta(days=7),
}
FACEBOOK_WINDOW_DAYS = 14.0


#: Networks whose client learns something its readers need from ``verify()`` (Telegram: the channel's
#: discussion group, when it was not stored with the account), so the runner verifies before reading.
VERIFY_FIRST = {Network.TELEGRAM}


def base_source(source: str) -> str:
    """``search:2`` -> ``search``: the kind of source, whatever its number."""
    return source.split(":", 1)[0]


def is_long_poll(network: Network, source: str) -> bool:
    return (network, base_source(source)) in LONG_POLLS


def horizon(network: Network, source: str, account_settings: dict[str, Any]) -> timedelta | None:
    if network is Network.FACEBOOK and base_source(source) == "feed":
        days = account_settings.get("window_days", FACEBOOK_WINDOW_DAYS)
        valid = isinstance(days, int | float) and not isinstance(days, bool) and days > 0
        return timedelta(days=float(days) if valid else FACEBOOK_WINDOW_DAYS)
    return HORIZONS.get((network, base_source(source)))


def token_kind(network: Network, source: str, kinds: tuple[str, ...] | list[str]) -> str:
    """Which of the account's tokens a source reads with (the one to report when it stops working)."""
    source = base_source(source)
    if network is Network.VK:
        return "community" if source == "long_poll" else "user"
    if network is Network.X:
        return "bearer" if "bearer" in kinds else "user"
    if network is Network.TELEGRAM:
        return "bot"
    return "page"


def reads_via_callback(network: Network, account_settings: dict[str, Any]) -> bool:
    """A VK community that pushes its events to ingest (Callback API) instead of being long-polled."""
    return network is Network.VK and account_settings.get("read_via") == "callback"


def outage_gap(last_ok: datetime | None, now: datetime, reach: timedelta | None) -> tuple[datetime, datetime] | None:
    """The part of a pause the source can no longer read back: from ``last_ok`` to ``now - reach``."""
    if last_ok is None or reach is None or now - last_ok <= reach:
        return None
    return last_ok, now - reach


@dataclass
class Backoff:
    """Delays after consecutive transient failures: ``minimum`` doubling up to ``maximum``, "equal jitter"
    (half fixed, half random) so readers that failed together do not retry together. A delay the network
    asked for (``retry_after``) is honoured even above ``maximum``."""

    minimum: float
    maximum: float
    failures: int = 0

    def next(self, retry_after: float | None, rng: random.Random) -> float:
        self.failures += 1
        base = min(self.maximum, self.minimum * 2 ** min(self.failures - 1, 30))
        delay = rng.uniform(base / 2, base)
        if retry_after is not None and retry_after > 0:
            delay = max(delay, retry_after * rng.uniform(1.0, 1.1))
        return delay

    def reset(self) -> None:
        self.failures = 0


# --- status figures ----------------------------------------------------------------------------------------

def age_s(now: datetime, then: datetime | None) -> float | None:
    return None if then is None else max(0.0, (now - then).total_seconds())
