"""Alert rules, decided: pure functions from facts to "fire or not", and the alerts they build.

Three kinds of rule (``AlertRuleKind``):

- **negative_mention**: one negative item (a mention, a comment or a message) whose author has at least
  ``min_followers`` followers, or whose score is at or below ``max_score``. With both set, either suffices;
  with neither set, every negative item fires. One alert per item and rule, ever.
- **spike**: negative items in a fixed window of ``window_minutes`` (aligned to the Unix epoch, UTC, so
  60 means clock hours) above ``sensitivity`` times the baseline, and at least ``min_count`` of them. The
  baseline is the mean count per window over the ``baseline_days`` before the window. A window fires at
  most once; the alert names the item that crossed the threshold.
- **channel_health**: an account's token expired, or ingest recorded a gap in what it read.

Every rule has a ``cooldown_minutes``: no second alert of the rule within that time of the previous one
(per account for channel health, so one account's trouble never hides another's). Times are the facts'
own times (when the item was written, when the problem was seen), so replaying the same facts makes the
same decisions. Facts older than the monitor's ``max_age`` raise nothing: that is history or a backfill,
and an alert about it would be noise.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chorus.events import (
    AccountTokenExpired,
    AlertKind,
    AlertRaised,
    AlertRule,
    AlertRuleKind,
    Event,
    IngestGapRecorded,
    ItemRef,
    derived_id,
)
from chorus.monitor import alert_text
from chorus.monitor.domain import Item, floor_to


def alert_id(rule_id: str, cause: str) -> str:
    """Deterministic: the same rule and cause always name the same alert, so it is raised once."""
    return derived_id("alert", rule_id, cause)


def raised_event(cause: Event, **fields) -> AlertRaised:
    return AlertRaised.caused_by(cause, event_id=derived_id(AlertRaised.type, fields["alert_id"]), **fields)


def active(rules: list[AlertRule], kind: AlertRuleKind, account_id: str | None) -> list[AlertRule]:
    """The enabled rules of a kind that watch this account (a rule with no accounts watches all)."""
    return [r for r in rules if r.enabled and r.kind == kind
            and (not r.accounts or account_id is None or account_id in r.accounts)]


def is_stale(moment: datetime, now: datetime, max_age: timedelta) -> bool:
    return moment < now - max_age


def in_cooldown(last_fired: datetime | None, moment: datetime, rule: AlertRule) -> bool:
    return last_fired is not None and rule.cooldown_minutes > 0 and \
        moment < last_fired + timedelta(minutes=rule.cooldown_minutes)


# --- negative mention -------------------------------------------------------------------------------

def negative_fires(rule: AlertRule, item: Item, label: str, score: float) -> list[str]:
    """Why a negative-item rule fires for this item (``followers``, ``score``, ``negative``), or []."""
    if label != "negative":
        return []
    reasons = []
    if rule.min_followers is not None and item.followers is not None and item.followers >= rule.min_followers:
        reasons.append("followers")
    if rule.max_score is not None and score <= rule.max_score:
        reasons.append("score")
    if rule.min_followers is None and rule.max_score is None:
        reasons.append("negative")
    return reasons


def negative_alert(rule: AlertRule, item: Item, score: float, language: str, reasons: list[str],
                   lang: str) -> AlertRaised:
    texts = alert_text.negative(lang, item, score, reasons)
    return raised_event(
        item.source, alert_id=alert_id(rule.rule_id, item.key), rule_id=rule.rule_id,
        kind=AlertKind.NEGATIVE_MENTION, severity="warning", title=texts.title, summary=texts.summary,
        account_id=item.ref.account_id, items=[item.ref],
        details={"item_kind": item.ref.kind.value, "network": item.ref.network.value, "author_id": item.author_id,
                 "author_name": item.author_name, "followers": item.followers, "score": score,
                 "language": language, "reasons": reasons, "url": item.url, "text": alert_text.excerpt(item.text)})


# --- spike ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    @property
    def cause(self) -> str:
        return f"window:{self.start.isoformat()}"


def window_of(rule: AlertRule, moment: datetime) -> Window:
    start = floor_to(moment, rule.window_minutes)
    return Window(start, start + timedelta(minutes=rule.window_minutes))


def baseline_period(rule: AlertRule, window: Window) -> tuple[datetime, datetime]:
    return window.start - timedelta(days=rule.baseline_days), window.start


@dataclass(frozen=True)
class SpikeCheck:
    count: int
    baseline: float  # mean negative items per window over the baseline period
    threshold: float  # the count must be above this (and at least min_count)
    fires: bool


def check_spike(rule: AlertRule, count: int, baseline_total: int) -> SpikeCheck:
    windows = rule.baseline_days * 24 * 60 / rule.window_minutes
    baseline = baseline_total / windows
    threshold = baseline * rule.sensitivity
    return SpikeCheck(count, baseline, threshold, count >= rule.min_count and count > threshold)


def spike_alert(rule: AlertRule, trigger: Item, window: Window, check: SpikeCheck, items: list[ItemRef],
                lang: str) -> AlertRaised:
    texts = alert_text.spike(lang, rule, check.count, check.baseline)
    severity = "critical" if check.count >= 2 * max(check.threshold, rule.min_count) else "warning"
    return raised_event(
        trigger.source, alert_id=alert_id(rule.rule_id, window.cause), rule_id=rule.rule_id, kind=AlertKind.SPIKE,
        severity=severity, title=texts.title, summary=texts.summary,
        account_id=rule.accounts[0] if len(rule.accounts) == 1 else None, items=items,
        window_from=window.start, window_to=window.end,
        details={"count": check.count, "baseline": round(check.baseline, 3), "threshold": round(check.threshold, 3),
                 "sensitivity": rule.sensitivity, "min_count": rule.min_count, "window_minutes": rule.window_minutes,
                 "baseline_days": rule.baseline_days, "accounts": list(rule.accounts)})


# --- channel health ---------------------------------------------------------------------------------

def health_moment(event: AccountTokenExpired | IngestGapRecorded) -> datetime:
    return event.occurred_at


def health_alert(rule: AlertRule, event: AccountTokenExpired | IngestGapRecorded, lang: str,
                 account_name: str | None = None) -> AlertRaised:
    common = {"alert_id": alert_id(rule.rule_id, f"event:{event.event_id}"), "rule_id": rule.rule_id,
                  "kind": AlertKind.CHANNEL_HEALTH, "account_id": event.account_id}
    if isinstance(event, AccountTokenExpired):
        texts = alert_text.token_expired(lang, event, account_name)
        return raised_event(event, **common, severity="critical", title=texts.title, summary=texts.summary,
                            details={"problem": "token_expired", "network": event.network.value,
                                     "token_kind": event.token_kind, "reason": event.reason,
                                     "detected_by": event.detected_by})
    texts = alert_text.ingest_gap(lang, event, account_name)
    return raised_event(event, **common, severity="warning", title=texts.title, summary=texts.summary,
                        window_from=event.gap_from, window_to=event.gap_to,
                        details={"problem": "ingest_gap", "network": event.network.value, "source": event.source,
                                 "reason": event.reason})
