"""Upcasters turn a stored payload of an older schema version into the next version's shape.

The log keeps every payload ever written, so consumers must read old versions forever. An upcaster is a
pure function on the decoded JSON object; they chain, so a v1 payload reaches v3 through v1->v2->v3.
Keep one fixture per old version under ``tests/fixtures/events/``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

Payload = dict[str, Any]
Upcaster = Callable[[Payload], Payload]

_UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def upcaster(event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    def register(fn: Upcaster) -> Upcaster:
        key = (event_type, from_version)
        if key in _UPCASTERS:
            raise TypeError(f"two upcasters for {event_type} v{from_version}")
        _UPCASTERS[key] = fn
        return fn

    return register


def upcast(payload: Payload, event_type: str, from_version: int, to_version: int) -> Payload:
    for version in range(from_version, to_version):
        step = _UPCASTERS.get((event_type, version))
        if step is None:
            raise LookupError(f"no upcaster for {event_type} v{version} -> v{version + 1}")
        payload = step(dict(payload))
        payload["schema_version"] = version + 1
    return payload


def registered() -> dict[tuple[str, int], Upcaster]:
    return dict(_UPCASTERS)
