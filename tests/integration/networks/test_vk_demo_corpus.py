"""The demo corpus every emulator draws from (kept beside the VK tests: it is plain code, no server needed)."""
from __future__ import annotations

import random
from collections import Counter

import pytest

from chorus.emulators import demo_texts


def test_there_are_a_few_hundred_templates_mostly_russian() -> None:
    ru, en = demo_texts.templates("ru"), demo_texts.templates("en")
    assert len(ru) + len(en) >= 280 and len(ru) > 3 * len(en)
    assert len({t.text for t in ru + en}) == len(ru) + len(en), "no template twice"


@pytest.mark.parametrize("kind", demo_texts.KINDS)
def test_samples_are_filled_in_and_mix_languages_and_sentiments(kind: str) -> None:
    rng = random.Random(11)
    samples = [demo_texts.sample(rng, kind, "Zerno") for _ in range(1500)]
    assert not any("{" in s.text or "}" in s.text for s in samples)
    langs = Counter(s.lang for s in samples)
    assert 0.72 < langs["ru"] / len(samples) < 0.88
    for lang in ("ru", "en"):
        assert {s.sentiment for s in samples if s.lang == lang} == {"positive", "neutral", "negative"}
    if kind == "mention":
        assert sum("Zerno" in s.text for s in samples) > len(samples) * 0.8, "mentions name the brand"


def test_unusual_texts_can_be_mixed_in() -> None:
    rng = random.Random(3)
    samples = [demo_texts.sample(rng, "comment", "Zerno", unusual_share=0.5) for _ in range(200)]
    assert any("<script>" in s.text for s in samples) and any(len(s.text) > 1000 for s in samples)
    assert any("\u0645" in s.text for s in samples), "a right-to-left text"


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="kind must be one of"):
        demo_texts.sample(random.Random(1), "tweet", "Zerno")


def test_names_agree_with_the_language() -> None:
    rng = random.Random(2)
    first, last = demo_texts.person(rng, "ru")
    assert first.isalpha() and last.isalpha() and not first.isascii()
    assert demo_texts.person(rng, "en")[0].isascii()
