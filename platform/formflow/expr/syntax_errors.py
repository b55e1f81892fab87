"""Friendly syntax-error messages instead of lark's token dumps.

A parse error is matched against a table of known bad snippets, the technique of lark's
``UnexpectedInput.match_examples``: when the parser fails in the same LALR state, on the same
kind of token, as it does on an example, the example's label names the mistake ("missing
`)`", "two values without an operator between them" ...).

We index the examples by ``(LALR state, token type)`` once per process instead of calling
``match_examples`` on every error: for errors found by the contextual lexer, lark compares
whole parser stacks, so an example would only match at the very nesting depth it was written
at (``a.+`` would not explain ``f(a.+``). Errors no example covers fall back to rules on the
unexpected token and on what the parser would have accepted, so every error gets a sentence a
form designer understands, at the 1-based line and column of the offending token.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from formflow.errors import Diagnostic
from formflow.expr.syntax_examples import EXAMPLES, MESSAGES
from formflow.i18n import Msg, _

#: How terminals are named when the parser lists what it expected.
_TERMINAL_NAMES: dict[str, str] = {
    "LPAR": "(",
    "RPAR": ")",
    "LSQB": "[",
    "RSQB": "]",
    "COMMA": ",",
    "DOT": ".",
    "PLUS": "+",
    "MINUS": "-",
    "STAR": "*",
    "SLASH": "/",
    "PERCENT": "%",
    "COMPARE": "=",
    "AND": "and",
    "OR": "or",
    "NOT": "not",
    "IN": "in",
    "NAME": "name",
    "NUMBER": "number",
    "STRING": "text",
    "TRUE": "true",
    "FALSE": "false",
    "NULL": "null",
}
_VALUE_TERMINALS = frozenset({"NAME", "NUMBER", "STRING", "TRUE", "FALSE", "NULL"})
_OPERATOR_TERMINALS = frozenset(
    {"PLUS", "STAR", "SLASH", "PERCENT", "COMPARE", "AND", "OR", "IN", "COMMA"}
)


def _end_position(source: str) -> tuple[int, int]:
    """Line and column just after the last non-blank character (where the text ran out)."""
    stripped = source.rstrip()
    lines = stripped.split("\n")
    return len(lines), len(lines[-1]) + 1


def _unclosed_opener(source: str) -> tuple[str, int, int] | None:
    """The innermost bracket left open, with its line and column, skipping string literals."""
    stack: list[tuple[str, int, int]] = []
    line, column, index = 1, 1, 0
    quote: str | None = None
    while index < len(source):
        char = source[index]
        if quote is not None:
            if char == "\\":
                index += 1
                column += 1
            elif char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char in "([":
            stack.append((char, line, column))
        elif char in ")]" and stack:
            stack.pop()
        if char == "\n":
            line, column = line + 1, 1
        else:
            column += 1
        index += 1
    return stack[-1] if stack else None


def _lexer_error(source: str, error: UnexpectedCharacters) -> Diagnostic:
    position = error.pos_in_stream or 0
    char = source[position] if position < len(source) else ""
    following = source[position : position + 2]
    hint: Msg | None = None
    if char in "'\"":
        message = _(
            "This text is not closed: add the missing {quote} at its end (on the same line).",
            quote=char,
        )
        code = "unclosed_string"
    else:
        message = _("The character `{char}` cannot be used here.", char=char)
        code = "bad_character"
        if following in {"&&", "||"}:
            hint = _("Write `and` / `or` instead of `&&` / `||`.")
        elif char == "!":
            hint = _('Write `not x` for negation and `!=` for "is not equal".')
        elif char in "\u201c\u201d\u2018\u2019\uff08\uff09\uff0c":
            hint = _("Use plain ASCII quotes, parentheses and commas, not full-width ones.")
        elif char == ".":
            hint = _("A number needs digits on both sides of its decimal point, as in `0.5`.")
    return Diagnostic(message, line=error.line, column=error.column, code=code, hint=hint)


def _state_of(error: UnexpectedInput) -> int | None:
    """The LALR state number the parser was in (lexer-level errors carry a parser state)."""
    state = error.state
    if isinstance(state, int):
        return state
    position = getattr(state, "position", None)
    return position if isinstance(position, int) else None


def _token_type(error: UnexpectedInput) -> str:
    token = getattr(error, "token", None)
    return token.type if token is not None else "$END"


@functools.cache
def _example_index(
    parse: Callable[[str], object],
) -> tuple[dict[tuple[int, str], str], dict[int, str]]:
    """``{(state, token type): label}`` and ``{state: label}`` from :data:`EXAMPLES`."""
    exact: dict[tuple[int, str], str] = {}
    by_state: dict[int, str] = {}
    for label, snippets in EXAMPLES.items():
        for snippet in snippets:
            try:
                parse(snippet)
            except UnexpectedInput as error:
                state = _state_of(error)
                if state is None:
                    continue
                exact.setdefault((state, _token_type(error)), label)
                by_state.setdefault(state, label)
    return exact, by_state


def match_example(error: UnexpectedInput, parse: Callable[[str], object]) -> str | None:
    """The label of the example that fails like ``error`` does under ``parse``, or None."""
    state = _state_of(error)
    if state is None:
        return None
    exact, by_state = _example_index(parse)
    kind = _token_type(error)
    # At the end of the text the state after the last value is shared by every context;
    # what the parser would accept there (a `)` or a `]`) tells more than any example.
    label = None if kind == "$END" else exact.get((state, kind))
    if label is None:
        label = _fallback_label(error)
    if label is None:
        label = by_state.get(state)
    return label


def _fallback_label(error: UnexpectedInput) -> str | None:
    """Classify errors that no example matched, by the token and the accepted terminals."""
    if not isinstance(error, UnexpectedToken):
        return None
    kind = error.token.type
    expected = set(error.accepts or error.expected)
    if expected == {"NAME"}:
        return "missing_name_after_dot"
    if kind == "DOT" and expected & _VALUE_TERMINALS:
        return "leading_dot"
    if kind == "$END":
        if "RPAR" in expected:
            return "missing_close_paren"
        if "RSQB" in expected:
            return "missing_close_bracket"
        return "operator_needs_value"
    if kind in {"RPAR", "RSQB"}:
        return "unexpected_close" if not expected & _VALUE_TERMINALS else "operator_needs_value"
    if kind in _VALUE_TERMINALS | {"LPAR", "LSQB"} and not expected & _VALUE_TERMINALS:
        return "two_values"
    if kind in _OPERATOR_TERMINALS and expected & _VALUE_TERMINALS:
        return "missing_value_before_operator"
    return None


def describe_syntax_error(
    source: str, error: UnexpectedInput, parse: Callable[[str], object]
) -> Diagnostic:
    """Turn a lark parse error on ``source`` into one friendly :class:`Diagnostic`.

    ``parse`` is the parser's parse function, used once to index the example table.
    """
    if not source.strip():
        return Diagnostic(
            _("The expression is empty: write a value, a field name or a formula."),
            code="empty",
        )
    if isinstance(error, UnexpectedCharacters):
        return _lexer_error(source, error)
    label = match_example(error, parse)
    token = getattr(error, "token", None)
    at_end = token is None or token.type == "$END"
    line, column = _end_position(source) if at_end else (error.line, error.column)
    hint: Msg | None = None
    if label in {"missing_close_paren", "missing_close_bracket"}:
        opener = _unclosed_opener(source)
        if opener is not None:
            hint = _(
                "The `{bracket}` was opened at line {line}, column {column}.",
                bracket=opener[0],
                line=opener[1],
                column=opener[2],
            )
    if label is None:
        found = token.value if token is not None else ""
        expected = sorted(
            {_TERMINAL_NAMES.get(name, name.lower()) for name in getattr(error, "expected", ())}
        )
        message = _("`{found}` is not expected here.", found=found)
        hint = _("Expected one of: {expected}.", expected=", ".join(expected))
        return Diagnostic(message, line=line, column=column, code="syntax", hint=hint)
    if at_end and label == "operator_needs_value":
        message = _(
            "The expression ends too early: a value is missing after the last operator or "
            "opening bracket."
        )
        return Diagnostic(message, line=line, column=column, code="unexpected_end")
    return Diagnostic(MESSAGES[label], line=line, column=column, code=label, hint=hint)
