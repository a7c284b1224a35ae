"""Full-text search over Russian and English: one lemmatised column, indexed the same way on both engines.

Choice: rather than PostgreSQL's ``russian``/``english`` text-search configurations (which need the
language of each text, and have no SQLite counterpart), every text is reduced to lemmas before it is
stored: Cyrillic words through pymorphy3's dictionary (``комментариями`` -> ``комментарий``), Latin words
through the Snowball English stemmer (``replies`` -> ``repli``), numbers kept as they are. The query goes
through the same function, so "отзывы" finds "отзыв", "отзывом", "отзывов" and "Refunds" finds "refund".
SQLite indexes the column with FTS5 (``unicode61`` tokenizer); PostgreSQL with a GIN index over
``to_tsvector('simple', lemmas)``. The last query word also matches as a prefix, for search-as-you-type.
"""
from __future__ import annotations

import functools
import re

_WORD = re.compile(r"[0-9a-zа-яё]+", re.IGNORECASE)
_CYRILLIC = re.compile(r"[а-яё]")
MAX_QUERY_WORDS = 8


@functools.cache
def _morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@functools.cache
def _stemmer():
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer("english")


@functools.lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The dictionary form (Russian) or stem (English) of one lower-case word."""
    if _CYRILLIC.search(word):
        return _morph().parse(word.replace("ё", "е"))[0].normal_form.replace("ё", "е")
    if word.isdigit():
        return word
    return _stemmer().stem(word)


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text or "")]


def lemmatise(text: str) -> str:
    """The text as space-separated lemmas, for the search column."""
    return " ".join(lemma(w) for w in words(text))


def query_terms(query: str) -> list[str]:
    """The lemmas a query looks for (all must occur), at most ``MAX_QUERY_WORDS``."""
    found: list[str] = []
    for w in words(query)[:MAX_QUERY_WORDS]:
        term = lemma(w)
        if term not in found:
            found.append(term)
    return found


def fts5_query(terms: list[str], *, prefix_last: bool = True) -> str:
    """An FTS5 MATCH expression: every term, each quoted (terms are [0-9a-zа-я]+ so quoting is safe)."""
    parts = [f'"{t}"' for t in terms]
    if prefix_last and parts:
        parts[-1] += "*"
    return " AND ".join(parts)


def fts5_scoped(terms: list[str], workspaces: list[str]) -> str:
    """An FTS5 expression for the terms within the given workspaces (ids split into words as FTS5 does)."""
    scopes = " OR ".join('"' + " ".join(re.findall(r"[0-9a-z]+", w.lower())) + '"' for w in workspaces)
    return f"lemmas : ({fts5_query(terms)}) AND workspace_id : ({scopes})"


def lemma_needles(terms: list[str], *, prefix_last: bool = True) -> list[str]:
    """Substrings of ``" " + lemmas + " "`` that all occur exactly when the text has every term (the last as a
    prefix): the same test as the FTS5 and ``tsquery`` expressions, for a walk that reads the lemmas itself."""
    needles = [f" {t} " for t in terms]
    if prefix_last and needles:
        needles[-1] = needles[-1][:-1]
    return needles


def tsquery(terms: list[str], *, prefix_last: bool = True) -> str:
    """A PostgreSQL ``to_tsquery('simple', ...)`` expression for the same terms."""
    parts = list(terms)
    if prefix_last and parts:
        parts[-1] += ":*"
    return " & ".join(parts)
