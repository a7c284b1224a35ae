"""Which accounts this replica should take or give back this round. Pure: the lease store does the I/O.

Every account is read by the one replica holding its lease (see ``adapters/leases.py``). Each round a
replica renews what it holds and plans with this module:

- it gives back accounts that were disconnected;
- it takes free accounts up to its fair share (connected accounts / live replicas, rounded up), in an
  order of its own (a hash of replica and account), so replicas starting together rarely race for the
  same account; an account left free for longer than ``grace`` is taken by anyone, whatever the share,
  so no account stays unread because replicas disagree about how many of them are alive;
- holding more than its share while another replica holds less than its share, it gives back one account
  per round, which the other replica picks up: load spreads out without flapping.
"""
from __future__ import annotations

import hashlib
import math
from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Plan:
    take: list[str] = field(default_factory=list)
    release: list[str] = field(default_factory=list)


def fair_share(accounts: int, replicas: int) -> int:
    return math.ceil(accounts / max(replicas, 1))


def _order(me: str, account: str) -> str:
    return hashlib.sha1(f"{me}\x1f{account}".encode()).hexdigest()


def plan(*, me: str, wanted: set[str], holders: dict[str, str], replicas: set[str],
         free_since: dict[str, float], now: float, grace: float) -> Plan:
    """``holders``: account -> replica, for every lease in the bucket (this replica's included);
    ``replicas``: the live replicas (this one included); ``free_since``: when this replica first saw each
    free account free."""
    mine = {a for a, h in holders.items() if h == me}
    release = sorted(mine - wanted)
    mine &= wanted
    share = fair_share(len(wanted), len(replicas | {me}))
    free = sorted((a for a in wanted if a not in holders), key=lambda a: _order(me, a))
    room = max(0, share - len(mine))
    take = free[:room] + [a for a in free[room:] if now - free_since.get(a, now) >= grace]
    if not take and len(mine) > share:
        counts = Counter(h for a, h in holders.items() if a in wanted)
        if any(counts.get(r, 0) < share for r in replicas if r != me):
            release.append(max(mine, key=lambda a: _order(me, a)))
    return Plan(take=take, release=release)
