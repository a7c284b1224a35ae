"""Every event contract: payload fixtures decode forever, round-trips are exact, docs are current."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from chorus import events as ev
from chorus.events.docs import render
from chorus.events.upcasting import registered
from support.examples import example

ROOT = Path(__file__).parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "events"
ALL_TYPES = sorted(ev.Event.registry)


def fixture_files() -> list[Path]:
    return sorted(FIXTURES.glob("*.json"))


@pytest.mark.parametrize("type_name", ALL_TYPES)
def test_every_event_type_has_a_fixture_of_its_current_version(type_name):
    cls = ev.Event.registry[type_name]
    assert (FIXTURES / f"{type_name}.v{cls.version}.json").exists()


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.name)
def test_every_kept_payload_still_decodes(path):
    """The log keeps every payload ever written; each old version must still decode through its upcasters."""
    data = path.read_bytes()
    type_name = json.loads(data)["type"]
    event = ev.decode(data, ev.Event.registry[type_name].subject())
    assert event.schema_version == type(event).version


@pytest.mark.parametrize("type_name", ALL_TYPES)
def test_event_round_trips_exactly(type_name):
    event = example(ev.Event.registry[type_name])
    assert ev.decode(ev.encode(event), event.subject()) == event


def test_old_comment_payload_decodes_through_its_upcaster():
    data = (FIXTURES / "comment.received.v1.json").read_bytes()
    assert json.loads(data)["schema_version"] == 1 and "from_account" not in json.loads(data)
    event = ev.decode(data)
    assert isinstance(event, ev.CommentReceived)
    assert event.schema_version == 2 and event.from_account is False
    assert event.text == "Когда будет доставка? <b>!</b>"


def test_every_upcaster_has_a_fixture_of_the_version_it_reads():
    for type_name, version in registered():
        assert (FIXTURES / f"{type_name}.v{version}.json").exists(), (type_name, version)


def test_subjects_are_stable_and_carry_no_version():
    for cls in ev.Event.registry.values():
        subject = cls.subject()
        assert subject == f"{cls.stream.subject_prefix}.{cls.type}"
        assert not any(part.startswith("v") and part[1:].isdigit() for part in subject.split("."))


def test_event_names_are_past_tense_and_types_unique():
    names = [cls.__name__ for cls in ev.Event.registry.values()]
    assert len(set(names)) == len(names)
    for cls in ev.Event.registry.values():
        verb = cls.type.split(".")[-1]
        # post.outcome_unknown names a fact ("the outcome became unknown"), as the mission calls it
        assert verb.endswith("ed") or verb in ("found", "sent", "outcome_unknown"), cls.type


def test_no_event_field_can_carry_a_token():
    suspicious = ("token", "secret", "password", "access_key")
    for cls in ev.Event.registry.values():
        for name in cls.model_fields:
            if name in ("token_kinds", "token_kind"):
                continue
            assert not any(s in name for s in suspicious), f"{cls.__name__}.{name}"


def test_docs_events_md_is_current():
    committed = (ROOT / "docs" / "events.md").read_text()
    assert committed == render(), "docs/events.md is stale: run `chorus events docs --write docs/events.md`"


@pytest.mark.parametrize("data, reason", [
    (b"\xff\xfe", ev.DecodeError.MALFORMED),
    (b"[1, 2]", ev.DecodeError.MALFORMED),
    (b'{"type": "comment.vanished", "schema_version": 1}', ev.DecodeError.UNKNOWN_TYPE),
    (b'{"type": "comment.deleted", "schema_version": 99}', ev.DecodeError.NEWER_VERSION),
    (b'{"type": "comment.deleted", "schema_version": "1"}', ev.DecodeError.MALFORMED),
    (b'{"type": "comment.deleted", "schema_version": 1, "workspace_id": "w"}', ev.DecodeError.INVALID),
])
def test_bad_payloads_raise_a_decode_error_with_a_reason(data, reason):
    with pytest.raises(ev.DecodeError) as caught:
        ev.decode(data)
    assert caught.value.reason == reason


def test_payload_on_the_wrong_subject_is_refused():
    data = ev.encode(example(ev.CommentDeleted))
    with pytest.raises(ev.DecodeError):
        ev.decode(data, ev.CommentReceived.subject())


def test_derived_events_get_deterministic_ids():
    cause = example(ev.CommentReceived)
    a = ev.SentimentClassified.caused_by(cause, item=example(ev.SentimentClassified).item, source_event_id="x",
                                         label="neutral", score=0, language="ru", classifier_version="1")
    b = ev.SentimentClassified.caused_by(cause, item=a.item, source_event_id="x", label="neutral", score=0,
                                         language="ru", classifier_version="1")
    assert a.event_id == b.event_id and a.causation_id == cause.event_id
    assert a.correlation_id == cause.correlation_id and a.workspace_id == cause.workspace_id
