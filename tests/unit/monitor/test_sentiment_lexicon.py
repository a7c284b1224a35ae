"""The packaged lexicons are consistent with the code that reads them."""
from __future__ import annotations

from chorus.monitor.sentiment.keys import PREFIX, lexicon_prefixes
from chorus.monitor.sentiment.lexicon import emoji_valences, lexicon


def test_every_valence_is_on_the_minus_four_to_four_scale():
    for language in ("ru", "en"):
        lex = lexicon(language)
        values = list(lex.words.values()) + [v for items in lex.phrases.values() for _, v in items]
        assert values and all(-4.0 <= v <= 4.0 for v in values)
    assert all(-4.0 <= v <= 4.0 for v in emoji_valences().values())


def test_every_russian_key_is_covered_by_the_lemmatisation_prefixes():
    lex = lexicon("ru")
    words = set(lex.words) | {w for items in lex.phrases.values() for keys, _ in items for w in keys}
    words |= set(lex.negators) | set(lex.boosters)
    cyrillic = {w for w in words if "\u0400" <= w[0] <= "\u04ff" and len(w) > PREFIX}
    assert cyrillic and all(w[:PREFIX] in lexicon_prefixes() for w in cyrillic)


def test_keys_are_lower_case_without_yo():
    for language in ("ru", "en"):
        for key in lexicon(language).words:
            assert key == key.lower() and "ё" not in key, key
