"""Friendly syntax errors for flow files.

Raw LALR errors ("Unexpected token Token('NAME', 'aprove'), expected one of: STEP, IF ...")
mean nothing to an admin. Like lark's ``match_examples``, we parse a table of typical mistakes
(:data:`EXAMPLES`) once, remember the parser state and token each one fails at, and label a
real error by the example that fails the same way. Errors no example covers get a plain
"found X, expected one of ..." message in words, with a "did you mean" hint for misspelt
keywords.
"""

from __future__ import annotations

import difflib
import functools
from typing import Any

from lark import Lark
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.lexer import PatternStr

from formflow.errors import Diagnostic
from formflow.i18n import Msg, _

#: label -> snippets that fail in the way the label describes.
EXAMPLES: dict[str, list[str]] = {
    "missing_form": ["flow f {", "flow f 'x' {", "automation a {"],
    "missing_flow_name": ["flow {", "flow 'x' on f {", "automation 'x' on f {"],
    "missing_open_brace": ["flow f on g step", "flow f on g }", "flow f on g step a approve"],
    "not_a_definition": ["step a {", "aprove", "if x {"],
    "unknown_flow_statement": [
        "flow f on g { aprove by role(a) }",
        "flow f on g { stpe a { } }",
        "flow f on g { step a { } approve by role(b) }",
    ],
    "unknown_step_statement": [
        "flow f on g { step a { aprove by role(x) } }",
        "flow f on g { step a { approve by role(x) edti y } }",
    ],
    "extra_close_brace": ["flow f on g { } }", "flow f on g { step a { } } }"],
    "missing_by": [
        "flow f on g { step a { approve role(x) } }",
        "flow f on g { step a { task role(x) } }",
    ],
    "unknown_approver": [
        "flow f on g { step a { approve by boss(x) } }",
        "flow f on g { step a { approve by } }",
        "flow f on g { step a { approve by role(x), } }",
        "flow f on g { step a { task by manger(initiator) } }",
    ],
    "missing_step_name": ["flow f on g { step { } }", "flow f on g { step 'x' { } }"],
    "missing_condition": ["flow f on g { if { } }", "flow f on g { if x > 1 { } else if { } }"],
    "incomplete_expression": [
        "flow f on g { if a > { } }",
        "flow f on g { if a and { } }",
        "flow f on g { step s { then set a = } }",
        "flow f on g { if (a > 1 { } }",
    ],
    "two_values": ["flow f on g { if a b { } }", "flow f on g { if a > 1 2 { } }"],
    "bad_duration": [
        "flow f on g { step a { after soon remind } }",
        "flow f on g { step a { after remind } }",
    ],
    "bad_timeout_action": [
        "flow f on g { step a { after 2h ping } }",
        "flow f on g { step a { after 2h } }",
        "flow f on g { step a { after 2h auto } }",
    ],
    "else_without_if": ["flow f on g { else { } }", "flow f on g { step a { } else { } }"],
    "missing_colon": [
        "flow f on g { step a { then create x { a b } } }",
        "flow f on g { step a { then create x { a = b } } }",
    ],
    "missing_close_brace": [
        "flow f on g {",
        "flow f on g { step a {",
        "flow f on g { step a { approve by role(x)",
        "flow f on g { if a > 1 { step b { task by initiator }",
    ],
    "missing_close_paren": [
        "flow f on g { step a { approve by role(x } }",
        "flow f on g { step a { approve by manager(initiator, 2 } }",
    ],
    "bad_mode": [
        "flow f on g { step a { approve by role(x) vote } }",
        "flow f on g { step a { approve by role(x) vote x } }",
    ],
    "bad_policy": [
        "flow f on g { on empty ignore }",
        "flow f on g { on reject finish }",
        "flow f on g { on whatever skip }",
        "flow f on g { on self maybe }",
    ],
    "bad_branch": [
        "flow f on g { parallel { step a { } } }",
        "flow f on g { parallel { } }",
        "flow f on g { interleave { } }",
    ],
}

