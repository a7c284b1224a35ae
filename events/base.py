"""The envelope every Chorus event carries, and the registry of event classes.

An event class declares its ``type`` (``comment.received``), the stream that owns it and its current
``version``. Subjects are derived from the stream and the type and never carry a version:
``chorus.<context>.<type>``. Adding a field bumps ``version`` and registers an upcaster (see
``upcasting.py``); renaming or removing a field, or changing its meaning, is a new event type.
"""
from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field

from chorus.events.streams import Stream
from chorus.events.values import Timestamp

#: Namespace for deterministic ids derived from other ids (RFC 4122 name-based UUIDs).
_ID_NAMESPACE = uuid.UUID("6f1d0c7e-52f4-4c1e-9a59-1f4b8c3a2d10")


def new_id() -> str:
    """A fresh random id, for events that are not derived from anything."""
    return uuid.uuid4().hex


def derived_id(*parts: object) -> str:
    """A deterministic id for an event caused by something with a stable identity.

    The same parts always give the same id, so a re-sent derived event carries the same ``Nats-Msg-Id``
    and JetStream stores it once.
    """
    return uuid.uuid5(_ID_NAMESPACE, "\x1f".join(str(p) for p in parts)).hex


def utcnow() -> datetime:
    return datetime.now(UTC)


class Event(BaseModel):
    """Base of every event: the envelope fields, then each subclass's payload fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: ClassVar[str]
    stream: ClassVar[Stream]
    version: ClassVar[int] = 1
    #: Registry of every concrete event class, by ``type``.
    registry: ClassVar[dict[str, type[Event]]] = {}

    event_id: str = Field(default_factory=new_id, min_length=1, max_length=128,
                          description="Unique id; also the JetStream Nats-Msg-Id, so a re-sent event is stored once.")
    occurred_at: Timestamp = Field(default_factory=utcnow, description="When it happened, UTC.")
    workspace_id: str = Field(min_length=1, max_length=64, description="The client/brand workspace it belongs to.")
    correlation_id: str = Field(default="", max_length=128,
                                description="Id of the first event of the chain this event belongs to.")
    causation_id: str | None = Field(default=None, max_length=128,
                                     description="Id of the event that directly caused this one, if any.")
    schema_version: int = Field(default=0, ge=1, description="Version of this event type's payload.")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "type" not in cls.__dict__:
            return  # an abstract intermediate class
        if cls.type in Event.registry:
            raise TypeError(f"event type {cls.type!r} is declared twice")
        Event.registry[cls.type] = cls

    def model_post_init(self, context: Any, /) -> None:
        # Fill the envelope's derived defaults; the model is frozen, so go through __dict__ once.
        if self.schema_version == 0:
            self.__dict__["schema_version"] = type(self).version
        elif self.schema_version != type(self).version:
            raise ValueError(f"{self.type} v{self.schema_version} must be upcast to v{type(self).version} first")
        if not self.correlation_id:
            self.__dict__["correlation_id"] = self.event_id

    @classmethod
    def subject(cls) -> str:
        return f"{cls.stream.subject_prefix}.{cls.type}"

    @classmethod
    def caused_by(cls, cause: Event, /, **fields: Any) -> Self:
        """Build an event caused by ``cause``: same workspace and correlation, causation set.

        Unless an ``event_id`` is given, the id is derived from the cause's id and this type, so handling
        the cause twice produces the same event (which JetStream then stores once).
        """
        fields.setdefault("event_id", derived_id(cls.type, cause.event_id))
        fields.setdefault("workspace_id", cause.workspace_id)
        return cls(correlation_id=cause.correlation_id, causation_id=cause.event_id, **fields)


def event_class(type_name: str) -> type[Event] | None:
    return Event.registry.get(type_name)
