"""Brand-mention rules: which found mentions are the brand's, matching Russian and English word forms.

A term is a word or a phrase. Each word matches every form of itself: Russian words through their
pymorphy3 lemmas ("Сбербанк" matches "Сбербанка", "Сбербанку", "#сбербанк"), English words through a
light plural/possessive folding ("bank" matches "banks", "bank's"). A word ending in ``*`` matches every
word that starts with it ("сбер*": "сбербанк", "сберу"). A phrase matches its words in order, side by
side, whatever punctuation stands between them ("sber bank" matches "Sber-Bank"). Case, "ё"/"е",
hashtags, @-handles, HTML tags and zero-width characters make no difference.

A rule matches when any ``include`` term occurs, every ``require`` term occurs and no ``exclude`` term
occurs; or, when it has an ``expression``, when the expression is true (see ``expression.py``).

Simplifications, chosen on purpose:
- A word matches when its lemma set and the text word's lemma set share a lemma. Ambiguous forms match
  both readings ("банка" is a jar or the genitive of "банк"); brand names are rarely ambiguous, and an
  exclusion handles the rest.
- Only the first ``MAX_CHARS`` characters of a text are read, so a 100,000-character paste costs no more
  than a long post.
- A rule that cannot be compiled (a bad expression, a term without letters) is skipped and reported by
  ``BrandMatcher.errors``; a workspace whose rules all fail behaves as one without rules.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from chorus.events import BrandRule, Network
from chorus.monitor.expression import And, ExpressionError, Node, Not, Or, Term, parse
from chorus.monitor.sentiment.lemmas import LEMMATISER

MAX_CHARS = 20_000
MIN_PREFIX = 3

_TAG = re.compile(r"</?[A-Za-z][^<>]{0,500}>")
_WORD = re.compile(r"[^\W_]+(?:\*)?")
_INVISIBLE = dict.fromkeys([0x00AD, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF,
                            0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069])
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-z]")
_TO_CYRILLIC = str.maketrans("aceopxykmthb", "асеорхукмтнв")
_TO_LATIN = str.maketrans("асеорхукмтнв", "aceopxykmthb")


class RuleError(ValueError):
    """A brand rule that cannot be used, with the rule's id and name in the message."""


@lru_cache(maxsize=100_000)
def word_keys(word: str) -> frozenset[str]:
    """Every form a lower-case word stands for: itself and its lemmas (Russian) or its singular (English)."""
    keys = {word}
    if _CYRILLIC.search(word):
        keys.update(LEMMATISER.lemmas(word))
    elif _LATIN.search(word) and len(word) > 3:
        for ending in ("'s", "’s", "ies", "es", "s"):
            if word.endswith(ending):
                stem = word[: -len(ending)]
                keys.add(stem + "y" if ending == "ies" else stem)
                if ending == "es":
                    keys.add(word[:-1])
                break
    return frozenset(keys)


def words(text: str) -> list[str]:
    """The words of a text, lower case, "ё" as "е", look-alike letters of a mixed-script word unified."""
    text = html.unescape(_TAG.sub(" ", text[:MAX_CHARS])).translate(_INVISIBLE).lower().replace("ё", "е")
    return [_one_script(m.group()) for m in _WORD.finditer(text)]


def _one_script(word: str) -> str:
    # "Cбербанк" typed with a Latin C: spam and some keyboards mix look-alike letters inside one word.
    if word.isascii() or not _LATIN.search(word):
        return word
    cyrillic = len(_CYRILLIC.findall(word))
    latin = len(_LATIN.findall(word))
    return word.translate(_TO_CYRILLIC if cyrillic >= latin else _TO_LATIN)


@dataclass(frozen=True)
class _Word:
    keys: frozenset[str] = frozenset()
    prefix: str | None = None

    def matches(self, surface: str, keys: frozenset[str]) -> bool:
        if self.prefix is not None:
            return surface.startswith(self.prefix)
        return not self.keys.isdisjoint(keys)


@dataclass(frozen=True)
class Phrase:
    """One compiled term: its words in order."""

    source: str
    words: tuple[_Word, ...]


def compile_term(term: str) -> Phrase:
    found = words(term.strip().strip('"«»“”„'))
    if not found:
        raise RuleError(f"the term {term!r} has no letters or digits")
    compiled = []
    for word in found:
        if word.endswith("*"):
            prefix = word[:-1]
            if len(prefix) < MIN_PREFIX:
                raise RuleError(f"the term {term!r}: a wildcard needs at least {MIN_PREFIX} letters before *")
            compiled.append(_Word(prefix=prefix))
        else:
            compiled.append(_Word(keys=word_keys(word)))
    return Phrase(term, tuple(compiled))


