"""Properties: whatever text comes in, the parser answers with a tree or syntax diagnostics."""

from __future__ import annotations

from flowkit import FORMS, ORG
from hypothesis import given, settings
from hypothesis import strategies as st

from formflow.dsl import check_flow, parse_flow_file
from formflow.errors import SourceError

WORDS = [
    "flow",
    "f",
    "on",
    "expense_claim",
    "{",
    "}",
    "step",
    "a",
    "approve",
    "by",
    "role(",
    ")",
    "cfo",
    "if",
    "amount",
    ">",
    "5",
    "else",
    "parallel",
    "branch",
    "join",
    "any",
    "goto",
    "end",
    "after",
    "2h",
    "remind",
    "then",
    "create",
    "payment",
    ":",
    ",",
    "'x'",
    '"标题"',
    "edit",
    "items.amount",
    "vote",
    "60%",
    "on",
    "empty",
    "skip",
    "automation",
    "when",
    "created",
    "every",
    "day",
    "at",
    "09:00",
    "(",
    "\n",
    "#",
    "；",
    "（",
]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_random_text_only_ever_yields_syntax_diagnostics(text: str) -> None:
    try:
        parse_flow_file(text)
    except SourceError as error:
        assert error.diagnostics
        assert all(d.line >= 1 and d.column >= 1 for d in error.diagnostics)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=40))
def test_random_keyword_soup_never_crashes_the_checker(words: list[str]) -> None:
    text = " ".join(words)
    diagnostics = check_flow(text, forms=FORMS, org=ORG)
    assert all(d.line >= 1 and d.column >= 1 for d in diagnostics)
    assert all(d.message.render("en") and d.message.render("zh-CN") for d in diagnostics)


def test_a_deeply_nested_flow_is_refused_with_a_diagnostic() -> None:
    text = "flow f on expense_claim { " + "if a > 1 { " * 3000 + "}" * 3001
    diagnostics = check_flow(text, forms=FORMS, org=ORG)
    assert diagnostics
