"""Every flow example in docs/flow-dsl.md compiles without errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flowkit import FORMS, ORG, compile_text, expressions

from formflow.dsl import check_flow
from formflow.engine import load_cases, run_cases
from formflow.errors import Severity

DOC = Path(__file__).resolve().parents[2] / "docs" / "flow-dsl.md"
BLOCKS = re.findall(r"```flow\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
JSON_BLOCKS = re.findall(r"```json\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


def test_the_reference_has_many_examples() -> None:
    assert len(BLOCKS) >= 25


@pytest.mark.parametrize("text", BLOCKS, ids=[f"example-{i}" for i in range(len(BLOCKS))])
def test_each_example_compiles(text: str) -> None:
    errors = [
        (d.line, d.code, d.message.render("en"))
        for d in check_flow(text, forms=FORMS, org=ORG)
        if d.severity == Severity.ERROR
    ]
    assert errors == []


def test_the_documented_simulation_cases_pass_against_the_documented_expense_claim() -> None:
    flow = next(block for block in BLOCKS if block.startswith('flow expense_claim "费用报销"'))
    spec = compile_text(flow)
    cases = load_cases(JSON_BLOCKS[0])
    results = run_cases(spec, cases, ORG, expressions=expressions())
    assert [(r.name, r.passed, [p.render("en") for p in r.problems]) for r in results] == [
        (case["name"], True, []) for case in json.loads(JSON_BLOCKS[0])["cases"]
    ]
