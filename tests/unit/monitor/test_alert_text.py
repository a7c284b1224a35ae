"""What a chat or a mailbox shows: one-line titles, no control characters, no header injection."""
from __future__ import annotations

from datetime import timedelta

from monitor_fakes import NOW, FakeClassifier, MemoryAlertBook, mention

from chorus import events as ev
from chorus.monitor.adapters.email import compose, recipients
from chorus.monitor.adapters.webhook import signature
from chorus.monitor.alert_text import ingest_gap, message
from chorus.monitor.handlers import handle_items
from chorus.monitor.workspace_rules import StaticRules, WorkspaceRules


def raised_for(name: str, text: str, language: str = "ru") -> ev.AlertRaised:
    event = mention(1, text)
    event = event.model_copy(update={"author": ev.Author(id="u1", name=name, followers=10)})
    rules = StaticRules({"ws-1": WorkspaceRules(alerts=[ev.AlertRule(rule_id="r", name="n", kind="negative_mention",
                                                                     cooldown_minutes=0)])})
    out = handle_items([event], classifier=FakeClassifier(), rules=rules, book=MemoryAlertBook(), now=NOW,
                       max_age=timedelta(days=1), language=language)
    (alert,) = [e for e in out if isinstance(e, ev.AlertRaised)]
    return alert


def test_user_text_cannot_break_a_title_or_inject_mail_headers():
    alert = raised_for("Анна\r\nBcc: victim@evil.test\x00\u202e" + "я" * 500, "плохо\r\nещё\x1b[31m строка")
    assert "\n" not in alert.title and "\r" not in alert.title and "\x00" not in alert.title
    assert len(alert.title) < 140 and "\x1b" not in alert.summary and "\u202e" not in alert.title
    mail = compose(alert, "alerts@chorus.test", ["ops@brand.test"], "a:d", "ru", test=False)
    assert mail["Bcc"] is None and mail["To"] == "ops@brand.test"
    assert "Bcc: victim" not in mail.as_string().split("\n\n", 1)[0]


def test_a_test_message_is_clearly_marked_in_both_languages():
    alert = raised_for("Анна", "плохо")
    assert message(alert, "ru", test=True).startswith("[ТЕСТ]")
    assert message(alert, "en", test=True).startswith("[TEST]")
    assert "[ТЕСТ]" not in message(alert, "ru") and alert.title in message(alert, "ru")


def test_recipients_are_parsed_from_a_list_and_garbage_is_dropped():
    assert recipients("Ops <ops@brand.test>, pr@brand.test, not an address, ") == ["ops@brand.test", "pr@brand.test"]
    assert recipients("") == []


def test_the_signature_covers_the_timestamp_and_the_body():
    base = signature("key", "1700000000", b'{"a":1}')
    assert base.startswith("sha256=") and len(base) == 7 + 64
    assert signature("key", "1700000001", b'{"a":1}') != base
    assert signature("key", "1700000000", b'{"a":2}') != base
    assert signature("other", "1700000000", b'{"a":1}') != base


def test_a_reading_gap_names_what_was_not_read_in_the_readers_language():
    gap = ev.IngestGapRecorded(workspace_id="ws-1", account_id="tg-1", network="telegram", source="updates",
                               gap_from=NOW - timedelta(days=3), gap_to=NOW, reason="no readable history")
    ru, en = ingest_gap("ru", gap, "Кофейня"), ingest_gap("en", gap, "Кофейня")
    assert ru.title == "Пропуск в чтении: Telegram Кофейня"
    assert ru.summary.startswith("Сообщения и комментарии бота: нет данных за ") and "Причина: no readable" in ru.summary
    assert en.summary.startswith("The bot's messages and comments: no data for ")
    second_search = gap.model_copy(update={"source": "search:2"})
    assert ingest_gap("en", second_search).summary.startswith("Keyword search: no data")
    assert ingest_gap("en", gap.model_copy(update={"source": "новый_источник"})).summary.startswith("новый_источник:")
