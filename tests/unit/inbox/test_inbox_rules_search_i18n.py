"""Rule snapshots, search lemmas, the live hub's routing, and translations."""
from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from starlette.datastructures import FormData

from chorus.events import AlertRaised, Author, CommentReceived, utcnow
from chorus.inbox import rules, search
from chorus.inbox.adapters.live import QUEUE_SIZE, LiveHub
from chorus.inbox.domain import InboxError
from chorus.inbox.web import i18n
from chorus.inbox.web.catalog_ru import RU

INBOX = Path(__file__).resolve().parents[3] / "services" / "inbox"


def test_russian_word_forms_and_english_stems_find_each_other():
    assert search.lemmatise("Отзывами о доставке") == "отзыв о доставка"
    assert search.query_terms("отзывов, Доставку!") == ["отзыв", "доставка"]
    assert search.lemmatise("Refunds replied") == search.lemmatise("refund reply")
    assert search.fts5_query(["отзыв", "доставка"]) == '"отзыв" AND "доставка"*'
    assert search.tsquery(["отзыв", "доставка"]) == "отзыв & доставка:*"
    assert search.query_terms("<script>\"' OR 1=1") == ["script", "or", "1"]


def test_a_walk_over_lemmas_matches_the_same_texts_as_the_index():
    needles = search.lemma_needles(search.query_terms("отзывов Доставк"))
    assert needles == [" отзыв ", " доставк"]  # whole words, the last one a prefix

    def found(text: str) -> bool:
        return all(n in f" {search.lemmatise(text)} " for n in needles)

    assert found("Отзывами о доставке") and found("Доставкой недоволен, оставлю отзыв")
    assert not found("Отзывчивый курьер, быстрая доставка")  # отзывчивый is another word, not a form of отзыв
    assert not found("Отзыв о курьере")
    assert search.lemma_needles(["refund"], prefix_last=False) == [" refund "]


def test_a_brand_rule_form_becomes_a_rule():
    rule = rules.brand_rule(FormData([("name", "Сбер"), ("include", "сбербанк, sber bank"), ("require", ""),
                                      ("exclude", "вакансия")]))
    assert (rule.name, rule.include, rule.require, rule.exclude) == ("Сбер", ["сбербанк", "sber bank"], [],
                                                                      ["вакансия"])


def test_rule_forms_are_validated_with_named_reasons():
    with pytest.raises(InboxError) as refused:
        rules.brand_rule(FormData([("name", "x"), ("include", " , ")]))
    assert refused.value.code == "rule_terms"
    with pytest.raises(InboxError) as refused:
        rules.alert_rule(FormData([("name", "x"), ("kind", "spike"), ("window_minutes", "lots")]), set())
    assert refused.value.code == "bad_number"
    with pytest.raises(InboxError):
        rules.destination(FormData([("kind", "webhook"), ("target", "ftp://nope")]))
    assert rules.destination(FormData([("kind", "telegram"), ("target", "@alerts_chan")])).target == "@alerts_chan"


def test_snapshots_replace_one_rule_and_keep_the_others():
    first = rules.brand_rules_with([], rules.brand_rule(FormData([("name", "A"), ("include", "a")])),
                                   workspace_id="acme", user_id="u1")
    current = [r.model_dump(mode="json") for r in first.rules]
    second = rules.brand_rules_with(current, rules.brand_rule(FormData([("name", "B"), ("include", "b")])),
                                    workspace_id="acme", user_id="u1")
    assert [r.name for r in second.rules] == ["A", "B"]
    removed = rules.brand_rules_with([r.model_dump(mode="json") for r in second.rules], None,
                                     remove=second.rules[0].rule_id, workspace_id="acme", user_id="u1")
    assert [r.name for r in removed.rules] == ["B"]


def test_workspace_settings_keep_only_open_days():
    event = rules.workspace_settings(FormData([("name", "ACME"), ("time_zone", "Europe/Moscow"),
                                               ("hours_mon", "09:00-18:00"), ("hours_sun", "")]),
                                     workspace_id="acme", user_id="u1")
    assert event.business_hours == {"mon": ["09:00-18:00"]} and event.time_zone == "Europe/Moscow"


def _comment(workspace: str) -> CommentReceived:
    return CommentReceived(workspace_id=workspace, account_id="vk-1", network="vk", comment_id="1", post_id="p",
                           author=Author(id="1"), text="hi", created_at=utcnow())


async def test_live_notices_reach_only_users_of_that_workspace():
    hub = LiveHub()
    ours, theirs = hub.subscribe("u1", ["acme"]), hub.subscribe("u2", ["globex"])
    hub.on_applied([_comment("acme"), _comment("acme"), AlertRaised(
        workspace_id="acme", alert_id="a", rule_id="r", kind="spike", severity="critical", title="t", summary="s")])
    got = [ours.queue.get_nowait() for _ in range(ours.queue.qsize())]
    assert [n["kind"] for n in got] == ["conversation", "alert"]  # the same conversation once per batch
    assert theirs.queue.empty()


async def test_a_stalled_page_is_told_to_reload_instead_of_piling_up():
    hub = LiveHub()
    listener = hub.subscribe("u1", ["acme"])
    for n in range(QUEUE_SIZE + 5):
        hub.publish("acme", {"kind": "conversation", "conversation_id": str(n)})
    assert listener.queue.qsize() == 1 and listener.queue.get_nowait()["kind"] == "reload"
    await asyncio.sleep(0)


def test_every_interface_message_has_a_russian_translation():
    pattern = re.compile(r"""\b_\(\s*'((?:[^'\\]|\\.)*)'""")
    missing = set()
    for path in (INBOX / "templates").rglob("*.html"):
        for message in pattern.findall(path.read_text()):
            if message not in RU:
                missing.add(message)
    for message in i18n.JS_STRINGS.values():
        if message not in RU:
            missing.add(message)
    assert not missing, sorted(missing)


@pytest.mark.parametrize("header, expected", [("ru-RU,ru;q=0.9,en;q=0.8", "ru"), ("en-US,en;q=0.9,ru;q=0.8", "en"),
                                              ("de-DE, ru;q=0.5", "ru"), ("fr", "en"), (None, "en"),
                                              ("en;q=0.2, ru;q=0.7", "ru")])
def test_the_language_defaults_to_the_browsers(header, expected):
    assert i18n.negotiate(header) == expected
    assert i18n.locale_for("en", header) == "en"  # a user's own choice wins


def test_translation_fills_placeholders_after_translating():
    assert i18n.Translator("ru")("{n} of {max}", n=3, max=10) == "3 из 10"
    assert i18n.Translator("en")("{n} of {max}", n=3, max=10) == "3 of 10"
