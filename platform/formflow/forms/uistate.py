"""Evaluating the UI schema for one submission: what is visible, required, read-only.

The state is keyed by JSON path into the data (``$.reason``, ``$.items[0].qty``), the same
paths validation issues use, so a page can apply both with one lookup. The web pages and the
``validate`` endpoint show it; :meth:`CompiledForm.prepare` uses it to drop the values of
hidden fields and to require fields whose ``required_if`` holds.

A field is visible when its section is visible and its ``visible_if`` (if any) is true; a
sub-table column also needs its table to be visible. Required means: required by the schema
or by a true ``required_if``, and visible (a hidden field is never required). Read-only
means: filled in by the platform (formula, serial, rollup) or a true ``readonly_if``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from formflow.errors import EvaluationFailed, Issue
from formflow.expr import Checked, EvalContext, evaluate
from formflow.forms.fields import FieldSpec
from formflow.forms.paths import child
from formflow.forms.scope import row_values
from formflow.forms.ui import UiSpec
from formflow.i18n import _


@dataclass(frozen=True)
class FieldState:
    visible: bool = True
    required: bool = False
    readonly: bool = False


@dataclass(frozen=True)
class UiState:
    """Per-path field states, section visibility in layout order, and evaluation problems."""

    fields: Mapping[str, FieldState] = field(default_factory=dict)
    sections: tuple[bool, ...] = ()
    problems: tuple[Issue, ...] = ()

    def state(self, path: str) -> FieldState:
        """The state at a JSON path (visible, optional, editable when unknown)."""
        return self.fields.get(path, FieldState())

    def is_visible(self, path: str) -> bool:
        return self.state(path).visible

    @property
    def hidden(self) -> frozenset[str]:
        """The JSON paths of hidden fields."""
        return frozenset(path for path, state in self.fields.items() if not state.visible)

    def as_json(self) -> dict[str, Any]:
        """``{"sections": [true, ...], "fields": {path: {"visible", "required", "readonly"}}}``."""
        return {
            "sections": list(self.sections),
            "fields": {
                path: {"visible": s.visible, "required": s.required, "readonly": s.readonly}
                for path, s in self.fields.items()
            },
        }


def evaluate_ui(
    ui: UiSpec,
    fields: Mapping[str, FieldSpec],
    data: Mapping[str, Any],
    context: EvalContext | None,
) -> UiState:
    """The UI state of ``data`` (which should already hold computed values)."""
    run = _Run(ui, data, context)
    section_of: dict[str, bool] = {}
    sections: list[bool] = []
    for section in ui.sections:
        shown = run.holds(section.visible_if, data, "$", default=True)
        sections.append(shown)
        for name in section.fields:
            section_of[name] = shown
    for name, spec in fields.items():
        run.field(spec, data, (), "$", section_of.get(name, True), False)
    return UiState(run.states, tuple(sections), tuple(run.problems))


class _Run:
    def __init__(self, ui: UiSpec, top: Mapping[str, Any], context: EvalContext | None) -> None:
        self.ui = ui
        self.top = top
        self.context = context
        self.states: dict[str, FieldState] = {}
        self.problems: list[Issue] = []

    def holds(
        self, checked: Checked | None, values: Mapping[str, Any], path: str, default: bool
    ) -> bool:
        """True when the condition is true; ``default`` when there is no condition."""
        if checked is None:
            return default
        try:
            return evaluate(checked, values, self.context) is True
        except EvaluationFailed as exc:
            self.problems.append(
                Issue(
                    path,
                    _(
                        "A condition of this field could not be evaluated: {reason}",
                        reason=exc.message,
                    ),
                    "condition_failed",
                )
            )
            return False

    def field(
        self,
        spec: FieldSpec,
        row: Mapping[str, Any],
        chain: Sequence[Mapping[str, Any]],
        parent_path: str,
        parent_visible: bool,
        parent_readonly: bool,
    ) -> None:
        settings = self.ui.fields.get(spec.path)
        path = child(parent_path, spec.name)
        values = row_values(self.top, chain)
        visible = parent_visible and self.holds(
            settings.visible_if if settings else None, values, path, True
        )
        required = (
            visible
            and not spec.is_system
            and (
                spec.required
                or self.holds(settings.required_if if settings else None, values, path, False)
            )
        )
        readonly = (
            parent_readonly
            or spec.is_system
            or self.holds(settings.readonly_if if settings else None, values, path, False)
        )
        self.states[path] = FieldState(visible, required, readonly)
        if not spec.children:
            return
        rows = row.get(spec.name)
        if not isinstance(rows, list):
            return
        for index, item in enumerate(rows):
            if not isinstance(item, Mapping):
                continue
            row_path = child(path, index)
            for column in spec.children.values():
                self.field(column, item, (*chain, item), row_path, visible, readonly)
