"""Golden files for syntax errors: one friendly diagnostic with line, column and a caret.

Each ``golden/<name>.flow`` is a broken flow; ``golden/<name>.out`` holds the expected
rendering in English and Chinese. Run with ``FORMFLOW_UPDATE_GOLDEN=1`` to rewrite the
expected files after a deliberate change, then review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from formflow.dsl import parse_flow_file
from formflow.errors import SourceError

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(path.stem for path in GOLDEN.glob("*.flow"))


def render(text: str) -> str:
    with pytest.raises(SourceError) as raised:
        parse_flow_file(text)
    out: list[str] = []
    for locale in ("en", "zh-CN"):
        for diagnostic in raised.value.diagnostics:
            shown = diagnostic.render(locale, text)
            out.append(f"[{locale}] {shown['line']}:{shown['column']} {shown['code']}")
            out.append(shown["message"])
            if "hint" in shown:
                out.append(f"hint: {shown['hint']}")
            out.append(shown["excerpt"])
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("name", CASES)
def test_syntax_error_matches_its_golden_file(name: str) -> None:
    text = (GOLDEN / f"{name}.flow").read_text(encoding="utf-8")
    expected_path = GOLDEN / f"{name}.out"
    actual = render(text)
    if os.environ.get("FORMFLOW_UPDATE_GOLDEN") == "1" or not expected_path.exists():
        expected_path.write_text(actual, encoding="utf-8")
    assert actual == expected_path.read_text(encoding="utf-8")


def test_there_are_golden_files() -> None:
    assert len(CASES) >= 10
