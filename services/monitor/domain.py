"""The monitor's view of an inbound item, and the small pure rules about items and periods.

An *item* is a comment, a direct message or a mention. The monitor reads three event types for them and
needs the same few facts from each: what it is (``ItemRef``), its text, when it was written and by whom.

Decisions recorded here (see docs/monitor.md):
- The brand's own comments (``CommentReceived.from_account``) are not classified at all: they are the
  brand speaking, not the audience, so they get no sentiment, count in no statistic and raise no alert.
- A classification whose language is ``other`` (a language the classifier does not read), or ``unknown``
  with a zero score (nothing to tell by: empty, punctuation, ``🙂🙁``), is *unclassifiable*. It is still
  published (as neutral, as the classifier says) so the inbox can show it, but statistics count it apart
  from neutral, so it never dilutes the monthly shares.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from chorus.events import (
    CommentReceived,
    DirectMessageReceived,
    Event,
    ItemKind,
    ItemRef,
    MentionFound,
    SentimentClassified,
    derived_id,
)

ITEM_EVENTS: tuple[type[Event], ...] = (CommentReceived, DirectMessageReceived, MentionFound)
UNCLASSIFIED = "unclassified"


@dataclass(frozen=True, slots=True)
class Item:
    """The facts about one inbound item that the monitor uses."""

    ref: ItemRef
    workspace_id: str
    text: str
    created_at: datetime
    author_id: str
    author_name: str
    followers: int | None
    url: str | None
    from_account: bool
    source: Event

    @property
    def key(self) -> str:
        return self.ref.key


def item_of(event: Event) -> Item | None:
    """The item an event brings in, or None for any other event."""
    if isinstance(event, CommentReceived):
        ref = ItemRef(kind=ItemKind.COMMENT, network=event.network, account_id=event.account_id,
                      item_id=event.comment_id)
        return _item(event, ref, event.url, event.from_account)
    if isinstance(event, DirectMessageReceived):
        ref = ItemRef(kind=ItemKind.MESSAGE, network=event.network, account_id=event.account_id,
                      item_id=event.message_id)
        return _item(event, ref, None, False)
    if isinstance(event, MentionFound):
        ref = ItemRef(kind=ItemKind.MENTION, network=event.network, account_id=event.account_id,
                      item_id=event.mention_id)
        return _item(event, ref, event.url, False)
    return None


def _item(event: CommentReceived | DirectMessageReceived | MentionFound, ref: ItemRef, url: str | None,
          from_account: bool) -> Item:
    return Item(ref=ref, workspace_id=event.workspace_id, text=event.text, created_at=event.created_at,
                author_id=event.author.id, author_name=event.author.name or event.author.handle or event.author.id,
                followers=event.author.followers, url=url, from_account=from_account, source=event)


def classified_id(source_event_id: str, classifier_version: str) -> str:
    """The id of an item's classification by one classifier version.

    The version is part of the id: re-scoring history with a new version adds new events beside the old
    ones (consumers take the latest), while re-classifying with the same version gives the same id again,
    which JetStream and every projection drop as a duplicate.
    """
    return derived_id(SentimentClassified.type, source_event_id, classifier_version)


def is_unclassifiable(language: str, score: float) -> bool:
    return language == "other" or (language == "unknown" and score == 0.0)


def stats_label(label: str, language: str, score: float) -> str:
    """The bucket a machine classification counts in: its label, or ``unclassified``."""
    return UNCLASSIFIED if is_unclassifiable(language, score) else label


def day_of(moment: datetime) -> date:
    """Statistics are kept per UTC day (a workspace's own time zone is a reporting concern)."""
    return moment.astimezone(UTC).date()


def month_bounds(month: str) -> tuple[date, date]:
    """``2026-11`` -> (2026-11-01, 2026-12-01). Raises ValueError with a readable message."""
    try:
        year_s, month_s = month.split("-")
        start = date(int(year_s), int(month_s), 1)
    except (ValueError, TypeError):
        raise ValueError(f"month must look like 2026-11, not {month!r}") from None
    end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return start, end


def as_utc(value: datetime | None) -> datetime | None:
    """A time read back from SQL as UTC: SQLite returns naive datetimes, and every time stored is UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def floor_to(moment: datetime, minutes: int) -> datetime:
    """The start of the fixed window of ``minutes`` (aligned to the Unix epoch, UTC) holding ``moment``."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    size = timedelta(minutes=minutes)
    return epoch + ((moment.astimezone(UTC) - epoch) // size) * size