_MESSAGES: dict[str, tuple[Msg, Msg | None]] = {
    "missing_form": (
        _("Say which form this is for: `on FORM` comes after the name and the title."),
        _('For example: flow leave "请假" on leave_request {{'),
    ),
    "missing_flow_name": (
        _("A flow or automation needs a name (letters, digits and _) right after the keyword."),
        _('For example: flow leave "请假" on leave_request {{'),
    ),
    "missing_open_brace": (
        _("A `{{` is missing here: the definition's body goes between `{{` and `}}`."),
        None,
    ),
    "not_a_definition": (
        _("A flow file holds `flow` and `automation` definitions; this is neither."),
        _('Start with: flow NAME "title" on FORM {{'),
    ),
    "unknown_flow_statement": (
        _("This is not something a flow can contain."),
        _(
            "A flow holds steps (`step`), `if`, `parallel`, `interleave`, `goto`, `end`, "
            "`param` and rules such as `on reject ...`."
        ),
    ),
    "unknown_step_statement": (
        _("This is not something a step can contain."),
        _(
            "A step holds `approve by` / `task by`, `edit`, `read`, `hide`, `after ...`, "
            "`then ...` and rules such as `on empty ...`."
        ),
    ),
    "missing_by": (
        _("Write `by` and then who acts: `approve by role(finance)`."),
        None,
    ),
    "unknown_approver": (
        _("Say who acts here with an approver rule."),
        _(
            "Approver rules are user(...), role(...), department_head(...), manager(...), "
            "manager_chain(...), field(...), chosen and initiator."
        ),
    ),
    "missing_step_name": (
        _("A step needs a name (letters, digits and _) after `step`; the title comes after it."),
        _('For example: step manager "主管审批" {{'),
    ),
    "missing_condition": (
        _("`if` needs a condition before its `{{`."),
        _("For example: if amount > 5000 {{"),
    ),
    "incomplete_expression": (
        _("The expression is incomplete: a value is missing here."),
        None,
    ),
    "two_values": (
        _("Two values stand next to each other without an operator between them."),
        _("Add an operator such as `and`, `+` or `>`, or a comma."),
    ),
    "bad_duration": (
        _("Write a duration after `after`, such as `48h`, `2d`, `30m` or `3 workdays`."),
        None,
    ),
    "bad_timeout_action": (
        _("Say what happens when the time is up."),
        _("Use remind, escalate to ..., auto approve, auto reject or skip."),
    ),
    "else_without_if": (
        _("`else` must come right after the `}}` of an `if` block."),
        None,
    ),
    "missing_colon": (
        _("A field mapping is written `field: expression`; the `:` is missing."),
        _("For example: create payment {{ amount: amount, payee: initiator }}"),
    ),
    "extra_close_brace": (
        _("This `}}` has no matching `{{`: remove it or add the missing `{{` before it."),
        None,
    ),
    "missing_close_brace": (
        _("The text ends before a block is closed: a `}}` is missing."),
        None,
    ),
    "missing_close_paren": (
        _("A `)` is missing here."),
        None,
    ),
    "bad_mode": (
        _("`vote` needs a threshold: a number of approvals (`vote 2`) or a share (`vote 60%`)."),
        None,
    ),
    "bad_policy": (
        _("This rule is not known."),
        _(
            "Rules are: on empty skip|approve|assign ..., on reject end|return to ..., "
            "on self allow|skip|forbid, on duplicate skip|ask, on resubmit rerun|resume."
        ),
    ),
    "bad_branch": (
        _("A `parallel` or `interleave` block holds one or more `branch {{...}}`."),
        _("For example: parallel {{ branch legal {{ ... }} branch finance {{ ... }} }}"),
    ),
}


END_TOKEN = "$END"  # noqa: S105 - lark's end-of-input token type, not a secret

_TOKEN_WORDS = {
    "$END": "the end of the text",
    "NAME": "a name",
    "STRING": "a text in quotes",
    "INT": "a number",
    "SIGNED_NUMBER": "a number",
    "VOTE": "a number",
    "DURATION": "a duration",
    "CLOCK": "a time of day",
}


@functools.cache
def _example_index(lark: Lark) -> tuple[dict[tuple[int, str], str], dict[int, str]]:
    """``{(state, token type): label}`` and ``{state: label}`` from :data:`EXAMPLES`."""
    exact: dict[tuple[int, str], str] = {}
    by_state: dict[int, str] = {}
    for label, snippets in EXAMPLES.items():
        for snippet in snippets:
            try:
                lark.parse(snippet)
            except UnexpectedInput as error:
                state = _state_of(error)
                if state is None:
                    continue
                exact.setdefault((state, _token_type(error)), label)
                by_state.setdefault(state, label)
    return exact, by_state


def _state_of(error: UnexpectedInput) -> int | None:
    state = getattr(error, "state", None)
    if isinstance(state, int):
        return state
    position = getattr(state, "position", None)
    return position if isinstance(position, int) else None


def _token_type(error: UnexpectedInput) -> str:
    token = getattr(error, "token", None)
    return str(token.type) if token is not None else "$END"


