"""``setting('name')``: typed by the pack's settings when known, valued from the context."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from formflow.errors import EvaluationFailed, SourceError
from formflow.expr import BOOLEAN, NUMBER, STRING, EvalContext, Scope, compile_expression, evaluate

TYPED = replace(
    Scope(fields={"days": NUMBER}),
    settings={"allowance": NUMBER, "abroad": BOOLEAN, "city": STRING},
    settings_pack="oa",
)
VALUES = {"oa.allowance": Decimal("150"), "oa.abroad": True, "oa.city": "上海", "hr.allowance": 9}


def _context(settings: dict[str, Any]) -> EvalContext:
    return EvalContext(
        today=date(2026, 1, 5), now=datetime(2026, 1, 5, tzinfo=UTC), settings=settings
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("days * setting('allowance')", Decimal("450")),
        ("setting('abroad') and days > 2", True),
        ("setting(\"city\") + '出差'", "上海出差"),
    ],
)
def test_a_setting_has_the_type_of_its_value_and_the_packs_value(
    source: str, expected: Any
) -> None:
    checked = compile_expression(source, TYPED)
    assert evaluate(checked, {"days": 3}, _context(VALUES)) == expected


@pytest.mark.parametrize(
    ("source", "code"),
    [
        ("setting('alowance')", "unknown_setting"),
        ("setting(days)", "setting_name"),
        ("setting()", "setting_name"),
        ("setting('abroad') + 1", "operator_type"),
    ],
)
def test_mistakes_are_found_when_the_settings_are_known(source: str, code: str) -> None:
    with pytest.raises(SourceError) as raised:
        compile_expression(source, TYPED)
    assert code in [d.code for d in raised.value.diagnostics]


def test_without_known_settings_any_name_is_accepted_and_typed_by_its_value() -> None:
    scope = replace(Scope(fields={"days": NUMBER}), settings_pack="hr")
    checked = compile_expression("days * setting('allowance')", scope)
    assert evaluate(checked, {"days": 2}, _context(VALUES)) == Decimal(18)


def test_a_setting_that_is_not_installed_fails_with_its_name() -> None:
    checked = compile_expression("setting('allowance')", TYPED)
    with pytest.raises(EvaluationFailed) as raised:
        evaluate(checked, {}, _context({}))
    assert "oa.allowance" in raised.value.message.render("en")
