"""The alert rules' memory in SQL (SQLite and PostgreSQL): spikes, cooldowns and re-sent alerts."""
from __future__ import annotations

from datetime import timedelta

import pytest
from unit.monitor.monitor_fakes import MAX_AGE, NOW, FakeClassifier, comment

from chorus import events as ev
from chorus.backbone.db import make_engine
from chorus.monitor.adapters.alert_book import SqlAlertBook
from chorus.monitor.handlers import handle_channel_event, handle_items
from chorus.monitor.workspace_rules import StaticRules, WorkspaceRules

M = timedelta(minutes=1)
HOUR = NOW.replace(minute=0)


class Monitor:
    def __init__(self, db_url: str, *rules: ev.AlertRule) -> None:
        self.engine = make_engine(db_url)
        self.book = SqlAlertBook(self.engine)
        self.book.create_tables()
        self.rules = StaticRules({"ws-1": WorkspaceRules(alerts=list(rules))})

    def items(self, *events: ev.Event) -> list[ev.AlertRaised]:
        out = handle_items(list(events), classifier=FakeClassifier(), rules=self.rules, book=self.book, now=NOW,
                           max_age=MAX_AGE, language="en")
        return [e for e in out if isinstance(e, ev.AlertRaised)]


@pytest.fixture
def monitor(db_url):
    """Build a Monitor over the test's database; its engine is disposed even when the test fails."""
    made: list[Monitor] = []

    def build(*rules: ev.AlertRule) -> Monitor:
        made.append(Monitor(db_url, *rules))
        return made[-1]

    yield build
    for m in made:
        m.engine.dispose()


def negatives(start: int, count: int, at, step=M) -> list[ev.Event]:
    return [comment(start + i, "плохо", at=at + i * step) for i in range(count)]


def test_a_spike_fires_once_per_window_respects_its_cooldown_and_compares_with_the_baseline(monitor):
    rule = ev.AlertRule(rule_id="spike", name="Spike", kind="spike", window_minutes=60, baseline_days=1,
                        sensitivity=2.0, min_count=3, cooldown_minutes=90)
    m = monitor(rule)
    m.items(*negatives(0, 48, HOUR - timedelta(days=1), step=30 * M))   # baseline: 2 per window, threshold 4
    assert not m.items(*negatives(100, 4, HOUR))                        # 4 is not above 4
    (alert,) = m.items(*negatives(104, 3, HOUR + 10 * M))               # the 5th crosses it
    assert alert.details["count"] == 5 and alert.details["baseline"] == 2.0 and len(alert.items) == 5
    assert alert.causation_id == "comment-ws-1-104" and alert.window_from == HOUR
    assert not m.items(*negatives(110, 5, HOUR + 20 * M))               # same window
    assert not m.items(*negatives(120, 6, HOUR + 60 * M))               # next window, within the cooldown
    (later,) = m.items(*negatives(130, 6, HOUR + 120 * M))              # after the cooldown
    assert later.window_from == HOUR + 120 * M


def test_an_alert_saved_before_a_crash_is_returned_again_for_the_same_input(monitor):
    rule = ev.AlertRule(rule_id="neg", name="Neg", kind="negative_mention", cooldown_minutes=30)
    m = monitor(rule)
    event = comment(1, "плохо", at=NOW)
    first = m.items(event)
    assert len(first) == 1 and m.items(event) == first
    assert not m.items(comment(2, "плохо", at=NOW + 5 * M))            # cooldown
    assert m.items(comment(3, "плохо", at=NOW + 31 * M))


def test_channel_health_cooldown_per_account_in_sql(monitor):
    rule = ev.AlertRule(rule_id="health", name="Health", kind="channel_health", cooldown_minutes=60)
    m = monitor(rule)

    def expired(n: int, account: str, at) -> list[ev.AlertRaised]:
        return handle_channel_event(ev.AccountTokenExpired(
            workspace_id="ws-1", account_id=account, network="vk", token_kind="community", reason="revoked",
            detected_by="ingest", occurred_at=at, event_id=f"e{n}"), rules=m.rules, book=m.book, now=NOW,
            max_age=MAX_AGE, language="en")

    assert expired(1, "acc-1", NOW - 10 * M)
    assert expired(2, "acc-2", NOW - 9 * M)
    assert not expired(3, "acc-1", NOW - 5 * M)
    assert expired(1, "acc-1", NOW - 10 * M)  # the first one again: its alert comes back, unchanged
