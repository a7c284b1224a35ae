"""Chorus's event contracts: every event class, its subject and its stream, and the codec.

This is the only place a payload is defined; services import from here and nowhere else.
"""
from chorus.events import upcasters as _upcasters  # noqa: F401  (registers the upcasters)
from chorus.events.accounts import (
    AccountConnected,
    AccountDisconnected,
    AccountTokenExpired,
)
from chorus.events.alerting import AlertDelivered, AlertDeliveryFailed
from chorus.events.base import Event, derived_id, event_class, new_id, utcnow
from chorus.events.codec import DecodeError, decode, encode, from_dict, to_dict
from chorus.events.inbox import (
    ConversationAssigned,
    ConversationClosed,
    ConversationNoted,
    ConversationReopened,
    ConversationTagged,
    PostCancelled,
    PostEdited,
    PostScheduled,
    ReplyKind,
    ReplyRequested,
    ReplyTarget,
    SentimentCorrected,
)
from chorus.events.ingest import (
    AccountStatsCaptured,
    CommentDeleted,
    CommentEdited,
    CommentReceived,
    DirectMessageReceived,
    IngestGapRecorded,
    MentionFound,
)
from chorus.events.monitor import AlertKind, AlertRaised, SentimentClassified
from chorus.events.publisher import (
    PostFailed,
    PostMissed,
    PostOutcomeUnknown,
    PostPublished,
    ReplyFailed,
    ReplySent,
)
from chorus.events.publishing import (
    PostAttempted,
    PostDeferred,
    PostReconciled,
    ReplyAttempted,
    ReplyDeferred,
    ReplyOutcomeUnknown,
    ReplyReconciled,
)
from chorus.events.settings import (
    AlertDestination,
    AlertDestinationsChanged,
    AlertRule,
    AlertRuleKind,
    AlertRulesChanged,
    BrandRule,
    BrandRulesChanged,
    DestinationKind,
    SentimentRule,
    SentimentRulesChanged,
    WorkspaceSettingsChanged,
)
from chorus.events.streams import DEAD_LETTER, EVENT_STREAMS, Stream
from chorus.events.values import (
    Attachment,
    Author,
    FailureKind,
    ItemKind,
    ItemRef,
    MediaRef,
    Network,
    PostTarget,
    Sentiment,
)

__all__ = [name for name in dir() if not name.startswith("_")]
