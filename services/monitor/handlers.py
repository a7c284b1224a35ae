"""The monitor's use cases: plain functions, message first, dependencies by name; each returns the events
it produces. They block (classifier, SQL), so the entrypoints run them in a worker thread.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from chorus.events import (
    AccountTokenExpired,
    AlertDelivered,
    AlertDeliveryFailed,
    AlertRaised,
    AlertRule,
    AlertRuleKind,
    Event,
    IngestGapRecorded,
    ItemKind,
    SentimentClassified,
    derived_id,
)
from chorus.monitor import alerting
from chorus.monitor.adapters.alert_book import AlertBook, AlertLedger
from chorus.monitor.adapters.classifier import Classifier
from chorus.monitor.adapters.deliveries import DELIVERED, DeliveryQueue, Finished
from chorus.monitor.domain import Item, classified_id, item_of
from chorus.monitor.workspace_rules import Rules

SPIKE_ITEMS = 20  # items an alert about a spike lists


@dataclass(frozen=True)
class Classified:
    item: Item
    event: SentimentClassified


def classify_items(events: Sequence[Event], *, classifier: Classifier, rules: Rules) -> list[Classified]:
    """One ``SentimentClassified`` per customer item; the brand's own comments and the mentions no brand
    rule matches get none (see domain.py and brand.py)."""
    items: list[Item] = []
    for event in events:
        item = item_of(event)
        if item is None or item.from_account:
            continue
        if item.ref.kind == ItemKind.MENTION and not rules.get(item.workspace_id).brand_matcher.is_brand(
                item.text, item.ref.network):
            continue
        items.append(item)
    found = classifier.classify_many([item.text for item in items])
    out = []
    for item, classification in zip(items, found, strict=True):
        result, rule_id = classifier.apply_rules(item.text, classification, rules.get(item.workspace_id).sentiment)
        event = SentimentClassified.caused_by(
            item.source, event_id=classified_id(item.source.event_id, classifier.version), item=item.ref,
            source_event_id=item.source.event_id, label=result.label, score=max(-1.0, min(1.0, result.score)),
            language=result.language, classifier_version=classifier.version, rule_id=rule_id)
        out.append(Classified(item, event))
    return out


def raise_item_alerts(classified: Sequence[Classified], *, rules: Rules, book: AlertBook, now: datetime,
                      max_age: timedelta, language: str) -> list[AlertRaised]:
    """Negative-item and spike alerts for freshly classified items (see alerting.py)."""
    # Rules are read before the transaction: on SQLite a second connection could not read while it is open.
    alert_rules = {ws: rules.get(ws).alerts for ws in {c.item.workspace_id for c in classified}}
    out: list[AlertRaised] = []
    with book.transaction() as ledger:
        earlier = ledger.raised_by([c.item.source.event_id for c in classified])
        fresh: list[Classified] = []
        seen: set[str] = set()
        for c in classified:
            source_id = c.item.source.event_id
            if source_id in seen:  # the same event twice in one batch
                continue
            seen.add(source_id)
            if source_id in earlier:  # handled before; its alerts may not have reached the log
                out += earlier[source_id]
            else:
                fresh.append(c)
        new_keys = ledger.record_items([(c.item, c.event.label == "negative") for c in fresh])
        live = [c for c in fresh if c.event.label == "negative" and not alerting.is_stale(c.item.created_at, now, max_age)]
        for c in live:
            out += _negative_alerts(c, ledger, alert_rules[c.item.workspace_id], language)
        out += _spike_alerts(live, new_keys, ledger, alert_rules, language)
    return out


def _negative_alerts(c: Classified, ledger: AlertLedger, rules: list[AlertRule], language: str) -> list[AlertRaised]:
    out = []
    item = c.item
    for rule in alerting.active(rules, AlertRuleKind.NEGATIVE_MENTION, item.ref.account_id):
        reasons = alerting.negative_fires(rule, item, c.event.label, c.event.score)
        if not reasons:
            continue
        alert = alerting.negative_alert(rule, item, c.event.score, c.event.language, reasons, language)
        if ledger.exists(alert.alert_id) or alerting.in_cooldown(
                ledger.last_fired(item.workspace_id, rule.rule_id, ""), item.created_at, rule):
            continue
        ledger.save(alert, trigger_event_id=item.source.event_id, scope="", fired_at=item.created_at)
        out.append(alert)
    return out


def _spike_alerts(live: list[Classified], new_keys: set[str], ledger: AlertLedger,
                  rules: dict[str, list[AlertRule]], language: str) -> list[AlertRaised]:
    """Spikes, counted once per rule and window for the whole batch; the item that crosses the threshold
    (in the batch's order) is the alert's cause."""
    groups: dict[tuple[str, str, datetime], tuple[AlertRule, alerting.Window, dict[str, Classified]]] = {}
    for c in live:
        for rule in alerting.active(rules[c.item.workspace_id], AlertRuleKind.SPIKE, c.item.ref.account_id):
            window = alerting.window_of(rule, c.item.created_at)
            group = groups.setdefault((c.item.workspace_id, rule.rule_id, window.start), (rule, window, {}))
            group[2].setdefault(c.item.key, c)
    out = []
    for (ws, _, _), (rule, window, members) in groups.items():
        if ledger.exists(alerting.alert_id(rule.rule_id, window.cause)):
            continue  # this window already fired
        total = ledger.count_negative(ws, rule.accounts, window.start, window.end)
        if total < rule.min_count:
            continue
        running = total - sum(1 for key in members if key in new_keys)  # the count before this batch
        baseline: int | None = None
        keys = list(members)
        for position, (key, c) in enumerate(members.items()):
            running += key in new_keys
            if running < rule.min_count:
                continue
            if baseline is None:
                baseline = ledger.count_negative(ws, rule.accounts, *alerting.baseline_period(rule, window))
            check = alerting.check_spike(rule, running, baseline)
            if not check.fires or alerting.in_cooldown(ledger.last_fired(ws, rule.rule_id, ""), c.item.created_at,
                                                       rule):
                continue
            later = {members[k].item.ref.key for k in keys[position + 1:] if k in new_keys}  # not counted yet
            refs = [r for r in ledger.negative_items(ws, rule.accounts, window.start, window.end,
                                                     SPIKE_ITEMS + len(later)) if r.key not in later]
            alert = alerting.spike_alert(rule, c.item, window, check, refs[:SPIKE_ITEMS], language)
            ledger.save(alert, trigger_event_id=c.item.source.event_id, scope="", fired_at=c.item.created_at)
            out.append(alert)
            break
    return out


def handle_items(events: Sequence[Event], *, classifier: Classifier, rules: Rules, book: AlertBook,
                 now: datetime, max_age: timedelta, language: str) -> list[Event]:
    """Classify a batch of items and raise the alerts they cause: the classifications first, then alerts."""
    classified = classify_items(events, classifier=classifier, rules=rules)
    alerts = raise_item_alerts(classified, rules=rules, book=book, now=now, max_age=max_age, language=language)
    return [c.event for c in classified] + alerts


def handle_channel_event(event: AccountTokenExpired | IngestGapRecorded, *, rules: Rules, book: AlertBook,
                         now: datetime, max_age: timedelta, language: str) -> list[AlertRaised]:
    """Channel-health alerts: one per rule and event, with the rule's cooldown per account."""
    workspace = rules.get(event.workspace_id)  # before the transaction, as above
    alert_rules, name = workspace.alerts, workspace.account_names.get(event.account_id)
    out: list[AlertRaised] = []
    with book.transaction() as ledger:
        earlier = ledger.raised_by([event.event_id])
        if earlier:
            return earlier[event.event_id]
        moment = alerting.health_moment(event)
        if alerting.is_stale(moment, now, max_age):
            return []
        for rule in alerting.active(alert_rules, AlertRuleKind.CHANNEL_HEALTH, event.account_id):
            alert = alerting.health_alert(rule, event, language, name)
            if ledger.exists(alert.alert_id) or alerting.in_cooldown(
                    ledger.last_fired(event.workspace_id, rule.rule_id, event.account_id), moment, rule):
                continue
            ledger.save(alert, trigger_event_id=event.event_id, scope=event.account_id, fired_at=moment)
            out.append(alert)
    return out


def schedule_deliveries(alert: AlertRaised, *, rules: Rules, queue: DeliveryQueue, now: datetime,
                        max_age: timedelta) -> list[Event]:
    """Create one delivery per destination of the alert's rule (once; old alerts are marked skipped).

    A destination an admin disabled is left out. One the rule names but the workspace no longer has is
    scheduled anyway, so its failure is reported (``alert.delivery_failed``) instead of passing unseen.
    """
    workspace = rules.get(alert.workspace_id)
    rule = workspace.alert_rule(alert.rule_id)
    if rule is None:
        return []
    targets = [d for d in rule.destinations
               if (found := workspace.destination(d)) is None or found.enabled]
    if targets:
        queue.schedule(alert, targets, now, stale=alerting.is_stale(alert.occurred_at, now, max_age))
    return []


def outcome_event(finished: Finished) -> AlertDelivered | AlertDeliveryFailed:
    """The log's record of a finished delivery; its id derives from the alert and destination."""
    common = {"alert_id": finished.alert.alert_id, "destination_id": finished.destination_id,
                  "attempts": finished.attempts}
    if finished.state == DELIVERED:
        return AlertDelivered.caused_by(
            finished.alert, event_id=derived_id(AlertDelivered.type, finished.alert.alert_id, finished.destination_id),
            destination_kind=finished.destination_kind, delivered_at=finished.finished_at, **common)
    return AlertDeliveryFailed.caused_by(
        finished.alert, event_id=derived_id(AlertDeliveryFailed.type, finished.alert.alert_id,
                                            finished.destination_id),
        destination_kind=finished.destination_kind or None, reason=finished.error or "unknown",
        permanent=finished.permanent, **common)
