"""Alert rules through the handlers: negative items, spikes (once per window, cooldown), channel health."""
from __future__ import annotations

from datetime import timedelta

import pytest
from monitor_fakes import MAX_AGE, NOW, FakeClassifier, MemoryAlertBook, comment, mention

from chorus import events as ev
from chorus.monitor.handlers import handle_channel_event, handle_items
from chorus.monitor.workspace_rules import StaticRules, WorkspaceRules

M = timedelta(minutes=1)


def rule(kind: str, **fields) -> ev.AlertRule:
    return ev.AlertRule(rule_id=fields.pop("rule_id", f"{kind}-1"), name=fields.pop("name", kind), kind=kind,
                        **fields)


class Monitor:
    """The handlers with their dependencies, as the entrypoints call them."""

    def __init__(self, *rules: ev.AlertRule, now=NOW) -> None:
        self.rules = StaticRules({"ws-1": WorkspaceRules(alerts=list(rules))})
        self.book = MemoryAlertBook()
        self.now = now

    def items(self, *events: ev.Event) -> list[ev.AlertRaised]:
        out = handle_items(list(events), classifier=FakeClassifier(), rules=self.rules, book=self.book,
                           now=self.now, max_age=MAX_AGE, language="ru")
        return [e for e in out if isinstance(e, ev.AlertRaised)]

    def channel(self, event: ev.Event) -> list[ev.AlertRaised]:
        return handle_channel_event(event, rules=self.rules, book=self.book, now=self.now, max_age=MAX_AGE,
                                    language="ru")


# --- negative item --------------------------------------------------------------------------------

def test_a_negative_mention_from_a_big_author_raises_one_alert():
    monitor = Monitor(rule("negative_mention", min_followers=10_000, cooldown_minutes=0))
    (alert,) = monitor.items(mention(1, "Сбербанк плохо", followers=50_000))
    assert alert.kind == ev.AlertKind.NEGATIVE_MENTION and alert.rule_id == "negative_mention-1"
    assert alert.items[0].item_id == "m1" and alert.account_id == "acc-1"
    assert alert.details["followers"] == 50_000 and alert.details["reasons"] == ["followers"]
    assert "Автор 1" in alert.title and "Сбербанк плохо" in alert.summary
    assert alert.causation_id == "mention-ws-1-1"


@pytest.mark.parametrize("followers, text, fires", [
    (50_000, "плохо", True),           # big author
    (10, "очень плохо", True),         # strong score (-0.9 <= -0.8)
    (10, "плохо", False),              # neither
    (None, "плохо", False),            # followers unknown, weak score
    (50_000, "отлично", False),        # not negative
])
def test_negative_rule_fires_for_a_big_author_or_a_strong_score(followers, text, fires):
    monitor = Monitor(rule("negative_mention", min_followers=10_000, max_score=-0.8, cooldown_minutes=0))
    assert bool(monitor.items(mention(1, text, followers=followers))) is fires


def test_a_negative_rule_without_thresholds_fires_for_every_negative_item_of_its_accounts():
    monitor = Monitor(rule("negative_mention", cooldown_minutes=0, accounts=["acc-1"]))
    alerts = monitor.items(comment(1, "плохо"), comment(2, "плохо", account="acc-2"), comment(3, "нормально"))
    assert [a.items[0].item_id for a in alerts] == ["c1"]


def test_the_same_item_never_raises_twice_and_a_redelivery_returns_the_same_alert():
    monitor = Monitor(rule("negative_mention", cooldown_minutes=0))
    first = monitor.items(mention(1, "плохо"))
    again = monitor.items(mention(1, "плохо"))
    assert len(first) == 1 and again == first  # same event (same id): JetStream keeps one
    assert len(monitor.book.alerts) == 1


def test_the_cooldown_holds_back_a_second_negative_alert_of_the_rule():
    monitor = Monitor(rule("negative_mention", cooldown_minutes=30))
    assert monitor.items(mention(1, "плохо", at=NOW))
    assert not monitor.items(mention(2, "плохо", at=NOW + 10 * M))
    assert monitor.items(mention(3, "плохо", at=NOW + 31 * M))


def test_old_items_raise_nothing():
    monitor = Monitor(rule("negative_mention", cooldown_minutes=0))
    assert not monitor.items(mention(1, "плохо", at=NOW - MAX_AGE - M))


def test_disabled_rules_and_other_workspaces_raise_nothing():
    monitor = Monitor(rule("negative_mention", cooldown_minutes=0, enabled=False))
    assert not monitor.items(mention(1, "плохо"))
    monitor = Monitor(rule("negative_mention", cooldown_minutes=0))
    assert not monitor.items(mention(1, "плохо", ws="ws-2"))


# --- spike ----------------------------------------------------------------------------------------

def spike_rule(**fields) -> ev.AlertRule:
    defaults = {"window_minutes": 60, "baseline_days": 1, "sensitivity": 2.0, "min_count": 3, "cooldown_minutes": 0}
    return rule("spike", **{**defaults, **fields})


def negatives(start: int, count: int, at, step=M) -> list[ev.Event]:
    return [comment(start + i, "плохо", at=at + i * step) for i in range(count)]


HOUR = NOW.replace(minute=0)  # the start of a window


def test_a_spike_fires_once_per_window():
    monitor = Monitor(spike_rule())
    assert not monitor.items(*negatives(0, 2, HOUR))            # below min_count
    (alert,) = monitor.items(*negatives(2, 1, HOUR + 5 * M))    # the third crosses it
    assert alert.kind == ev.AlertKind.SPIKE and alert.details["count"] == 3
    assert alert.window_from == HOUR and alert.window_to == HOUR + 60 * M
    assert alert.causation_id == "comment-ws-1-2" and len(alert.items) == 3
    assert not monitor.items(*negatives(3, 10, HOUR + 10 * M))  # same window: no second alert
    (later,) = monitor.items(*negatives(20, 3, HOUR + 60 * M))   # the next window fires on its own
    assert later.window_from == HOUR + 60 * M and later.alert_id != alert.alert_id


