"""Boolean expressions of brand rules: terms combined with AND, OR, NOT and parentheses.

    "сбербанк" AND (кредит OR ипотека) AND NOT "вакансия"
    («Сбер Банк» ИЛИ сбербанк) И НЕ вакансия

Grammar (NOT binds tighter than AND, AND tighter than OR)::

    expression := or
    or         := and (OR and)*
    and        := unary (AND unary)*
    unary      := NOT unary | "(" or ")" | term
    term       := a quoted phrase ("..." or «...») or one bare word (letters, digits, - . ' @ # and a final *)

Operators are the upper-case words AND, OR, NOT or И, ИЛИ, НЕ; in lower case they are ordinary words
("Black and Decker" must be quoted). Two terms side by side without an operator are an error rather than
a guess, because users mean a phrase as often as they mean AND. Parsing is pure and raises
``ExpressionError`` with the 1-based character position and a hint how to fix it.
"""
from __future__ import annotations

from dataclasses import dataclass

MAX_LENGTH = 2000
MAX_DEPTH = 50

_OPERATORS = {"AND": "AND", "И": "AND", "OR": "OR", "ИЛИ": "OR", "NOT": "NOT", "НЕ": "NOT"}
_QUOTES = {'"': '"', "«": "»", "“": "”", "„": "“"}
_BARE_EXTRA = set("-.'’@#*_")


class ExpressionError(ValueError):
    """An expression cannot be parsed; ``position`` is the 1-based character where the problem is."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at character {position})")
        self.message = message
        self.position = position


@dataclass(frozen=True)
class Term:
    text: str


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class And:
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Node, ...]


Node = Term | Not | And | Or


@dataclass(frozen=True)
class _Token:
    kind: str  # TERM, AND, OR, NOT, LPAREN, RPAREN, END
    text: str
    position: int  # 1-based


def parse(source: str) -> Node:
    """Parse an expression into a tree of ``Term``, ``Not``, ``And`` and ``Or`` nodes."""
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError("the expression is empty: write at least one word or \"quoted phrase\"", 1)
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"the expression is longer than {MAX_LENGTH} characters", MAX_LENGTH + 1)
    return _Parser(_tokens(source)).parse()


def terms(node: Node) -> list[str]:
    """Every term of an expression, in order of appearance (negated ones too)."""
    if isinstance(node, Term):
        return [node.text]
    if isinstance(node, Not):
        return terms(node.operand)
    return [t for operand in node.operands for t in terms(operand)]


def _tokens(source: str) -> list[_Token]:
    out: list[_Token] = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            out.append(_Token("LPAREN" if ch == "(" else "RPAREN", ch, i + 1))
            i += 1
        elif ch in _QUOTES:
            close = source.find(_QUOTES[ch], i + 1)
            if close < 0:
                raise ExpressionError(f"the quote {ch} is never closed: add {_QUOTES[ch]} after the phrase", i + 1)
            phrase = source[i + 1:close].strip()
            if not any(c.isalnum() for c in phrase):
                raise ExpressionError("a quoted phrase has no letters or digits", i + 1)
            out.append(_Token("TERM", phrase, i + 1))
            i = close + 1
        elif ch.isalnum() or ch in _BARE_EXTRA:
            start = i
            while i < n and (source[i].isalnum() or source[i] in _BARE_EXTRA):
                i += 1
            word = source[start:i]
            operator = _OPERATORS.get(word)
            if operator:
                out.append(_Token(operator, word, start + 1))
            elif not any(c.isalnum() for c in word):
                raise ExpressionError(f"{word!r} is not a word", start + 1)
            else:
                out.append(_Token("TERM", word, start + 1))
        else:
            raise ExpressionError(f"unexpected character {ch!r}: put phrases with punctuation in quotes", i + 1)
    out.append(_Token("END", "", n + 1))
    return out


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.i]

    def parse(self) -> Node:
        node = self._or()
        token = self.current
        if token.kind == "RPAREN":
            raise ExpressionError("a closing parenthesis has no opening one", token.position)
        if token.kind == "TERM":
            previous = self.tokens[self.i - 1]
            raise ExpressionError(
                f"two terms without an operator between them ({previous.text!r} and {token.text!r}): write "
                f"\"{previous.text} {token.text}\" in quotes for a phrase, or join them with AND or OR",
                token.position)
        if token.kind == "NOT" or token.kind == "LPAREN":
            raise ExpressionError(f"missing AND or OR before {token.text!r}", token.position)
        return node

    def _or(self) -> Node:
        operands = [self._and()]
        while self.current.kind == "OR":
            self.i += 1
            operands.append(self._and())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def _and(self) -> Node:
        operands = [self._unary()]
        while self.current.kind == "AND":
            self.i += 1
            operands.append(self._unary())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def _unary(self) -> Node:
        token = self.current
        if token.kind == "NOT":
            self.i += 1
            return Not(self._nested(self._unary, token.position))
        if token.kind == "LPAREN":
            self.i += 1
            node = self._nested(self._or, token.position)
            if self.current.kind != "RPAREN":
                raise ExpressionError("the parenthesis opened here is never closed", token.position)
            self.i += 1
            return node
        if token.kind == "TERM":
            self.i += 1
            return Term(token.text)
        if token.kind == "END":
            raise ExpressionError("the expression ends where a word or phrase was expected", token.position)
        if token.kind == "RPAREN":
            raise ExpressionError("empty parentheses, or a parenthesis closed right after an operator",
                                  token.position)
        raise ExpressionError(f"{token.text!r} cannot start the expression or follow another operator: "
                              "write a word or phrase before it", token.position)

    def _nested(self, rule, position: int) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(f"more than {MAX_DEPTH} nested parentheses or NOTs", position)
        try:
            return rule()
        finally:
            self.depth -= 1
