"""Which language a text is in: Russian and English, neighbours that must not pass for them, nothing."""
from __future__ import annotations

import pytest

from chorus.monitor.sentiment import classify, detect_language


@pytest.mark.parametrize("text", [
    "Спасибо большое!", "Класс", "ок", "Привет, как дела?", "Где мой заказ",
    "Доставили быстро, всё отлично, буду заказывать ещё", "ЖДУ ОТВЕТА",
])
def test_russian_is_russian(text):
    assert detect_language(text) == "ru"


@pytest.mark.parametrize("text", ["I love it", "lol", "ok thanks", "Where is my order?", "wow"])
def test_english_is_english(text):
    assert detect_language(text) == "en"


@pytest.mark.parametrize("text", [
    "Дякую, все добре", "Привіт, як справи?", "Це дуже погано", "Коли буде замовлення?",
    "Дуже дякую за швидку доставку",
])
def test_ukrainian_is_not_russian(text):
    assert detect_language(text) == "uk"
    assert classify(text).language == "other"


@pytest.mark.parametrize("text, code", [
    ("Здравей, много благодаря, това е страхотно", "bg"),
    ("Хвала, ово је добро", "sr"),
    ("Рахмет, бәрі жақсы", "kk"),
    ("Дзякуй, вельмі добра", "be"),
    ("Danke schön, sehr gut", "de"),
    ("Gracias por todo", "es"),
    ("Καλημέρα σας", "el"),
    ("谢谢你", "zh"),
])
def test_other_languages_are_marked_other(text, code):
    assert detect_language(text) == code
    assert classify(text).language == "other"


def test_other_language_is_neutral_whatever_it_says():
    result = classify("Дуже погано, жахливий сервіс 😡")
    assert (result.label, result.score, result.language) == ("neutral", 0.0, "other")


@pytest.mark.parametrize("text", ["", "😀😀😀", ":)", "!!! ???", "https://t.co/abc @user", "123"])
def test_nothing_to_tell_by_is_unknown(text):
    assert classify(text).language == "unknown"


def test_mixed_text_takes_the_dominant_language():
    assert detect_language("Love this brand, но доставка ужасно медленная и дорогая") == "ru"
    assert detect_language("Ordered a new phone from the shop, delivery was fast, спасибо") == "en"


def test_a_russian_text_with_a_ukrainian_word_stays_russian():
    assert detect_language("Спасибо, дуже приятно было получить заказ") == "ru"


def test_transliterated_russian_is_not_english():
    assert classify("privet, kak dela? vse horosho").language == "other"
