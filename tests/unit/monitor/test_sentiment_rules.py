"""Workspace rules: a term neutralised or given a polarity, a message label forced."""
from __future__ import annotations

import pytest

from chorus.monitor.sentiment import Rule, apply_rules, classify, matching_rules, rules_from_json


def corrected(text: str, *rules: Rule):
    return apply_rules(text, classify(text), rules)


def test_neutral_term_removes_its_contribution_in_every_word_form():
    rule = Rule("дорого", "neutral")
    for text in ("Дорого", "Очень дорогая сумка", "Слишком дорогие доставки", "дорогую вещь купила"):
        assert classify(text).score < 0, text
        assert (corrected(text, rule).label, corrected(text, rule).score) == ("neutral", 0.0), text


def test_neutral_term_leaves_the_rest_of_the_text():
    rule = Rule("дорого", "neutral")
    assert corrected("Дорого, но качество отличное", rule).label == "positive"
    assert corrected("Дорого и ужасно", rule).label == "negative"


def test_term_given_a_polarity_counts_like_a_lexicon_word_with_negation():
    rule = Rule("тихий", "positive")
    assert classify("Тихая машинка").label == "neutral"
    assert corrected("Тихая машинка", rule).label == "positive"
    assert corrected("Совсем не тихая машинка", rule).label == "negative"


def test_english_term_rule_matches_the_word_case_insensitively():
    assert corrected("This is SICK", Rule("sick", "positive")).label == "positive"


def test_phrase_term_rule():
    rule = Rule("верните деньги", "neutral")
    assert corrected("Верните деньги", rule).label == "neutral"


def test_message_rule_forces_the_label():
    rule = Rule("Chorus Pro", "negative", scope="message")
    result = corrected("Купил Chorus Pro, всё отлично", rule)
    assert result.label == "negative" and result.score <= -0.5
    assert corrected("Всё отлично", rule).label == "positive"


def test_first_matching_message_rule_wins():
    rules = (Rule("возврат", "neutral", scope="message"), Rule("деньги", "negative", scope="message"))
    assert corrected("Оформила возврат, деньги пришли", *rules).label == "neutral"


def test_text_without_rule_terms_is_returned_unchanged():
    original = classify("Отличный сервис")
    assert apply_rules("Отличный сервис", original, [Rule("дорого", "neutral")]) is original
    assert apply_rules("Отличный сервис", original, []) is original


def test_rules_from_json_reads_scope_and_defaults_to_term():
    rules = rules_from_json([{"term": "дорого", "label": "neutral"},
                             {"term": "Chorus", "label": "positive", "scope": "message"}])
    assert rules == (Rule("дорого", "neutral", "term"), Rule("Chorus", "positive", "message"))


@pytest.mark.parametrize("item", [
    {"term": "x"}, {"label": "neutral"}, {"term": "x", "label": "good"},
    {"term": "x", "label": "neutral", "scope": "text"}, {"term": "!!", "label": "neutral"}, "дорого",
])
def test_malformed_rules_are_refused(item):
    with pytest.raises(ValueError):
        rules_from_json([item])


def test_matching_rules_names_the_rules_whose_terms_occur_in_any_form():
    rules = (Rule("дорого", "neutral"), Rule("курьер", "negative", scope="message"), Rule("sale", "positive"))
    assert matching_rules("Курьеры опоздали, а доставка дорогая", rules) == rules[:2]
    assert matching_rules("Всё отлично", rules) == ()
