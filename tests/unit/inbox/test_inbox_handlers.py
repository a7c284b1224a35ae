"""Handlers turn a person's request into the events to append, or refuse it."""
from __future__ import annotations

import pytest

from chorus.events import ConversationAssigned, ConversationTagged, ReplyRequested, SentimentCorrected
from chorus.inbox import handlers
from chorus.inbox.domain import Forbidden, InboxError, NotFound

CONV = {"conversation_id": "c1", "workspace_id": "acme", "account_id": "vk-1", "network": "vk", "kind": "comment",
        "thread_key": "post-7", "status": "open", "assignee_id": None, "tags": ["vip"]}
COMMENT = {"message_key": "vk-1:comment:55", "item_id": "55", "direction": "in", "deleted_at": None,
           "machine_label": "negative", "corrected_label": None}
RID = "0123456789abcdef0123456789abcdef"


def test_a_reply_to_a_comment_targets_that_comment_with_an_idempotent_event_id():
    first = handlers.request_reply(CONV, text=" Спасибо! ", reply_id=RID, role="manager", user_id="u1",
                                   target=COMMENT, already_requested=False)
    again = handlers.request_reply(CONV, text=" Спасибо! ", reply_id=RID, role="manager", user_id="u1",
                                   target=COMMENT, already_requested=False)
    [event] = first
    assert isinstance(event, ReplyRequested)
    assert (event.text, event.target.kind, event.target.post_id, event.target.comment_id) == \
        ("Спасибо!", "comment", "post-7", "55")
    assert event.event_id == again[0].event_id  # a re-sent form is stored once by JetStream


def test_a_reply_already_requested_appends_nothing():
    assert handlers.request_reply(CONV, text="x", reply_id=RID, role="manager", user_id="u1", target=COMMENT,
                                  already_requested=True) == []


def test_a_message_goes_to_the_dialogue():
    conv = {**CONV, "kind": "message", "thread_key": "chat-9"}
    [event] = handlers.request_reply(conv, text="hi", reply_id=RID, role="admin", user_id="u1", target=None,
                                     already_requested=False)
    assert event.target.kind == "message" and event.target.dialogue_id == "chat-9"


def test_a_viewer_cannot_reply_and_a_stale_form_is_refused():
    with pytest.raises(Forbidden):
        handlers.request_reply(CONV, text="x", reply_id=RID, role="viewer", user_id="u1", target=None,
                               already_requested=False)
    with pytest.raises(InboxError, match="stale"):
        handlers.request_reply(CONV, text="x", reply_id="not-an-id", role="manager", user_id="u1", target=None,
                               already_requested=False)


def test_a_reply_to_a_deleted_comment_is_refused():
    with pytest.raises(InboxError) as refused:
        handlers.request_reply(CONV, text="x", reply_id=RID, role="manager", user_id="u1",
                               target={**COMMENT, "deleted_at": "2026-11-20"}, already_requested=False)
    assert refused.value.code == "reply_to_deleted"


def test_a_retry_is_caused_by_the_failure_it_answers():
    failed = {"failed_event_id": "ev-failed", "sent_at": None, "reply_text": "x"}
    [event] = handlers.request_reply(CONV, text="x", reply_id=RID, role="manager", user_id="u1", target=None,
                                     already_requested=False, retry_of=handlers.retry_target(failed))
    assert event.causation_id == "ev-failed"
    with pytest.raises(InboxError):
        handlers.retry_target({"failed_event_id": None, "sent_at": None})


def test_assigning_needs_a_member_and_a_change():
    members = {"u1": "manager", "u2": "admin"}
    [event] = handlers.assign(CONV, assignee_id="u2", members=members, role="manager", user_id="u1")
    assert isinstance(event, ConversationAssigned) and event.assignee_id == "u2"
    assert handlers.assign({**CONV, "assignee_id": "u2"}, assignee_id="u2", members=members, role="manager",
                           user_id="u1") == []
    with pytest.raises(InboxError, match="not a member"):
        handlers.assign(CONV, assignee_id="stranger", members=members, role="manager", user_id="u1")
    with pytest.raises(Forbidden):
        handlers.assign(CONV, assignee_id="u2", members=members, role="viewer", user_id="u1")


def test_closing_and_reopening_only_change_what_needs_changing():
    assert handlers.close({**CONV, "status": "closed"}, role="manager", user_id="u1") == []
    assert len(handlers.close(CONV, role="manager", user_id="u1")) == 1
    assert handlers.reopen(CONV, role="manager", user_id="u1") == []
    assert len(handlers.reopen({**CONV, "status": "closed"}, role="manager", user_id="u1")) == 1


def test_tagging_adds_new_tags_and_removes_present_ones():
    [event] = handlers.tag(CONV, add="VIP, доставка", remove="vip, absent", role="manager", user_id="u1")
    assert isinstance(event, ConversationTagged)
    assert event.added == ["доставка"] and event.removed == ["vip"]
    assert handlers.tag(CONV, add="vip", role="manager", user_id="u1") == []


def test_a_note_must_have_text():
    with pytest.raises(InboxError):
        handlers.note(CONV, text="  ", role="manager", user_id="u1")
    [event] = handlers.note(CONV, text="позвонить клиенту", role="manager", user_id="u1")
    assert event.text == "позвонить клиенту" and event.author_id == "u1"


def test_correcting_sentiment_names_the_item_and_the_previous_label():
    [event] = handlers.correct_sentiment(CONV, COMMENT, label="neutral", role="manager", user_id="u1")
    assert isinstance(event, SentimentCorrected)
    assert event.item.key == "vk-1:comment:55" and event.previous_label == "negative" and event.label == "neutral"
    with pytest.raises(InboxError):
        handlers.correct_sentiment(CONV, COMMENT, label="angry", role="manager", user_id="u1")
    with pytest.raises(NotFound):
        handlers.correct_sentiment(CONV, {**COMMENT, "direction": "out"}, label="neutral", role="manager",
                                   user_id="u1")
