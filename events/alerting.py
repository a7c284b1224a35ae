"""What became of an alert at each of its destinations (webhook, Telegram chat, e-mail), from the monitor.

The monitor delivers every ``alert.raised`` once to each destination of its rule. These events tell the
inbox (and operators) how that went: one ``alert.delivered`` when a destination accepted it, or one
``alert.delivery_failed`` when the monitor gave up on it. Neither is emitted for the inbox's own live
banner, which reads ``alert.raised`` itself. Event ids derive from the alert and the destination, so each
pair gets at most one of each.
"""
from __future__ import annotations

from pydantic import Field

from chorus.events.base import Event
from chorus.events.settings import DestinationKind
from chorus.events.streams import MONITOR
from chorus.events.values import Timestamp


class AlertDelivered(Event):
    """A destination accepted an alert (HTTP 2xx, Telegram ``ok``, the SMTP server queued the mail)."""

    type = "alert.delivered"
    stream = MONITOR

    alert_id: str
    destination_id: str
    destination_kind: DestinationKind
    attempts: int = Field(ge=1, description="Attempts it took, this one included.")
    delivered_at: Timestamp


class AlertDeliveryFailed(Event):
    """The monitor gave up delivering an alert to a destination; nothing more will be tried for the pair."""

    type = "alert.delivery_failed"
    stream = MONITOR

    alert_id: str
    destination_id: str
    destination_kind: DestinationKind | None = Field(default=None, description="Null when the destination was "
                                                     "removed from the workspace's settings.")
    attempts: int = Field(ge=0, description="Attempts started, counting one that found the destination removed "
                                            "or disabled.")
    reason: str = Field(description="The last error, as the destination or the transport reported it; no "
                                    "secret in it.")
    permanent: bool = Field(description="True when retrying could not help (bad URL, chat not found, "
                                        "destination removed); false when the attempts ran out.")
