"""docs/expressions.md documents every function, and its examples are valid expressions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from formflow.expr import (
    BOOLEAN,
    DATE,
    DATETIME,
    NUMBER,
    STRING,
    ListType,
    RefType,
    RowType,
    Scope,
    check,
    parse,
)
from formflow.expr.functions import ALL_NAMES

DOC = Path(__file__).parents[2] / "docs" / "expressions.md"
TEXT = DOC.read_text(encoding="utf-8")

DOC_SCOPE = Scope(
    fields={
        "leave_type": STRING,
        "start_date": DATE,
        "end_date": DATE,
        "half_day": BOOLEAN,
        "days": NUMBER,
        "reason": STRING,
        "applicant": RefType("user"),
        "attachments": ListType(STRING),
        "items": ListType(
            RowType(
                {
                    "category": STRING,
                    "qty": NUMBER,
                    "price": NUMBER,
                    "amount": NUMBER,
                    "invoice_no": STRING,
                }
            )
        ),
        "advance": NUMBER,
        "total": NUMBER,
        "payable": NUMBER,
        "urgent": BOOLEAN,
        "submitted_at": DATETIME,
        "taxable": NUMBER,
        "qty": NUMBER,
        "price": NUMBER,
    },
    tables={"iit": RowType({"upto": NUMBER, "rate": NUMBER, "deduction": NUMBER})},
)


def _code_block_lines() -> list[str]:
    lines: list[str] = []
    for block in re.findall(r"```\n(.*?)```", TEXT, flags=re.S):
        for line in block.splitlines():
            if line.strip() and not line.startswith("#") and "^" not in line:
                lines.append(line.strip())
    return [line for line in lines if not line.startswith(("round(amount * 1.13", "A `("))]


def _table_examples() -> list[str]:
    section = TEXT.split("## Functions", 1)[1].split("## Examples", 1)[0]
    examples: list[str] = []
    for row in section.splitlines():
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        if len(cells) == 3 and cells[2].startswith("`"):
            examples.extend(re.findall(r"`([^`]+)`", cells[2]))
    return examples


@pytest.mark.parametrize("name", sorted(ALL_NAMES))
def test_every_function_is_documented(name: str) -> None:
    assert f"`{name}" in TEXT


@pytest.mark.parametrize("example", _table_examples())
def test_every_function_example_parses(example: str) -> None:
    assert parse(example) is not None


@pytest.mark.parametrize("line", _code_block_lines())
def test_every_worked_example_checks_against_the_example_forms(line: str) -> None:
    checked = check(parse(line), DOC_SCOPE)
    assert checked.ok, [str(d.message) for d in checked.diagnostics]


def test_the_docs_have_worked_examples() -> None:
    assert len(_code_block_lines()) >= 10
    assert len(_table_examples()) >= 45
