"""What ``chorus replay <name>`` can rebuild for the monitor.

- ``sentiment``: re-scores every comment, message and mention in the log with the current classifier
  version and the workspaces' current sentiment and brand rules. It appends a new ``sentiment.classified``
  per item whose id includes the version (``domain.classified_id``), so the old labels stay in the log and
  consumers take the latest; items this version already labelled are skipped, so running it twice adds
  nothing. Re-scoring raises no alert: alerts are about what happens now, and the replay only appends
  classifications.
- ``mention-stats``: rebuilds the statistics from the log (e.g. after changing how they are computed).
- ``monitor-rules``: rebuilds the stored workspace rules.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from nats.js import JetStreamContext
from sqlalchemy import Engine

from chorus.backbone.consumer import subscriptions_for
from chorus.backbone.store import EventStore
from chorus.events import SentimentClassified
from chorus.monitor.adapters import log_reader
from chorus.monitor.adapters.classifier import Classifier, LexiconClassifier
from chorus.monitor.domain import ITEM_EVENTS
from chorus.monitor.handlers import classify_items
from chorus.monitor.stats import MentionStatsProjection
from chorus.monitor.workspace_rules import SETTINGS_EVENTS, StaticRules, WorkspaceRulesProjection, rules_from_events


async def rescore_sentiment(*, settings: Any, js: JetStreamContext, store: EventStore, engine: Engine,
                            progress: Callable[[int, int], None] | None = None, classifier: Classifier | None = None,
                            batch: int = 500) -> int:
    """Append a classification by the current version for every item that lacks one. Returns how many."""
    classifier = classifier or LexiconClassifier()
    settings_events = []
    for sub in subscriptions_for(*SETTINGS_EVENTS):
        async for events in log_reader.read(js, sub, batch=batch):
            settings_events += events
    rules = StaticRules(rules_from_events(settings_events))

    done: set[str] = set()
    for sub in subscriptions_for(SentimentClassified):
        async for events in log_reader.read(js, sub, batch=batch):
            done.update(e.source_event_id for e in events
                        if isinstance(e, SentimentClassified) and e.classifier_version == classifier.version)

    (items,) = subscriptions_for(*ITEM_EVENTS)
    total, _ = await log_reader.count(js, items)
    seen = appended = 0
    if progress:
        progress(0, total)
    async for events in log_reader.read(js, items, batch=batch):
        todo = [e for e in events if e.event_id not in done]
        classified = await asyncio.to_thread(classify_items, todo, classifier=classifier, rules=rules)
        if classified:
            await store.append_many([c.event for c in classified])
        appended += len(classified)
        seen += len(events)
        if progress:
            progress(seen, total)
    return appended


REPLAYS: dict[str, Any] = {
    "sentiment": rescore_sentiment,
    "mention-stats": [MentionStatsProjection],
    "monitor-rules": [WorkspaceRulesProjection],
}
