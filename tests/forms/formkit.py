"""Small factories for form tests: build a form from a few properties, a fixed context."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from formflow.expr import EvalContext
from formflow.forms import CompiledForm, FormInfo, compile_form

TODAY = date(2026, 1, 31)
CONTEXT = EvalContext(today=TODAY, now=datetime(2026, 1, 31, 8, 0, tzinfo=UTC))


def schema_of(
    properties: Mapping[str, Any],
    required: Sequence[str] = (),
    root: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A form schema with ``properties`` (and ``required``, and root keywords)."""
    schema: dict[str, Any] = {"type": "object", "properties": dict(properties), **(root or {})}
    if required:
        schema["required"] = list(required)
    return schema


def make_form(
    properties: Mapping[str, Any],
    required: Sequence[str] = (),
    *,
    ui: Any = None,
    known_forms: Mapping[str, FormInfo] | None = None,
    form_key: str | None = None,
    root: Mapping[str, Any] | None = None,
) -> CompiledForm:
    """Compile a form from its properties; raises DefinitionInvalid like compile_form."""
    return compile_form(
        schema_of(properties, required, root), ui, known_forms=known_forms, form_key=form_key
    )


def customer_info() -> FormInfo:
    """A ``customer`` form other forms link to and roll up from."""
    form = make_form(
        {
            "name": {"type": "string"},
            "level": {"x-type": "select", "x-options": [{"value": "a"}, {"value": "b"}]},
            "credit": {"x-type": "money"},
        }
    )
    return form.info("customer")


def payment_info() -> FormInfo:
    """A ``payment`` form whose ``contract`` field links to ``contract``."""
    form = make_form(
        {
            "contract": {"x-type": "link", "x-link": {"form": "contract"}},
            "amount": {"x-type": "money"},
            "paid_on": {"type": "string", "format": "date"},
            "status": {
                "x-type": "select",
                "x-options": [{"value": "draft"}, {"value": "confirmed"}],
            },
            "memo": {"type": "string"},
        }
    )
    return form.info("payment")


def codes(issues: Sequence[Any]) -> list[str]:
    return [issue.code for issue in issues]


def paths(issues: Sequence[Any]) -> list[str]:
    return [issue.path for issue in issues]