def test_within_one_batch_the_item_that_crosses_the_threshold_is_the_cause():
    monitor = Monitor(spike_rule(min_count=3))
    (alert,) = monitor.items(*negatives(0, 6, HOUR))
    assert alert.causation_id == "comment-ws-1-2" and alert.details["count"] == 3


def test_a_redelivered_batch_counts_its_items_once():
    monitor = Monitor(spike_rule(min_count=4))
    batch = negatives(0, 3, HOUR)
    assert not monitor.items(*batch)
    assert not monitor.items(*batch)                         # redelivered: still 3, not 6
    (alert,) = monitor.items(*negatives(3, 1, HOUR + 10 * M))
    assert alert.details["count"] == 4


def test_a_spike_respects_its_cooldown_across_windows():
    monitor = Monitor(spike_rule(window_minutes=30, cooldown_minutes=90))
    assert monitor.items(*negatives(0, 3, HOUR))                     # window 1 fires at HOUR+2m
    assert not monitor.items(*negatives(10, 3, HOUR + 30 * M))       # window 2: cooldown
    assert not monitor.items(*negatives(20, 3, HOUR + 60 * M))       # window 3: cooldown (until HOUR+92m)
    (alert,) = monitor.items(*negatives(30, 3, HOUR + 90 * M))       # window 4: the 3rd item is at HOUR+92m
    assert alert.window_from == HOUR + 90 * M and alert.causation_id == "comment-ws-1-32"


def test_a_spike_needs_more_than_the_baseline_times_the_sensitivity():
    monitor = Monitor(spike_rule(window_minutes=60, baseline_days=1, sensitivity=2.0, min_count=3))
    # Yesterday: 72 negatives spread over 24 windows = 3 per window; the threshold is 6.
    monitor.items(*negatives(0, 72, HOUR - timedelta(days=1), step=20 * M))
    assert not monitor.items(*negatives(100, 6, HOUR))
    (alert,) = monitor.items(*negatives(106, 1, HOUR + 30 * M))
    assert alert.details["count"] == 7 and alert.details["baseline"] == 3.0 and alert.details["threshold"] == 6.0


def test_positive_and_neutral_items_do_not_count_towards_a_spike():
    monitor = Monitor(spike_rule())
    events = [comment(i, "отлично", at=HOUR + i * M) for i in range(10)]
    events += [comment(20 + i, "нормально", at=HOUR + i * M) for i in range(10)]
    assert not monitor.items(*events)


def test_a_spike_rule_counts_only_its_accounts():
    monitor = Monitor(spike_rule(accounts=["acc-1"]))
    assert not monitor.items(*[comment(i, "плохо", account="acc-2", at=HOUR + i * M) for i in range(5)])
    assert monitor.items(*negatives(10, 3, HOUR))


# --- channel health -------------------------------------------------------------------------------

def expired(n: int, account: str = "acc-1", at=NOW) -> ev.AccountTokenExpired:
    return ev.AccountTokenExpired(workspace_id="ws-1", account_id=account, network="vk", token_kind="community",
                                  reason="User authorization failed", detected_by="ingest", occurred_at=at,
                                  event_id=f"expired-{n}")


def gap(n: int, at=NOW) -> ev.IngestGapRecorded:
    return ev.IngestGapRecorded(workspace_id="ws-1", account_id="acc-1", network="vk", source="long_poll",
                                gap_from=at - 30 * M, gap_to=at, reason="history lost", occurred_at=at,
                                event_id=f"gap-{n}")


def test_an_expired_token_and_an_ingest_gap_raise_channel_health_alerts():
    monitor = Monitor(rule("channel_health", cooldown_minutes=0))
    (token,) = monitor.channel(expired(1))
    (hole,) = monitor.channel(gap(2, at=NOW + M))
    assert token.kind == ev.AlertKind.CHANNEL_HEALTH and token.severity == "critical"
    assert token.details["problem"] == "token_expired" and token.account_id == "acc-1"
    assert hole.details["problem"] == "ingest_gap" and hole.window_to == NOW + M


def test_a_channel_health_alert_names_the_account_as_people_know_it():
    monitor = Monitor(rule("channel_health", cooldown_minutes=0))
    monitor.rules.rules["ws-1"].account_names["acc-1"] = "Кофейня Zerno"
    (alert,) = monitor.channel(expired(1))
    assert alert.title == "Токен недействителен: VK Кофейня Zerno"
    (unknown,) = monitor.channel(expired(2, "acc-2", at=NOW + M))
    assert unknown.title.endswith("acc-2")  # an account the monitor has no name for keeps its id


def test_channel_health_cooldown_is_per_account():
    monitor = Monitor(rule("channel_health", cooldown_minutes=60))
    assert monitor.channel(expired(1, "acc-1"))
    assert monitor.channel(expired(2, "acc-2", at=NOW + M))       # another account is not hidden
    assert not monitor.channel(gap(3, at=NOW + 2 * M))            # acc-1 within the cooldown
    assert monitor.channel(expired(1, "acc-1")) == monitor.channel(expired(1, "acc-1"))  # redelivery: same alert


def test_stale_health_events_raise_nothing():
    monitor = Monitor(rule("channel_health", cooldown_minutes=0))
    assert not monitor.channel(expired(1, at=NOW - MAX_AGE - M))
