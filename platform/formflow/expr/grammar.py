"""From source text to syntax nodes: the grammar file, the cached parser, the transformer.

The grammar lives in ``expr.lark`` beside this module (:func:`grammar_path`); the parser is
built on first use and cached for the life of the process (never at import time).
:class:`ExprTransformer` turns lark's parse tree into :mod:`formflow.expr.nodes`; it is public
so that the flow DSL can embed the expression grammar (see the package docstring).

:func:`parse` never lets a lark exception out: syntax errors become a
:class:`~formflow.errors.SourceError` whose diagnostic carries a friendly message (see
:mod:`formflow.expr.syntax_errors`), the 1-based line and column of the offending token.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedInput, VisitError

from formflow.errors import Diagnostic, SourceError
from formflow.expr import nodes
from formflow.expr.nodes import Node, Span
from formflow.expr.syntax_errors import describe_syntax_error
from formflow.i18n import _

#: Longest expression text accepted, in characters.
MAX_SOURCE_LENGTH = 20_000
#: Deepest nesting of the syntax tree (parentheses, operators, calls) accepted.
MAX_DEPTH = 100

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0"}


def grammar_path() -> Path:
    """The ``expr.lark`` file; a host grammar adds its folder to ``import_paths``."""
    return Path(__file__).with_name("expr.lark")


@functools.cache
def parser() -> Lark:
    """The LALR parser for a whole expression, built once per process on first use."""
    return Lark(
        grammar_path().read_text(encoding="utf-8"),
        start="expression",
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=True,
    )


def _span(meta: Any) -> Span:
    if getattr(meta, "empty", True):
        return nodes.NO_SPAN
    return Span(meta.line, meta.column, meta.end_line, meta.end_column)


def _token_span(token: Token) -> Span:
    return Span(
        token.line or 1,
        token.column or 1,
        token.end_line or token.line or 1,
        token.end_column or (token.column or 1) + len(token.value),
    )


def unquote(literal: str) -> str:
    """The text of a string literal: quotes removed, escapes and doubled quotes resolved."""
    quote, body = literal[0], literal[1:-1]
    out: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            follower = body[index + 1]
            hex_digits = body[index + 2 : index + 6]
            if (
                follower == "u"
                and len(hex_digits) == 4
                and all(c in "0123456789abcdefABCDEF" for c in hex_digits)
            ):
                out.append(chr(int(hex_digits, 16)))
                index += 6
                continue
            out.append(_ESCAPES.get(follower, "\\" + follower))
            index += 2
            continue
        if char == quote and body[index + 1 : index + 2] == quote:
            out.append(quote)
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _present(children: list[Any]) -> list[Any]:
    """Children without the ``None`` placeholders of optional parts."""
    return [child for child in children if child is not None]


@v_args(meta=True)
class ExprTransformer(Transformer[Token, Node]):
    """Builds :mod:`formflow.expr.nodes` from the parse tree of ``expr.lark``.

    Uses token *values*, never token types, so it works unchanged on the ``expr__``-prefixed
    trees of a host grammar.
    """

    def number(self, meta: Any, children: list[Token]) -> Node:
        return nodes.Number(Decimal(children[0].value), span=_span(meta))

    def string(self, meta: Any, children: list[Token]) -> Node:
        text = unquote(children[0].value)
        if "\0" in text:
            # Nobody writes one on purpose, and PostgreSQL cannot store or compare it in text.
            span = _span(meta)
            raise SourceError(
                [
                    Diagnostic(
                        _("A text may not contain the NUL character (\\0 or \\u0000)."),
                        line=span.line,
                        column=span.column,
                        code="nul_character",
                    )
                ]
            )
        return nodes.String(text, span=_span(meta))

    def true(self, meta: Any, children: list[Token]) -> Node:
        return nodes.Boolean(True, span=_span(meta))

    def false(self, meta: Any, children: list[Token]) -> Node:
        return nodes.Boolean(False, span=_span(meta))

    def null(self, meta: Any, children: list[Token]) -> Node:
        return nodes.Null(span=_span(meta))

    def name(self, meta: Any, children: list[Token]) -> Node:
        return nodes.Name(children[0].value, span=_span(meta))

    def arguments(self, meta: Any, children: list[Any]) -> tuple[Node, ...]:
        return tuple(child for child in children if isinstance(child, Node))

    def call(self, meta: Any, children: list[Any]) -> Node:
        present = _present(children)
        args: tuple[Node, ...] = present[1] if len(present) > 1 else ()
        return nodes.Call(present[0].value.lower(), args, span=_span(meta))

    def list_of(self, meta: Any, children: list[Any]) -> Node:
        present = _present(children)
        items: tuple[Node, ...] = present[0] if present else ()
        return nodes.ListOf(items, span=_span(meta))

    def member(self, meta: Any, children: list[Any]) -> Node:
        return nodes.Member(children[0], children[1].value, span=_span(meta))

    def each(self, meta: Any, children: list[Any]) -> Node:
        return nodes.Each(children[0], span=_span(meta))

    def minus(self, meta: Any, children: list[Any]) -> Node:
        return nodes.Unary("-", children[1], span=_span(meta))

    def negation(self, meta: Any, children: list[Any]) -> Node:
        return nodes.Unary("not", children[1], span=_span(meta))

    def arithmetic(self, meta: Any, children: list[Any]) -> Node:
        left, op, right = children
        return nodes.Binary(op.value, left, right, span=_span(meta))

    def logical(self, meta: Any, children: list[Any]) -> Node:
        left, op, right = children
        return nodes.Binary(op.value.lower(), left, right, span=_span(meta))

    def compare(self, meta: Any, children: list[Any]) -> Node:
        left, op, right = children
        symbol = {"==": "=", "<>": "!="}.get(op.value, op.value)
        return nodes.Binary(symbol, left, right, span=_span(meta))

    def membership(self, meta: Any, children: list[Any]) -> Node:
        op = "not in" if len(children) == 4 else "in"
        return nodes.Binary(op, children[0], children[-1], span=_span(meta))


def tree_depth(tree: Tree[Token]) -> int:
    """The nesting depth of a parse tree, computed without recursion."""
    deepest = 0
    stack: list[tuple[Tree[Token], int]] = [(tree, 1)]
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        for child in current.children:
            if isinstance(child, Tree):
                stack.append((child, depth + 1))
    return deepest


def ensure_depth(tree: Tree[Token], source: str | None = None) -> None:
    """Raise :class:`SourceError` when ``tree`` nests deeper than :data:`MAX_DEPTH`.

    A host grammar calls this on the expression subtrees it embeds before transforming them,
    so that a crafted text cannot exhaust the Python stack in the transformer or checker.
    """
    if tree_depth(tree) > MAX_DEPTH:
        line = tree.meta.line if not tree.meta.empty else 1
        column = tree.meta.column if not tree.meta.empty else 1
        raise SourceError(
            [
                Diagnostic(
                    _(
                        "This expression is nested too deeply (more than {limit} levels). "
                        "Split it into several computed fields.",
                        limit=MAX_DEPTH,
                    ),
                    line=line,
                    column=column,
                    code="too_deep",
                    source=source,
                )
            ]
        )


def parse(source: str) -> Node:
    """Parse one expression into its syntax tree.

    Raises :class:`~formflow.errors.SourceError` with one diagnostic (line, column, a friendly
    message) when the text is not a valid expression, is empty, too long or nested too deeply.
    """
    if len(source) > MAX_SOURCE_LENGTH:
        raise SourceError(
            [
                Diagnostic(
                    _(
                        "This expression is {length} characters long; the limit is {limit}. "
                        "Split it into several computed fields.",
                        length=len(source),
                        limit=MAX_SOURCE_LENGTH,
                    ),
                    code="too_long",
                )
            ]
        )
    try:
        tree = parser().parse(source)
    except UnexpectedInput as error:
        raise SourceError([describe_syntax_error(source, error, parser().parse)]) from None
    ensure_depth(tree)
    try:
        return ExprTransformer().transform(tree)
    except VisitError as error:
        if isinstance(error.orig_exc, SourceError):  # a text with a NUL character
            raise error.orig_exc from None
        raise SourceError(  # pragma: no cover - no other failing path
            [Diagnostic(_("This expression could not be read."), code="syntax")]
        ) from error
