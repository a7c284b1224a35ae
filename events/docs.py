"""Generates ``docs/events.md`` from the event classes (``chorus events docs --write``).

A contract test regenerates it and fails when the committed file differs, so the document cannot drift.
"""
from __future__ import annotations

import inspect
import types
import typing
from enum import Enum

from pydantic import BaseModel

from chorus.events.base import Event
from chorus.events.streams import DEAD_LETTER, EVENT_STREAMS
from chorus.events.upcasting import registered
from chorus.events.values import Value

_ENVELOPE = list(Event.model_fields)


def _type_name(annotation: object) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _type_name(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        inner = " \\| ".join(_type_name(a) for a in args)
        return inner + (" \\| null" if len(args) < len(typing.get_args(annotation)) else "")
    if origin in (list, tuple):
        return f"list[{_type_name(typing.get_args(annotation)[0])}]"
    if origin is dict:
        return "object"
    if isinstance(annotation, type):
        if issubclass(annotation, Enum):
            return f"{annotation.__name__} (" + ", ".join(f"`{m.value}`" for m in annotation) + ")"
        if issubclass(annotation, BaseModel):
            return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
        return {"str": "string", "int": "integer", "float": "number", "bool": "boolean",
                "datetime": "datetime (ISO 8601, UTC)"}.get(annotation.__name__, annotation.__name__)
    return str(annotation)


def _field_rows(model: type[BaseModel], skip: list[str]) -> list[str]:
    rows = []
    for name, field in model.model_fields.items():
        if name in skip:
            continue
        required = "yes" if field.is_required() else "no"
        rows.append(f"| `{name}` | {_type_name(field.annotation)} | {required} | {field.description or ''} |")
    return rows


def _values_used() -> list[type[Value]]:
    seen: dict[str, type[Value]] = {}

    def walk(model: type[BaseModel]) -> None:
        for field in model.model_fields.values():
            for arg in _flatten(field.annotation):
                if isinstance(arg, type) and issubclass(arg, Value) and arg.__name__ not in seen:
                    seen[arg.__name__] = arg
                    walk(arg)

    for cls in Event.registry.values():
        walk(cls)
    return [seen[k] for k in sorted(seen)]


def _flatten(annotation: object) -> list[object]:
    args = typing.get_args(annotation)
    return [annotation] if not args else [x for a in args for x in _flatten(a)]


def render() -> str:
    out = [
        "# Events",
        "",
        "<!-- Generated from the classes in events/ by `chorus events docs --write`; do not edit by hand. -->",
        "",
        "Every event is one JSON object on the subject `chorus.<context>.<type>`, published with the header",
        "`Nats-Msg-Id: <event_id>` so JetStream stores a re-sent event once. Its body holds `type`, the",
        "envelope below and the event's own fields. Subjects never carry a version: `schema_version` does,",
        "and older versions are upcast on read. Tokens and other secrets never appear in any event.",
        "",
        "## Envelope (every event)",
        "",
        "| field | type | required | description |",
        "|---|---|---|---|",
        "| `type` | string | yes | The event type, e.g. `comment.received`. |",
        *_field_rows(Event, []),
        "",
        "## Streams",
        "",
        "| stream | subjects | written by | holds |",
        "|---|---|---|---|",
    ]
    for stream in (*EVENT_STREAMS, DEAD_LETTER):
        out.append(f"| `{stream.name}` | `{stream.subjects[0]}` | {stream.producer} | {stream.description} |")
    upcasters = registered()
    for stream in EVENT_STREAMS:
        out += ["", f"## {stream.name}", ""]
        for cls in sorted((c for c in Event.registry.values() if c.stream is stream), key=lambda c: c.type):
            doc = inspect.getdoc(cls) or ""
            if doc.startswith("Base of every event") or cls.__doc__ is None:
                doc = ""
            out += [f"### `{cls.type}` ({cls.__name__})", ""]
            out.append(f"Subject `{cls.subject()}`, schema version {cls.version}.")
            olds = sorted(v for (t, v) in upcasters if t == cls.type)
            if olds:
                out.append("Older versions read through upcasters: " + ", ".join(f"v{v}" for v in olds) + ".")
            if doc:
                out += ["", doc]
            out += ["", "| field | type | required | description |", "|---|---|---|---|"]
            out += _field_rows(cls, _ENVELOPE)
            out.append("")
    out += ["## Value objects", ""]
    for value in _values_used():
        out += [f"### {value.__name__}", ""]
        if value.__doc__:
            out += [inspect.getdoc(value) or "", ""]
        out += ["| field | type | required | description |", "|---|---|---|---|", *_field_rows(value, []), ""]
    out += [
        "## Dead letters",
        "",
        f"A message a consumer cannot handle is copied to `{DEAD_LETTER.subject_prefix}.<consumer>` in",
        f"`{DEAD_LETTER.name}` with its original bytes and the headers `Chorus-Consumer`, `Chorus-Stream`,",
        "`Chorus-Stream-Seq`, `Chorus-Subject`, `Chorus-Reason`, `Chorus-Error` and `Chorus-Deliveries`.",
        "`chorus dlq list` shows them; `chorus dlq replay` hands one back to its consumer.",
        "",
    ]
    return "\n".join(out)
