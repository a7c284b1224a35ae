"""Sentiment labels and alerts, produced by the monitor."""
from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from chorus.events.base import Event
from chorus.events.streams import MONITOR
from chorus.events.values import ItemRef, Sentiment, Timestamp


class SentimentClassified(Event):
    """The monitor labelled a comment, message or mention."""

    type = "sentiment.classified"
    stream = MONITOR

    item: ItemRef
    source_event_id: str = Field(description="The event that brought the item in.")
    label: Sentiment
    score: float = Field(ge=-1.0, le=1.0, description="Polarity from -1 (negative) to 1 (positive).")
    language: str = Field(description="ISO 639-1 code of the detected language, `other` or `unknown`.")
    classifier_version: str
    rule_id: str | None = Field(default=None, description="The workspace rule that overrode the classifier.")


class AlertKind(StrEnum):
    NEGATIVE_MENTION = "negative_mention"
    SPIKE = "spike"
    CHANNEL_HEALTH = "channel_health"


class AlertRaised(Event):
    """An alert rule fired; destinations (inbox, webhook, Telegram, e-mail) each get it once."""

    type = "alert.raised"
    stream = MONITOR

    alert_id: str
    rule_id: str
    kind: AlertKind
    severity: str = Field(description="info, warning or critical.")
    title: str
    summary: str
    account_id: str | None = None
    items: list[ItemRef] = Field(default_factory=list, description="The items that made the rule fire.")
    window_from: Timestamp | None = None
    window_to: Timestamp | None = None
    details: dict[str, Any] = Field(default_factory=dict)
