"""Ingest's pure rules: the accounts view, brand keywords, reading rules, gaps, backoff, key spelling."""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from chorus.events import AccountConnected, AccountDisconnected, AccountTokenExpired, BrandRule, BrandRulesChanged
from chorus.events.values import Network
from chorus.ingest.adapters.kv import key_part, unkey
from chorus.ingest.domain import AccountBook, Backoff, horizon, is_long_poll, outage_gap, token_kind

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def connected(account: str = "vk-1", network: Network = Network.VK, workspace: str = "ws", event_id: str = "c1",
              kinds: tuple[str, ...] = ("community", "user")) -> AccountConnected:
    return AccountConnected(event_id=event_id, workspace_id=workspace, account_id=account, network=network,
                            external_id="1", name="Кофейня", token_kinds=list(kinds), features=[], connected_by="t")


def rules(workspace: str, *rule: BrandRule) -> BrandRulesChanged:
    return BrandRulesChanged(workspace_id=workspace, rules=list(rule), changed_by="t")


def test_an_account_is_read_from_connection_until_disconnection():
    book = AccountBook()
    assert book.apply(connected())
    assert set(book.accounts) == {"vk-1"}
    assert book.apply(AccountDisconnected(workspace_id="ws", account_id="vk-1", network=Network.VK,
                                          disconnected_by="t"))
    assert book.accounts == {}
    assert not book.apply(AccountDisconnected(workspace_id="ws", account_id="vk-1", network=Network.VK,
                                              disconnected_by="t")), "nothing changes twice"


def test_an_expired_token_is_remembered_until_the_account_is_connected_again():
    book = AccountBook()
    book.apply(connected())
    expired = AccountTokenExpired(workspace_id="ws", account_id="vk-1", network=Network.VK, token_kind="user",
                                  reason="revoked", detected_by="ingest")
    before = book.spec(book.accounts["vk-1"])
    assert book.apply(expired) and not book.apply(expired)
    after = book.spec(book.accounts["vk-1"])
    assert after.expired == {"user"} and after != before, "the readers are rebuilt without the dead token"
    book.apply(connected(event_id="c2"))
    assert book.spec(book.accounts["vk-1"]).expired == frozenset()


def test_keywords_are_the_include_terms_of_enabled_rules_for_the_network_of_the_workspace():
    book = AccountBook()
    book.apply(connected())
    book.apply(connected("x-1", Network.X, event_id="c3"))
    book.apply(rules("ws",
                     BrandRule(rule_id="a", name="a", include=["Кофейня  Зерно", "zerno"], exclude=["работа"]),
                     BrandRule(rule_id="b", name="b", include=["только x"], networks=[Network.X]),
                     BrandRule(rule_id="c", name="c", include=["выключено"], enabled=False)))
    book.apply(rules("other", BrandRule(rule_id="d", name="d", include=["чужое"])))
    assert book.keywords(book.accounts["vk-1"]) == ("zerno", "Кофейня Зерно")
    assert book.keywords(book.accounts["x-1"]) == ("zerno", "Кофейня Зерно", "только x")


def test_a_new_rules_snapshot_replaces_the_previous_one():
    book = AccountBook()
    book.apply(connected())
    book.apply(rules("ws", BrandRule(rule_id="a", name="a", include=["старое"])))
    first = book.spec(book.accounts["vk-1"])
    book.apply(rules("ws", BrandRule(rule_id="a", name="a", include=["новое"])))
    assert book.keywords(book.accounts["vk-1"]) == ("новое",)
    assert book.spec(book.accounts["vk-1"]) != first


@pytest.mark.parametrize("network, source, kinds, expected", [
    (Network.VK, "long_poll", ("community", "user"), "community"),
    (Network.VK, "mentions", ("community", "user"), "user"),
    (Network.VK, "backfill", ("community", "user"), "user"),
    (Network.X, "search:2", ("bearer", "user"), "bearer"),
    (Network.X, "mentions", ("user",), "user"),
    (Network.TELEGRAM, "updates", ("bot",), "bot"),
    (Network.FACEBOOK, "feed", ("page",), "page"),
])
def test_each_source_reads_with_a_known_token(network, source, kinds, expected):
    assert token_kind(network, source, kinds) == expected


def test_long_polls_are_polled_again_at_once_and_the_rest_paced():
    assert is_long_poll(Network.VK, "long_poll") and is_long_poll(Network.TELEGRAM, "updates")
    assert not is_long_poll(Network.X, "search:3") and not is_long_poll(Network.FACEBOOK, "feed")


def test_how_far_back_a_source_can_read_depends_on_the_network():
    assert horizon(Network.TELEGRAM, "updates", {}) == timedelta(hours=24)
    assert horizon(Network.X, "search:2", {}) == timedelta(days=7)
    assert horizon(Network.FACEBOOK, "feed", {"window_days": 3}) == timedelta(days=3)
    assert horizon(Network.FACEBOOK, "feed", {"window_days": "bad"}) == timedelta(days=14)
    assert horizon(Network.VK, "long_poll", {}) is None, "VK says itself when history is lost"


def test_an_outage_longer_than_the_horizon_is_a_gap_of_what_cannot_be_read_back():
    reach = timedelta(hours=24)
    assert outage_gap(NOW - timedelta(hours=23), NOW, reach) is None
    assert outage_gap(None, NOW, reach) is None, "never read: nothing was missed yet"
    assert outage_gap(NOW - timedelta(hours=30), NOW, None) is None
    assert outage_gap(NOW - timedelta(hours=30), NOW, reach) == (NOW - timedelta(hours=30), NOW - reach)


def test_backoff_doubles_with_jitter_up_to_its_maximum_and_resets():
    rng = random.Random(1)
    backoff = Backoff(1.0, 8.0)
    delays = [backoff.next(None, rng) for _ in range(6)]
    for delay, base in zip(delays, [1, 2, 4, 8, 8, 8], strict=True):
        assert base / 2 <= delay <= base
    backoff.reset()
    assert backoff.next(None, rng) <= 1.0


def test_backoff_never_retries_sooner_than_the_network_asked():
    rng = random.Random(2)
    backoff = Backoff(0.1, 1.0)
    assert all(30 <= backoff.next(30, rng) <= 33 for _ in range(5)), "retry_after wins over the maximum"


@pytest.mark.parametrize("text", ["vk-1a2b", "search:2", "ingest on host 1", "Кофейня", "a=b", ""])
def test_any_name_becomes_a_valid_key_part_and_reads_back(text):
    part = key_part(text)
    assert part and all(c.isalnum() and c.isascii() or c in "-_=" for c in part)
    assert unkey(part) == text or (text == "" and part == "=")
