"""From flow source text to the syntax tree (:mod:`formflow.dsl.ast`).

The grammar is ``flow.lark`` beside this module; it ``%import``s the expression grammar of
:mod:`formflow.expr`, whose nodes are built by ``ExprTransformer`` merged into ours with
:func:`lark.visitors.merge_transformers`. The parser is built once per process on first use.

:func:`parse_flow_file` never lets a lark exception out: a syntax error becomes a
:class:`~formflow.errors.SourceError` with one friendly diagnostic (see
:mod:`formflow.dsl.syntax_errors`).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedInput, VisitError
from lark.visitors import merge_transformers

from formflow.dsl import ast
from formflow.dsl.syntax_errors import describe_syntax_error
from formflow.dsl.transform_steps import parse_duration
from formflow.dsl.transformer import SOURCE, FlowTransformer
from formflow.errors import Diagnostic, SourceError
from formflow.expr import ExprTransformer, grammar_path
from formflow.i18n import _

#: Longest flow file accepted, in characters (a 500-step flow is about 60,000).
MAX_SOURCE_LENGTH = 1_000_000
#: Deepest nesting of braces and parentheses (blocks, mappings, calls) accepted.
MAX_NESTING = 60


def flow_grammar_path() -> Path:
    """The ``flow.lark`` file."""
    return Path(__file__).with_name("flow.lark")


@functools.cache
def parser() -> Lark:
    """The LALR parser for flow files, built once per process on first use."""
    return Lark(
        flow_grammar_path().read_text(encoding="utf-8"),
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=True,
        import_paths=[grammar_path().parent],
    )


@functools.cache
def transformer() -> Transformer[Token, Any]:
    """Our transformer merged with the expression language's, built once per process.

    lark's ``v_args`` wrappers are rebuilt on every attribute access; binding each callback
    once on the instance keeps transforming a 500-step flow cheap.
    """
    merged: Transformer[Token, Any] = merge_transformers(  # type: ignore[no-untyped-call]
        FlowTransformer(), expr=ExprTransformer()
    )
    for name in dir(merged):
        if not name.startswith("_") and name != "transform":
            value = getattr(merged, name)
            if callable(value):
                setattr(merged, name, value)
    return merged


def _brace_depth(text: str) -> tuple[int, int, int]:
    """The deepest ``{`` nesting outside strings and comments, and where it happens."""
    depth = deepest = 0
    where = (1, 1)
    line, column = 1, 1
    quote: str | None = None
    comment = False
    escaped = False
    for char in text:
        if comment:
            comment = char != "\n"
        elif quote is not None:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char in (quote, "\n"):
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#":
            comment = True
        elif char in "{(":
            depth += 1
            if depth > deepest:
                deepest, where = depth, (line, column)
        elif char in "})":
            depth -= 1
        if char == "\n":
            line, column = line + 1, 1
        else:
            column += 1
    return deepest, where[0], where[1]


def _too_deep(line: int = 1, column: int = 1) -> SourceError:
    return SourceError(
        [
            Diagnostic(
                _(
                    "Blocks are nested more than {limit} levels deep here; "
                    "split the flow into simpler parts.",
                    limit=MAX_NESTING,
                ),
                line=line,
                column=column,
                code="too_deep",
            )
        ]
    )


def parse_flow_file(text: str) -> ast.FlowFile:
    """Parse a flow file into its syntax tree.

    Raises :class:`SourceError` with one diagnostic (line, column, friendly message, hint)
    when the text does not follow the grammar, is too long, or nests too deeply.
    """
    if len(text) > MAX_SOURCE_LENGTH:
        raise SourceError(
            [
                Diagnostic(
                    _(
                        "The flow text is too long ({length} characters; at most {limit}).",
                        length=len(text),
                        limit=MAX_SOURCE_LENGTH,
                    ),
                    code="too_long",
                )
            ]
        )
    deepest, line, column = _brace_depth(text)
    if deepest > MAX_NESTING:
        raise _too_deep(line, column)
    try:
        tree = parser().parse(text)
    except UnexpectedInput as error:
        raise SourceError([describe_syntax_error(parser(), text, error)]) from None
    token = SOURCE.set(text)
    try:
        result = transformer().transform(tree)
    except VisitError as error:
        if isinstance(error.orig_exc, SourceError):
            raise SourceError(list(error.orig_exc.diagnostics)) from None
        raise
    finally:
        SOURCE.reset(token)
    if not isinstance(result, ast.FlowFile):  # pragma: no cover - the grammar guarantees it
        raise SourceError([Diagnostic(_("The text could not be read."))])
    return result


__all__ = ["FlowTransformer", "flow_grammar_path", "parse_duration", "parse_flow_file"]
