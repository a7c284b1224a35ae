"""Workspace settings that admins change in the inbox and other services act on.

Each event carries the complete new list (a snapshot), so a consumer only keeps the latest one per
workspace and never has to merge partial changes. Secrets of alert destinations (webhook signing keys,
bot tokens, SMTP passwords) are not here: they live encrypted in the credentials store, keyed by the
destination id.
"""
from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from chorus.events.base import Event
from chorus.events.streams import INBOX
from chorus.events.values import Network, Sentiment, Value


class BrandRule(Value):
    """Which public posts are the brand's mentions. Terms match Russian and English word forms."""

    rule_id: str
    name: str
    include: list[str] = Field(min_length=1, description="Any of these words or phrases (\"сбербанк\", \"sber bank\").")
    require: list[str] = Field(default_factory=list, description="And all of these as well.")
    exclude: list[str] = Field(default_factory=list, description="And none of these.")
    expression: str | None = Field(default=None, description="Optional boolean expression over quoted terms with "
                                   "AND, OR, NOT and parentheses; when set it replaces include/require/exclude.")
    networks: list[Network] = Field(default_factory=list, description="Where to search; empty means everywhere.")
    enabled: bool = True


class BrandRulesChanged(Event):
    """The workspace's brand-mention rules, complete. Ingest runs their searches; the monitor matches them."""

    type = "brand_rules.changed"
    stream = INBOX

    rules: list[BrandRule]
    changed_by: str


class AlertRuleKind(StrEnum):
    NEGATIVE_MENTION = "negative_mention"  # one negative item from a big account or with a strong score
    SPIKE = "spike"                        # negative items in a window above the baseline
    CHANNEL_HEALTH = "channel_health"      # token expired, ingest gap


class AlertRule(Value):
    rule_id: str
    name: str
    kind: AlertRuleKind
    enabled: bool = True
    min_followers: int | None = Field(default=None, ge=0, description="negative_mention: author at least this big.")
    max_score: float | None = Field(default=None, ge=-1, le=1,
                                    description="negative_mention: score at or below this (e.g. -0.6).")
    window_minutes: int = Field(default=60, ge=1, le=10080, description="spike: the counting window.")
    baseline_days: int = Field(default=7, ge=1, le=90, description="spike: history the baseline is taken from.")
    sensitivity: float = Field(default=2.0, gt=0, description="spike: fire above baseline x sensitivity.")
    min_count: int = Field(default=5, ge=1, description="spike: and at least this many in the window.")
    cooldown_minutes: int = Field(default=60, ge=0, description="No second alert of this rule within this time.")
    accounts: list[str] = Field(default_factory=list, description="Only these accounts; empty means all.")
    destinations: list[str] = Field(default_factory=list, description="Destination ids; the inbox always shows it.")


class AlertRulesChanged(Event):
    type = "alert_rules.changed"
    stream = INBOX

    rules: list[AlertRule]
    changed_by: str


class DestinationKind(StrEnum):
    WEBHOOK = "webhook"
    TELEGRAM = "telegram"
    EMAIL = "email"


class AlertDestination(Value):
    destination_id: str
    kind: DestinationKind
    name: str
    target: str = Field(description="Webhook URL, Telegram chat id, or e-mail address.")
    enabled: bool = True


class AlertDestinationsChanged(Event):
    type = "alert_destinations.changed"
    stream = INBOX

    destinations: list[AlertDestination]
    changed_by: str


class SentimentRule(Value):
    """A workspace's own reading of a term, applied on top of the classifier ("дорого" is neutral for us)."""

    rule_id: str
    term: str = Field(description="A word (all its forms) or a phrase.")
    label: Sentiment | None = Field(description="Force this label when the term occurs; null: the term "
                                    "counts as neutral (its polarity is ignored).")


class SentimentRulesChanged(Event):
    type = "sentiment_rules.changed"
    stream = INBOX

    rules: list[SentimentRule]
    changed_by: str


#: The time zone of a workspace that has never saved its settings, for every service alike.
DEFAULT_TIME_ZONE = "UTC"


class WorkspaceSettingsChanged(Event):
    """A workspace's general settings, complete."""

    type = "workspace.settings_changed"
    stream = INBOX

    name: str
    time_zone: str = Field(description="IANA name, e.g. Europe/Moscow.")
    business_hours: dict[str, list[str]] = Field(
        default_factory=dict, description='Per weekday ("mon".."sun") a list of "HH:MM-HH:MM" ranges; '
                                          "empty means always open.")
    approval_required: bool = Field(default=False, description="Managers' posts wait for an admin's approval.")
    lateness_limit_minutes: int = Field(default=60, ge=0, description="A post due longer ago than this is "
                                        "marked missed instead of published.")
    changed_by: str