def _expected(lark: Lark, error: UnexpectedInput) -> list[str]:
    names = sorted(getattr(error, "accepts", None) or getattr(error, "expected", None) or ())
    words: list[str] = []
    for name in names:
        if name.startswith("expr__") or name == "$END":
            continue
        if name in _TOKEN_WORDS:
            word = _TOKEN_WORDS[name]
        else:
            try:
                pattern = lark.get_terminal(name).pattern
            except KeyError:
                continue
            word = f"`{pattern.value}`" if isinstance(pattern, PatternStr) else name.lower()
        if word not in words:
            words.append(word)
    return words


def _keywords(lark: Lark, error: UnexpectedInput) -> list[str]:
    out: list[str] = []
    for name in getattr(error, "accepts", None) or getattr(error, "expected", None) or ():
        try:
            pattern = lark.get_terminal(name).pattern
        except KeyError:
            continue
        if isinstance(pattern, PatternStr) and pattern.value.isidentifier():
            out.append(pattern.value)
    return out


def _end_position(source: str) -> tuple[int, int]:
    stripped = source.rstrip()
    lines = stripped.split("\n")
    return len(lines), len(lines[-1]) + 1


def _lexer_error(lark: Lark, source: str, error: UnexpectedCharacters) -> Diagnostic:
    position = error.pos_in_stream or 0
    char = source[position] if position < len(source) else ""
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
        if char in "\u201c\u201d\u2018\u2019\uff08\uff09\uff0c\uff1a\uff5b\uff5d":
            hint = _("Use plain ASCII quotes, parentheses, commas and braces, not full-width ones.")
        elif char.isalpha():
            hint = _("Names are written in ASCII letters, digits and _; put other text in quotes.")
        else:
            words = _expected(lark, error)
            if words:
                hint = _("Expected {expected}.", expected=", ".join(words[:8]))
    return Diagnostic(message, line=error.line, column=error.column, code=code, hint=hint)


def describe_syntax_error(lark: Lark, source: str, error: UnexpectedInput) -> Diagnostic:
    """Turn a lark parse error on ``source`` into one friendly :class:`Diagnostic`."""
    if isinstance(error, UnexpectedCharacters):
        return _lexer_error(lark, source, error)
    token = getattr(error, "token", None)
    token_type = _token_type(error)
    at_end = isinstance(error, UnexpectedEOF) or token_type == END_TOKEN
    if at_end:
        line, column = _end_position(source)
    else:
        line, column = getattr(error, "line", 1) or 1, getattr(error, "column", 1) or 1
    state = _state_of(error)
    exact, by_state = _example_index(lark)
    label = None
    if state is not None:
        label = exact.get((state, token_type))
        if label is None:
            label = _classify(token_type, _accepted(error), at_end)
        if label is None:
            label = by_state.get(state)
    found = "the end of the text" if at_end else f"`{token}`"
    hint: Msg | None = None
    if label is not None:
        message, hint = _MESSAGES[label]
        code = label
        if token is not None and not at_end and label.startswith("unknown_"):
            message = _(
                "`{found}` is not understood here. {detail}", found=str(token), detail=message
            )
    else:
        words = _expected(lark, error)
        message = _(
            "Found {found} where {expected} was expected.",
            found=found,
            expected=", ".join(words[:8]) if words else "something else",
        )
        code = "syntax"
    if token is not None and not at_end and str(getattr(token, "type", "")).endswith("NAME"):
        close = difflib.get_close_matches(str(token), _keywords(lark, error), n=1, cutoff=0.6)
        if close:
            hint = _("Did you mean `{keyword}`?", keyword=close[0])
    return Diagnostic(message, line=line, column=column, code=code, hint=hint)


def _classify(found: str, accepted: set[str], at_end: bool) -> str | None:
    """Label an error no example matched exactly, by what the parser would have accepted."""
    if at_end:
        return "missing_close_brace" if "RBRACE" in accepted else None
    if found == "ELSE":
        return "else_without_if"
    if {"FLOW", "AUTOMATION"} <= accepted:
        return "extra_close_brace" if found == "RBRACE" else "not_a_definition"
    if {"APPROVE", "EDIT", "THEN"} <= accepted:
        return "unknown_step_statement"
    if {"STEP", "PARAM"} <= accepted:
        return "unknown_flow_statement"
    return None


def _accepted(error: UnexpectedInput) -> set[str]:
    found: Any = getattr(error, "accepts", None) or getattr(error, "expected", None) or ()
    return set(found)


__all__ = ["EXAMPLES", "UnexpectedToken", "describe_syntax_error"]
