"""Bytes on the wire <-> event objects.

The body is the event's JSON with its ``type`` beside the envelope and payload fields. Decoding checks,
in order: valid JSON object, known type, subject matching the type, a version this code knows (older ones
are upcast), and the payload's fields. Each failure raises ``DecodeError`` with a reason a dead-letter
entry can show.
"""
from __future__ import annotations

from typing import Any

import orjson
from pydantic import ValidationError

from chorus.events.base import Event
from chorus.events.upcasting import upcast


class DecodeError(ValueError):
    """The message cannot become an event. ``reason`` is one of the class constants."""

    MALFORMED = "malformed"
    UNKNOWN_TYPE = "unknown_type"
    NEWER_VERSION = "newer_version"
    INVALID = "invalid"

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def to_dict(event: Event) -> dict[str, Any]:
    data = event.model_dump(mode="json")
    return {"type": event.type, **data}


def encode(event: Event) -> bytes:
    # pydantic-core writes the JSON directly (twice as fast as dumping a dict); the type goes in front.
    body = event.__pydantic_serializer__.to_json(event)
    return b'{"type":"' + event.type.encode() + b'",' + body[1:]


def decode(data: bytes | str, subject: str | None = None) -> Event:
    try:
        payload = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise DecodeError(DecodeError.MALFORMED, f"not JSON ({exc})") from None
    if not isinstance(payload, dict):
        raise DecodeError(DecodeError.MALFORMED, "not a JSON object")
    return from_dict(payload, subject)


def from_dict(payload: dict[str, Any], subject: str | None = None) -> Event:
    type_name = payload.pop("type", None)
    cls = Event.registry.get(type_name) if isinstance(type_name, str) else None
    if cls is None:
        raise DecodeError(DecodeError.UNKNOWN_TYPE, f"unknown event type {type_name!r}")
    if subject is not None and subject != cls.subject():
        raise DecodeError(DecodeError.MALFORMED, f"type {type_name!r} does not belong on subject {subject!r}")
    version = payload.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise DecodeError(DecodeError.MALFORMED, f"bad schema_version {version!r}")
    if version > cls.version:
        raise DecodeError(DecodeError.NEWER_VERSION,
                          f"{type_name} v{version} is newer than this code's v{cls.version}; upgrade the consumer")
    if version < cls.version:
        try:
            payload = upcast(payload, cls.type, version, cls.version)
        except LookupError as exc:
            raise DecodeError(DecodeError.INVALID, str(exc)) from None
    try:
        return cls.model_validate(payload)
    except ValidationError as exc:
        raise DecodeError(DecodeError.INVALID, _short(exc)) from None


def _short(exc: ValidationError) -> str:
    parts = [f"{'.'.join(map(str, e['loc'])) or '<root>'}: {e['msg']}" for e in exc.errors()[:5]]
    more = exc.error_count() - len(parts)
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")
