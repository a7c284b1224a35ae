"""Brand-mention rules: Russian and English word forms, phrases, exclusions, the boolean syntax."""
from __future__ import annotations

import pytest

from chorus.events import BrandRule
from chorus.monitor.brand import BrandMatcher, check, compile_term
from chorus.monitor.expression import And, ExpressionError, Not, Or, Term, parse


def matcher(**fields) -> BrandMatcher:
    fields.setdefault("include", ["x"])
    return BrandMatcher.of([BrandRule(rule_id="b1", name="Сбер", **fields)])


@pytest.mark.parametrize("text", [
    "Сбербанк снова удивил", "Позвонил в Сбербанка офис", "Написал Сбербанку жалобу", "Доволен Сбербанком",
    "#сбербанк лучший", "СБЕРБАНК", "Cбербанк с латинской C", "Сбер\u200bбанк с невидимым пробелом",
    "<p>Про <b>Сбербанк</b></p>",
])
def test_a_russian_term_matches_its_word_forms(text):
    assert matcher(include=["Сбербанк"]).matching(text, "vk") == ["b1"]


@pytest.mark.parametrize("text", ["Сбер вышел на рынок", "банк и сбор", "Сбербанкомат", ""])
def test_a_russian_term_does_not_match_other_words(text):
    assert matcher(include=["Сбербанк"]).matching(text, "vk") == []


def test_a_phrase_matches_its_words_in_order_in_any_form():
    m = matcher(include=["Сбер Банк"])
    assert m.matching("Был в Сбер-Банке вчера", "vk") == ["b1"]
    assert m.matching("Банк Сбер", "vk") == []
    assert m.matching("Сбер, как и любой банк", "vk") == []


def test_english_words_match_plurals_and_possessives():
    m = matcher(include=["sber bank"])
    assert m.matching("Sber Bank's app is down", "x") == ["b1"]
    assert m.matching("two sber banks", "x") == ["b1"]
    assert m.matching("sberbank", "x") == []


def test_a_wildcard_matches_words_starting_with_it():
    m = matcher(include=["сбер*"])
    assert m.matching("Сберу доверяю", "vk") == ["b1"]
    assert m.matching("СберБизнес", "vk") == ["b1"]
    assert m.matching("несбербанк", "vk") == []


def test_require_and_exclude_narrow_include():
    m = matcher(include=["сбербанк", "сбер"], require=["кредит"], exclude=["вакансия"])
    assert m.matching("Сбербанк дал кредит", "vk") == ["b1"]
    assert m.matching("Сбербанк дал кредиты", "vk") == ["b1"]
    assert m.matching("Сбербанк молодец", "vk") == []           # require missing
    assert m.matching("Сбер: кредит, вакансии", "vk") == []     # excluded in another form


def test_an_expression_replaces_include_require_and_exclude():
    m = matcher(include=["нечто"], expression='("Сбер Банк" OR сбербанк) AND (кредит OR ипотека) AND NOT вакансия')
    assert m.matching("Сбербанку одобрили ипотеку", "vk") == ["b1"]
    assert m.matching("В Сбер Банке взял кредит", "vk") == ["b1"]
    assert m.matching("Сбербанк: вакансия, кредит", "vk") == []
    assert m.matching("нечто", "vk") == []


def test_russian_operators_and_guillemets_work_too():
    m = matcher(expression="«Сбер Банк» ИЛИ сбербанк И НЕ вакансия")
    assert m.matching("Сбер банку спасибо", "vk") == ["b1"]
    assert m.matching("Сбербанк вакансии", "vk") == []


def test_rules_limited_to_networks_only_match_there():
    m = BrandMatcher.of([BrandRule(rule_id="vk", name="VK", include=["сбербанк"], networks=["vk"]),
                         BrandRule(rule_id="all", name="All", include=["сбер"])])
    assert m.matching("Сбербанк", "x") == []
    assert m.matching("Сбербанк", "vk") == ["vk"]
    assert m.matching("Сбер", "x") == ["all"]


def test_without_usable_rules_every_mention_is_the_brands():
    assert BrandMatcher.of([]).is_brand("что угодно", "vk")
    disabled = BrandRule(rule_id="b", name="off", include=["сбербанк"], enabled=False)
    assert BrandMatcher.of([disabled]).is_brand("что угодно", "vk")


def test_a_broken_rule_is_reported_and_skipped_while_others_work():
    rules = [BrandRule(rule_id="bad", name="Сломанное", include=["x"], expression="сбер AND (кредит"),
             BrandRule(rule_id="ok", name="Рабочее", include=["сбербанк"])]
    m = BrandMatcher.of(rules)
    assert m.matching("Сбербанк кредит", "vk") == ["ok"]
    assert len(m.errors) == 1 and "Сломанное" in m.errors[0] and "never closed" in m.errors[0]
    assert check(rules) == m.errors


@pytest.mark.parametrize("text", ["", "😀😀😀", "x" * 100_000, "Сбербанк " * 20_000, "\u200b" * 1000,
                                  "<script>alert(1)</script>", "Сбер\x00банк", "ﷺ ꙮ 𒀀 Ｓｂｅｒ"])
def test_bad_input_never_crashes_matching(text):
    m = matcher(expression='сбербанк OR "sber bank" OR сбер* AND NOT вакансия')
    assert isinstance(m.matching(text, "vk"), list)


# --- the expression parser ------------------------------------------------------------------------

def test_not_binds_tighter_than_and_and_and_tighter_than_or():
    assert parse("a OR NOT b AND c") == Or((Term("a"), And((Not(Term("b")), Term("c")))))
    assert parse("(a OR b) AND c") == And((Or((Term("a"), Term("b"))), Term("c")))
    assert parse('"sber bank" OR «Сбер Банк»') == Or((Term("sber bank"), Term("Сбер Банк")))


def test_lower_case_operators_are_words():
    with pytest.raises(ExpressionError, match="two terms without an operator"):
        parse("black and decker")
    assert parse('"black and decker"') == Term("black and decker")


@pytest.mark.parametrize("source, message, position", [
    ("", "empty", 1),
    ("   ", "empty", 1),
    ("сбер банк", "two terms without an operator", 6),
    ("(сбер OR банк", "never closed", 1),
    ("сбер)", "closing parenthesis has no opening", 5),
    ("сбер AND", "ends where a word", 9),
    ("AND сбер", "cannot start the expression", 1),
    ("сбер AND OR банк", "cannot start the expression or follow another operator", 10),
    ('"сбер банк', "never closed", 1),
    ('""', "no letters", 1),
    ("()", "empty parentheses", 2),
    ("сбер (банк)", "missing AND or OR", 6),
    ("сбер + банк", "unexpected character", 6),
    ("(" * 60 + "a" + ")" * 60, "nested", 51),
])
def test_bad_expressions_are_refused_with_a_position_and_a_hint(source, message, position):
    with pytest.raises(ExpressionError) as caught:
        parse(source)
    assert message in caught.value.message
    assert caught.value.position == position


@pytest.mark.parametrize("term, message", [("!!!", "no letters"), ("сб*", "at least 3 letters")])
def test_unusable_terms_are_refused(term, message):
    with pytest.raises(ValueError, match=message):
        compile_term(term)
