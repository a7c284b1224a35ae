"""classify() on hostile and odd input: it answers, in bounded time, and never raises."""
from __future__ import annotations

import random
import time

import pytest

from chorus.monitor.sentiment import classify
from chorus.monitor.sentiment.cleaning import MAX_TEXT_CHARS, clean


def test_empty_text_is_neutral_and_unknown():
    assert classify("") == classify("   \n\t ")
    result = classify("")
    assert (result.label, result.score, result.language) == ("neutral", 0.0, "unknown")


def test_non_text_is_treated_as_empty():
    assert classify(None).label == "neutral"  # type: ignore[arg-type]
    assert classify(b"bytes").language == "unknown"  # type: ignore[arg-type]


def test_emoji_only_text_takes_the_emoji_sentiment():
    assert (classify("😍🔥👍").label, classify("😍🔥👍").language) == ("positive", "unknown")
    assert classify("😡👎").label == "negative"
    assert classify("🤷").label == "neutral"


def test_emoji_with_skin_tone_is_recognised():
    assert classify("👍🏽").label == "positive"


def test_punctuation_links_and_mentions_only_are_unknown():
    for text in ("?!...", "https://example.com/a?b=c", "@brand @support", "12345 678"):
        assert classify(text).language == "unknown"
        assert classify(text).label == "neutral"


def test_hashtag_words_count():
    assert classify("#отстой").label == "negative"


def test_html_tags_and_entities_are_removed():
    cleaned = clean("<p>Отличный&nbsp;товар &amp; сервис</p><script>alert('ужасно')</script><!-- x -->")
    assert "Отличный товар & сервис" in cleaned
    assert "<" not in cleaned and "alert" not in cleaned and "x" not in cleaned
    assert classify("<b>Ужасно</b> <i>медленно</i>").label == "negative"


def test_zero_width_characters_do_not_split_words():
    assert classify("су\u200bпер").label == "positive"
    assert classify("\u200b\u200c\ufeff").language == "unknown"


def test_mixed_look_alike_letters_are_read_as_one_script():
    assert classify("спаcибо, отлично").label == "positive"  # Latin "c" inside a Russian word


def test_very_long_text_is_bounded():
    text = ("Отличный товар, спасибо! " * 5000)[:100_000]
    start = time.perf_counter()
    result = classify(text)
    assert time.perf_counter() - start < 0.5
    assert result.label == "positive"
    assert len(clean(text)) <= MAX_TEXT_CHARS


def test_long_text_without_spaces_is_bounded():
    start = time.perf_counter()
    classify("а" * 100_000)
    classify("<" * 100_000)
    classify("&" * 100_000)
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("seed", range(3))
def test_random_unicode_never_raises(seed):
    rng = random.Random(seed)
    alphabet = "аб вгд!?)(:;<>&#@ \u200b😀👍🏻\u0301\u202eabc\x00\ud7ff日本ї" + "".join(map(chr, range(32, 127)))
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        result = classify(text)
        assert result.label in ("positive", "neutral", "negative")
        assert -1.0 <= result.score <= 1.0
