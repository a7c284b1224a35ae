"""Which accounts a replica takes and gives back each round (the lease store does the I/O)."""
from __future__ import annotations

from chorus.ingest.leasing import fair_share, plan

ACCOUNTS = {f"acc-{i}" for i in range(10)}


def test_a_lone_replica_takes_every_free_account():
    decided = plan(me="a", wanted=ACCOUNTS, holders={}, replicas={"a"}, free_since={}, now=0, grace=10)
    assert set(decided.take) == ACCOUNTS and decided.release == []


def test_replicas_take_only_their_fair_share_of_free_accounts():
    decided = plan(me="b", wanted=ACCOUNTS, holders={}, replicas={"a", "b"}, free_since={}, now=0, grace=10)
    assert len(decided.take) == fair_share(10, 2) == 5


def test_replicas_starting_together_prefer_different_accounts():
    a = plan(me="a", wanted=ACCOUNTS, holders={}, replicas={"a", "b"}, free_since={}, now=0, grace=10)
    b = plan(me="b", wanted=ACCOUNTS, holders={}, replicas={"a", "b"}, free_since={}, now=0, grace=10)
    assert set(a.take) != set(b.take)


def test_an_account_left_free_past_the_grace_is_taken_whatever_the_share():
    holders = {f"acc-{i}": "a" for i in range(5)} | {f"acc-{i}": "b" for i in range(5, 9)}
    free = {"acc-9": 0.0}
    early = plan(me="a", wanted=ACCOUNTS, holders=holders, replicas={"a", "b", "c"}, free_since=free, now=5,
                 grace=10)
    late = plan(me="a", wanted=ACCOUNTS, holders=holders, replicas={"a", "b", "c"}, free_since=free, now=10,
                grace=10)
    assert early.take == [] and late.take == ["acc-9"]


def test_disconnected_accounts_are_given_back():
    holders = {"acc-0": "a", "gone": "a", "acc-1": "b"}
    decided = plan(me="a", wanted={"acc-0", "acc-1"}, holders=holders, replicas={"a", "b"}, free_since={}, now=0,
                   grace=10)
    assert decided.release == ["gone"] and decided.take == []


def test_a_replica_over_its_share_gives_back_one_account_per_round_to_a_replica_under_it():
    holders = {a: "a" for a in ACCOUNTS}
    decided = plan(me="a", wanted=ACCOUNTS, holders=holders, replicas={"a", "b"}, free_since={}, now=0, grace=10)
    assert len(decided.release) == 1 and decided.take == []


def test_no_account_is_given_back_when_nobody_is_under_their_share():
    holders = {f"acc-{i}": "a" if i < 6 else "b" for i in range(10)}  # a: 6, b: 4, share 5 -> b is under
    assert len(plan(me="a", wanted=ACCOUNTS, holders=holders, replicas={"a", "b"}, free_since={}, now=0,
                    grace=10).release) == 1
    holders = {f"acc-{i}": "a" if i < 5 else "b" for i in range(10)}
    assert plan(me="a", wanted=ACCOUNTS, holders=holders, replicas={"a", "b"}, free_since={}, now=0,
                grace=10).release == []
    alone = {f"acc-{i}": "a" for i in range(10)}
    assert plan(me="a", wanted=ACCOUNTS, holders=alone, replicas={"a"}, free_since={}, now=0, grace=10).release == []
