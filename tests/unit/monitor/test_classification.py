"""Classifying items: one classification per customer item, deterministic ids, workspace rules on top."""
from __future__ import annotations

import pytest
from monitor_fakes import FakeClassifier, comment, mention, message

from chorus import events as ev
from chorus.monitor.adapters.classifier import LexiconClassifier
from chorus.monitor.domain import classified_id, is_unclassifiable
from chorus.monitor.handlers import classify_items
from chorus.monitor.workspace_rules import StaticRules, WorkspaceRules


def rules(**fields) -> StaticRules:
    return StaticRules({"ws-1": WorkspaceRules(**fields)})


def test_every_comment_message_and_mention_gets_one_classification():
    events = [comment(1, "Всё плохо"), message(2, "Спасибо!"), mention(3, "Сбербанк нормальный")]
    out = classify_items(events, classifier=FakeClassifier(), rules=rules())
    assert [(c.event.item.kind.value, c.event.label.value) for c in out] == [
        ("comment", "negative"), ("message", "positive"), ("mention", "neutral")]
    first = out[0].event
    assert first.source_event_id == "comment-ws-1-1" and first.causation_id == "comment-ws-1-1"
    assert first.workspace_id == "ws-1" and first.classifier_version == "fake-1" and first.rule_id is None


def test_the_same_item_and_version_always_get_the_same_id_and_a_new_version_a_new_one():
    event = comment(1)
    a = classify_items([event], classifier=FakeClassifier("v1"), rules=rules())[0].event
    b = classify_items([event], classifier=FakeClassifier("v1"), rules=rules())[0].event
    c = classify_items([event], classifier=FakeClassifier("v2"), rules=rules())[0].event
    assert a.event_id == b.event_id == classified_id(event.event_id, "v1")
    assert c.event_id != a.event_id


def test_the_brands_own_comments_are_not_classified():
    out = classify_items([comment(1, own=True), comment(2)], classifier=FakeClassifier(), rules=rules())
    assert [c.item.ref.item_id for c in out] == ["c2"]


def test_mentions_no_brand_rule_matches_are_not_the_brands():
    brand = [ev.BrandRule(rule_id="b1", name="Сбер", include=["сбербанк"], exclude=["вакансия"])]
    events = [mention(1, "Сбербанку плохо"), mention(2, "Тинькофф плохо"), mention(3, "Сбербанк: вакансия"),
              comment(4, "Тинькофф плохо")]
    out = classify_items(events, classifier=FakeClassifier(), rules=rules(brand=brand))
    assert [c.item.ref.item_id for c in out] == ["m1", "c4"]  # comments are on the brand's own posts


def test_workspace_sentiment_rules_apply_on_top_and_are_named():
    sentiment = [ev.SentimentRule(rule_id="s1", term="дорого", label=None),
                 ev.SentimentRule(rule_id="s2", term="конкурент", label="negative")]
    events = [comment(1, "Дорого"), comment(2, "Конкурент хвалит"), comment(3, "Просто текст")]
    out = classify_items(events, classifier=LexiconClassifier(), rules=rules(sentiment=sentiment))
    by_id = {c.item.ref.item_id: c.event for c in out}
    assert by_id["c1"].label == "neutral" and by_id["c1"].rule_id == "s1"
    assert by_id["c2"].label == "negative" and by_id["c2"].rule_id == "s2"
    assert by_id["c3"].rule_id is None


def test_rules_of_one_workspace_never_touch_another():
    sentiment = [ev.SentimentRule(rule_id="s1", term="плохо", label="positive")]
    out = classify_items([comment(1, "плохо", ws="ws-1"), comment(2, "плохо", ws="ws-2")],
                         classifier=FakeClassifier(), rules=rules(sentiment=sentiment))
    assert [c.event.label.value for c in out] == ["positive", "negative"]


def test_items_are_classified_in_one_call_per_batch():
    classifier = FakeClassifier()
    classify_items([comment(n) for n in range(50)], classifier=classifier, rules=rules())
    assert classifier.calls == 1


BAD = ["", " ", "x" * 100_000, "😡😡😡", "🙂🙁", "Привет hello мир world", "<b>Отлично</b><script>x()</script>",
       "су\u200bпер\u200d", "\u202eплохо", "Добрий день, як справи", "ﷺ ꙮ 𒀀", "\x00\x01\x02", "&amp;&lt;&#0;"]


@pytest.mark.parametrize("text", BAD)
def test_bad_input_is_classified_or_marked_unclassifiable_and_never_crashes(text):
    (out,) = classify_items([comment(1, text)], classifier=LexiconClassifier(), rules=rules())
    event = out.event
    assert event.label in ("positive", "neutral", "negative") and -1 <= event.score <= 1
    assert ev.decode(ev.encode(event)) == event
    if not text.strip():
        assert is_unclassifiable(event.language, event.score)