class Text:
    """A text prepared for matching many terms: its words, their forms and where each form occurs."""

    def __init__(self, text: str) -> None:
        self.surfaces = [w.rstrip("*") for w in words(text if isinstance(text, str) else "")]
        self.keys = [word_keys(w) for w in self.surfaces]
        self._where: dict[str, list[int]] | None = None

    def _positions(self, word: _Word) -> list[int]:
        if word.prefix is not None:
            return [i for i, surface in enumerate(self.surfaces) if surface.startswith(word.prefix)]
        if self._where is None:
            self._where = {}
            for i, keys in enumerate(self.keys):
                for key in keys:
                    self._where.setdefault(key, []).append(i)
        found = {i for key in word.keys for i in self._where.get(key, ())}
        return sorted(found)

    def contains(self, phrase: Phrase) -> bool:
        first, rest = phrase.words[0], phrase.words[1:]
        last_start = len(self.surfaces) - len(phrase.words)
        for start in self._positions(first):
            if start <= last_start and all(word.matches(self.surfaces[start + 1 + k], self.keys[start + 1 + k])
                                           for k, word in enumerate(rest)):
                return True
        return False


@dataclass(frozen=True)
class CompiledRule:
    rule_id: str
    networks: frozenset[str]
    include: tuple[Phrase, ...] = ()
    require: tuple[Phrase, ...] = ()
    exclude: tuple[Phrase, ...] = ()
    expression: object | None = None  # a tree of expression nodes whose terms are Phrases

    def matches(self, text: Text) -> bool:
        if self.expression is not None:
            return _evaluate(self.expression, text)
        return (any(text.contains(p) for p in self.include)
                and all(text.contains(p) for p in self.require)
                and not any(text.contains(p) for p in self.exclude))


def compile_rule(rule: BrandRule) -> CompiledRule:
    """Compile one rule; raises ``RuleError`` naming the rule and the problem."""
    try:
        networks = frozenset(n.value for n in rule.networks)
        if rule.expression is not None and rule.expression.strip():
            return CompiledRule(rule.rule_id, networks, expression=_compile_node(parse(rule.expression)))
        return CompiledRule(rule.rule_id, networks, include=tuple(compile_term(t) for t in rule.include),
                            require=tuple(compile_term(t) for t in rule.require),
                            exclude=tuple(compile_term(t) for t in rule.exclude))
    except (ExpressionError, RuleError) as exc:
        raise RuleError(f"brand rule {rule.name!r} ({rule.rule_id}): {exc}") from exc


def _compile_node(node: Node) -> object:
    if isinstance(node, Term):
        return compile_term(node.text)
    if isinstance(node, Not):
        return Not(_compile_node(node.operand))
    return type(node)(tuple(_compile_node(n) for n in node.operands))


def _evaluate(node: object, text: Text) -> bool:
    if isinstance(node, Phrase):
        return text.contains(node)
    if isinstance(node, Not):
        return not _evaluate(node.operand, text)
    if isinstance(node, And):
        return all(_evaluate(n, text) for n in node.operands)
    assert isinstance(node, Or)
    return any(_evaluate(n, text) for n in node.operands)


@dataclass
class BrandMatcher:
    """A workspace's enabled brand rules, compiled. With no usable rule, every mention is the brand's."""

    rules: list[CompiledRule] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, rules: Iterable[BrandRule]) -> BrandMatcher:
        matcher = cls()
        for rule in rules:
            if not rule.enabled:
                continue
            try:
                matcher.rules.append(compile_rule(rule))
            except RuleError as exc:
                matcher.errors.append(str(exc))
        return matcher

    def matching(self, text: str, network: Network | str) -> list[str]:
        """Ids of the rules the text matches on that network (rules limited to other networks are skipped)."""
        prepared = Text(text)
        net = network.value if isinstance(network, Network) else network
        return [r.rule_id for r in self.rules if (not r.networks or net in r.networks) and r.matches(prepared)]

    def is_brand(self, text: str, network: Network | str) -> bool:
        return not self.rules or bool(self.matching(text, network))


def check(rules: Sequence[BrandRule]) -> list[str]:
    """The problems of a rule set, one readable line per broken rule (empty when all are usable)."""
    return BrandMatcher.of(rules).errors
