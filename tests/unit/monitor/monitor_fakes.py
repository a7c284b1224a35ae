"""Fakes of the monitor's ports, implementing the real abstract classes, plus event builders."""
from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

from chorus import events as ev
from chorus.monitor.adapters.alert_book import AlertBook, AlertLedger
from chorus.monitor.adapters.classifier import Classifier
from chorus.monitor.domain import Item
from chorus.monitor.sentiment import Classification

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
MAX_AGE = timedelta(days=1)


class FakeClassifier(Classifier):
    """Labels by a few keywords, so a test says exactly what each text is."""

    NEGATIVE = ("ужас", "плохо", "terrible", "отстой")
    POSITIVE = ("отлично", "great", "спасибо")

    def __init__(self, version: str = "fake-1") -> None:
        self.version = version
        self.calls = 0

    def classify_many(self, texts: Sequence[str]) -> list[Classification]:
        self.calls += 1
        out = []
        for text in texts:
            low = text.lower()
            if any(w in low for w in self.NEGATIVE):
                score = -0.9 if "очень" in low else -0.5
                out.append(Classification("negative", score, "ru"))
            elif any(w in low for w in self.POSITIVE):
                out.append(Classification("positive", 0.7, "ru"))
            elif not low.strip():
                out.append(Classification("neutral", 0.0, "unknown"))
            else:
                out.append(Classification("neutral", 0.0, "ru"))
        return out

    def apply_rules(self, text, classification, rules):
        for rule in rules:
            if rule.term.lower() in text.lower():
                label = rule.label.value if rule.label is not None else "neutral"
                return Classification(label, 0.0 if label == "neutral" else classification.score,
                                      classification.language), rule.rule_id
        return classification, None


class MemoryAlertBook(AlertBook):
    """The alert book in dictionaries; a failed transaction leaves no trace, as in SQL."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], tuple[Item, bool]] = {}
        self.alerts: dict[str, tuple[ev.AlertRaised, str, str, datetime]] = {}

    @contextlib.contextmanager
    def transaction(self) -> Iterator[AlertLedger]:
        saved = (dict(self.items), copy.copy(self.alerts))
        try:
            yield _MemoryLedger(self)
        except BaseException:
            self.items, self.alerts = saved
            raise


class _MemoryLedger(AlertLedger):
    def __init__(self, book: MemoryAlertBook) -> None:
        self.book = book

    def raised_by(self, event_ids):
        found: dict[str, list[ev.AlertRaised]] = {}
        for alert, trigger, _, _ in self.book.alerts.values():
            if trigger in event_ids:
                found.setdefault(trigger, []).append(alert)
        return found

    def record_items(self, items):
        fresh = set()
        for item, negative in items:
            if (item.workspace_id, item.key) not in self.book.items:
                self.book.items[(item.workspace_id, item.key)] = (item, negative)
                fresh.add(item.key)
        return fresh

    def _negative(self, workspace_id, accounts, start, end):
        return sorted((item for (ws, _), (item, negative) in self.book.items.items()
                       if ws == workspace_id and negative and start <= item.created_at < end
                       and (not accounts or item.ref.account_id in accounts)),
                      key=lambda i: i.created_at, reverse=True)

    def count_negative(self, workspace_id, accounts, start, end):
        return len(self._negative(workspace_id, accounts, start, end))

    def negative_items(self, workspace_id, accounts, start, end, limit):
        return [i.ref for i in self._negative(workspace_id, accounts, start, end)[:limit]]

    def last_fired(self, workspace_id, rule_id, scope):
        times = [at for alert, _, s, at in self.book.alerts.values()
                 if alert.workspace_id == workspace_id and alert.rule_id == rule_id and s == scope]
        return max(times, default=None)

    def exists(self, alert_id):
        return alert_id in self.book.alerts

    def save(self, alert, *, trigger_event_id, scope, fired_at):
        self.book.alerts.setdefault(alert.alert_id, (alert, trigger_event_id, scope, fired_at))


def mention(n: int | str, text: str = "Сбербанк опять плохо работает", *, ws: str = "ws-1", account: str = "acc-1",
            at: datetime = NOW, followers: int | None = 100, network: str = "vk") -> ev.MentionFound:
    return ev.MentionFound(workspace_id=ws, account_id=account, network=network, mention_id=f"m{n}",
                           author=ev.Author(id=f"u{n}", name=f"Автор {n}", followers=followers), text=text,
                           created_at=at, url=f"https://vk.com/wall-1_{n}", query="сбербанк",
                           event_id=f"mention-{ws}-{n}")


def comment(n: int | str, text: str = "Всё плохо", *, ws: str = "ws-1", account: str = "acc-1", at: datetime = NOW,
            own: bool = False, followers: int | None = None) -> ev.CommentReceived:
    return ev.CommentReceived(workspace_id=ws, account_id=account, network="vk", comment_id=f"c{n}", post_id="p1",
                              author=ev.Author(id=f"u{n}", name=f"Автор {n}", followers=followers), text=text,
                              created_at=at, from_account=own, event_id=f"comment-{ws}-{n}")


def message(n: int | str, text: str = "Здравствуйте", *, ws: str = "ws-1", account: str = "acc-1",
            at: datetime = NOW) -> ev.DirectMessageReceived:
    return ev.DirectMessageReceived(workspace_id=ws, account_id=account, network="vk", message_id=f"d{n}",
                                    dialogue_id="77", author=ev.Author(id=f"u{n}", name="Анна"), text=text,
                                    created_at=at, event_id=f"message-{ws}-{n}")
