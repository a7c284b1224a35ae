"""The inbox's rules: ids, conversation facts, reply checks, placeholders, tags, hours, text limits."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chorus.inbox.domain import (
    InboxError,
    Row,
    allowed,
    check_reply,
    conversation_id,
    facts,
    fill_placeholders,
    parse_hours,
    parse_tags,
    parse_time_zone,
)
from chorus.networks.limits import TextKind, check, limit_for, x_weighted_length

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_conversation_id_is_deterministic_and_distinct_per_thread():
    assert conversation_id("vk-1", "comment", "p1") == conversation_id("vk-1", "comment", "p1")
    assert len({conversation_id("vk-1", "comment", "p1"), conversation_id("vk-1", "comment", "p2"),
                conversation_id("vk-1", "message", "p1"), conversation_id("vk-2", "comment", "p1")}) == 4


def test_first_response_is_the_first_sent_reply_after_the_first_inbound_item():
    rows = [Row("out", at(-5), "earlier post comment by the account"), Row("in", at(0), "q?", author_name="Ann"),
            Row("out", at(3), "pending", sent=False, by="u2"), Row("out", at(7), "answer", by="u1"),
            Row("in", at(9), "thanks")]
    f = facts(rows, closed_at=None, reopened_at=None)
    assert f.first_inbound_at == at(0) and f.first_response_at == at(7) and f.first_response_by == "u1"
    assert f.last_at == at(9) and f.preview == "thanks" and f.last_direction == "in" and f.message_count == 5
    assert f.author.author_name == "Ann"


def test_a_new_inbound_item_after_closing_reopens_the_conversation():
    rows = [Row("in", at(0), "a")]
    assert facts(rows, closed_at=at(5), reopened_at=None).status == "closed"
    assert facts(rows + [Row("in", at(6), "again")], closed_at=at(5), reopened_at=None).status == "open"
    assert facts(rows, closed_at=at(5), reopened_at=at(8)).status == "open"
    assert facts(rows, closed_at=at(9), reopened_at=at(8)).status == "closed"


def test_conversation_sentiment_is_the_latest_labelled_live_inbound_item():
    rows = [Row("in", at(0), "good", sentiment="positive"), Row("in", at(1), "bad", sentiment="negative"),
            Row("in", at(2), "deleted", sentiment="positive", deleted=True), Row("out", at(3), "reply")]
    assert facts(rows, closed_at=None, reopened_at=None).sentiment == "negative"


def test_roles_allow_what_the_issue_says():
    assert allowed("viewer", "read") and not allowed("viewer", "reply")
    assert allowed("manager", "reply") and allowed("manager", "assign") and not allowed("manager", "settings")
    assert allowed("admin", "settings") and allowed("admin", "reply")
    assert not allowed(None, "read")


@pytest.mark.parametrize("network, kind, maximum", [("vk", "comment", 16384), ("vk", "message", 4096),
                                                    ("telegram", "message", 4096), ("facebook", "comment", 8000),
                                                    ("x", "comment", 280)])
def test_an_over_long_reply_is_refused_naming_the_network_limit(network, kind, maximum):
    assert check_reply("я" * maximum, network, kind, target_deleted=False)
    with pytest.raises(InboxError) as refused:
        check_reply("я" * (maximum + 1), network, kind, target_deleted=False)
    assert refused.value.code == "reply_too_long"
    assert refused.value.params == {"length": maximum + 1, "maximum": maximum, "network": network}


def test_a_reply_to_a_deleted_comment_or_an_empty_reply_is_refused():
    with pytest.raises(InboxError, match="deleted"):
        check_reply("hello", "vk", "comment", target_deleted=True)
    with pytest.raises(InboxError, match="empty"):
        check_reply("   \n", "vk", "comment", target_deleted=False)


def test_x_counts_urls_as_23_and_wide_characters_as_2():
    assert x_weighted_length("hello") == 5
    assert x_weighted_length("привет") == 6  # Cyrillic is in the light range
    assert x_weighted_length("see https://example.com/a/very/long/path?with=query") == 4 + 23
    assert x_weighted_length("日本") == 4
    assert x_weighted_length("ok 👍") == 3 + 2
    length, limit = check("a" * 250 + " https://example.com/" + " " + "b" * 40, "x", TextKind.COMMENT)
    assert (length, limit.maximum) == (250 + 1 + 23 + 1 + 40, 280)


def test_telegram_captions_are_shorter_than_messages():
    assert limit_for("telegram", "caption").maximum == 1024 and limit_for("telegram", "post").maximum == 4096


def test_placeholders_are_filled_and_unknown_ones_left_as_typed():
    text = fill_placeholders("Здравствуйте, {author_name}! {manager_name}, {account_name}. {other} {0}",
                             {"author_name": "Мария", "manager_name": "Анна", "account_name": "Зерно"})
    assert text == "Здравствуйте, Мария! Анна, Зерно. {other} {0}"


def test_tags_are_normalised_and_a_malformed_one_is_refused_by_name():
    assert parse_tags(" Доставка ,vip,, доставка , Two  Words") == ["доставка", "vip", "two words"]
    with pytest.raises(InboxError) as refused:
        parse_tags("ok, <b>bad</b>")
    assert refused.value.params["tag"] == "<b>bad</b>"


def test_business_hours_and_time_zones_are_validated():
    assert parse_hours("9:00-13:00, 14:00 - 18:30") == ["09:00-13:00", "14:00-18:30"]
    assert parse_hours("") == []
    for bad in ("18:00-09:00", "9-18", "25:00-26:00"):
        with pytest.raises(InboxError):
            parse_hours(bad)
    assert parse_time_zone(" Europe/Moscow ") == "Europe/Moscow"
    with pytest.raises(InboxError, match="Mars/Base"):
        parse_time_zone("Mars/Base")


def test_a_reply_known_only_by_its_outcome_does_not_blank_the_preview():
    rows = [Row("in", at(0), "вопрос"), Row("out", at(2), None, by="u1")]  # ReplySent applied before ReplyRequested
    f = facts(rows, closed_at=None, reopened_at=None)
    assert f.preview == "вопрос" and f.last_direction == "in" and f.last_at == at(2)
    assert f.first_response_at == at(2)
