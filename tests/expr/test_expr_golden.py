"""Golden files: the exact messages, positions and caret excerpts a designer sees.

Each ``golden/<case>.expr`` is an expression; ``golden/<case>.out`` is every diagnostic of
compiling it in the sample scope, rendered in English and in Chinese with the source line and
a caret. Set ``FORMFLOW_UPDATE_GOLDEN=1`` to rewrite the ``.out`` files after a deliberate
change, then review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from expr_samples import SCOPE

from formflow.errors import SourceError
from formflow.expr import compile_expression

GOLDEN = Path(__file__).with_name("golden")
CASES = sorted(path.stem for path in GOLDEN.glob("*.expr"))


def render(source: str) -> str:
    """Every diagnostic of compiling ``source``, as the designer's error panel shows them."""
    try:
        compile_expression(source, SCOPE)
    except SourceError as error:
        blocks = []
        for diagnostic in error.diagnostics:
            lines = []
            for locale in ("en", "zh-CN"):
                shown = diagnostic.render(locale, source)
                text = f"[{shown['code']}] {shown['line']}:{shown['column']} {shown['message']}"
                lines.append(text)
                if "hint" in shown:
                    lines.append(f"  hint: {shown['hint']}")
            lines.append(diagnostic.render("en", source)["excerpt"])
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks) + "\n"
    return "OK\n"


def test_there_are_golden_cases() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES)
def test_diagnostics_match_the_golden_file(case: str) -> None:
    source = (GOLDEN / f"{case}.expr").read_text(encoding="utf-8").rstrip("\n")
    expected_path = GOLDEN / f"{case}.out"
    actual = render(source)
    if os.environ.get("FORMFLOW_UPDATE_GOLDEN") == "1":
        expected_path.write_text(actual, encoding="utf-8")
    assert actual == expected_path.read_text(encoding="utf-8")
    assert actual != "OK\n"
