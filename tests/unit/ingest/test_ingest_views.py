"""What `chorus ingest status` shows: the leases correct what the status records say."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chorus.events import AccountConnected
from chorus.events.values import Network
from chorus.ingest.domain import AccountBook
from chorus.ingest.views import ago, rows, table

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def book() -> AccountBook:
    found = AccountBook()
    found.apply(AccountConnected(workspace_id="ws", account_id="vk-1", network=Network.VK, external_id="1",
                                 name="Кофейня", token_kinds=["community"], features=[], connected_by="t"))
    return found


def record(**fields) -> dict:
    return {"state": "reading", "detail": "", "holder": "a", "events": 3, "rejected": 1, "gaps": 0,
            "last_event_at": (NOW - timedelta(minutes=5)).isoformat(), "polled_at": (NOW - timedelta(seconds=2)).isoformat(),
            **fields}


def status(**sources) -> dict:
    return {"sources": {f"vk-1/{k}": v for k, v in sources.items()}, "accounts": {}, "replicas": {}}


def test_a_read_source_shows_its_last_event_its_lag_and_its_holder():
    [row] = rows(book(), {"vk-1": "a"}, status(long_poll=record()), NOW)
    assert (row.state, row.holder, row.events, row.rejected) == ("reading", "a", 3, 1)
    assert row.last_event_age_s == 300 and row.polled_age_s == 2
    assert "Кофейня" in table([row]) and "5m ago" in table([row])


def test_an_account_without_a_lease_is_not_leased_whatever_its_last_record_says():
    [row] = rows(book(), {}, status(long_poll=record()), NOW)
    assert row.state == "not leased" and row.holder is None


def test_a_record_from_the_previous_holder_shows_a_hand_over():
    [row] = rows(book(), {"vk-1": "b"}, status(long_poll=record(holder="a")), NOW)
    assert row.state == "handing over"


def test_backing_off_shows_until_when_and_why():
    until = (NOW + timedelta(seconds=30)).isoformat()
    [row] = rows(book(), {"vk-1": "a"}, status(long_poll=record(state="backing off", until=until,
                                                                 detail="VK: HTTP 502")), NOW)
    assert row.state == "backing off until 12:00:30"
    assert "VK: HTTP 502" in table([row])


def test_an_account_with_no_source_yet_is_listed_with_its_own_state():
    found = rows(book(), {"vk-1": "a"}, {"sources": {}, "replicas": {},
                                         "accounts": {"vk-1": {"state": "no credentials", "holder": "a"}}}, NOW)
    assert [(r.source, r.state) for r in found] == [("-", "no credentials")]


def test_ages_read_as_people_say_them():
    assert [ago(None), ago(5), ago(600), ago(7200), ago(3 * 86400)] == ["never", "5s ago", "10m ago", "2h ago",
                                                                       "3d ago"]
