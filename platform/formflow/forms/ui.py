"""The UI schema: layout, widgets, help texts and conditional behaviour of a form.

Shape (every key optional; full reference in docs/forms.md)::

    {
      "layout": [
        {"title": {"zh-CN": "基本信息", "en": "Basics"}, "columns": 2,
         "fields": ["applicant", "leave_type"], "visible_if": "..."}
      ],
      "fields": {
        "reason": {"widget": "textarea", "help": "...", "placeholder": "...", "width": 2,
                   "visible_if": "leave_type = 'other'", "required_if": "days > 3",
                   "readonly_if": "..."},
        "items": {"widget": "table", "columns": {"qty": {"widget": "stepper"}}}
      }
    }

Sections list top-level fields; each field is placed at most once, and fields not placed are
shown after the last section. Sub-table columns are configured under their table's
``columns`` and their conditions are evaluated per row (the row's columns are in scope).
Conditions are boolean expressions; a condition counts only when it is true (empty/null is
not true).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from formflow.errors import Issue
from formflow.expr import BOOLEAN, Checked, Scope
from formflow.forms.expressions import compile_at
from formflow.forms.fields import FieldSpec
from formflow.forms.fieldtypes.keywordchecks import is_int
from formflow.forms.labels import Label, check_label
from formflow.forms.paths import child
from formflow.forms.quoting import quote
from formflow.forms.scope import row_scope
from formflow.i18n import _

CONDITIONS = ("visible_if", "required_if", "readonly_if")
_FIELD_KEYS = frozenset({"widget", "help", "placeholder", "width", "columns", *CONDITIONS})
_SECTION_KEYS = frozenset({"title", "columns", "fields", "visible_if", "collapsed"})
MAX_COLUMNS = 4


@dataclass(frozen=True)
class FieldUi:
    """How one field (or sub-table column, ``path`` ``items.qty``) is shown."""

    path: str
    widget: str
    help: Label | None = None
    placeholder: Label | None = None
    width: int = 1
    visible_if: Checked | None = None
    required_if: Checked | None = None
    readonly_if: Checked | None = None

    @property
    def has_conditions(self) -> bool:
        return any(getattr(self, name) is not None for name in CONDITIONS)


@dataclass(frozen=True)
class Section:
    """A titled group of top-level fields laid out in ``columns`` columns."""

    fields: tuple[str, ...]
    title: Label | None = None
    columns: int = 1
    visible_if: Checked | None = None
    collapsed: bool = False


@dataclass(frozen=True)
class UiSpec:
    """The compiled UI schema: sections in order and per-field settings by dotted path.

    ``has_conditions`` is computed once: forms without conditions skip UI evaluation when
    validating.
    """

    sections: tuple[Section, ...] = ()
    fields: Mapping[str, FieldUi] = field(default_factory=dict)
    has_conditions: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        conditional = any(item.has_conditions for item in self.fields.values()) or any(
            section.visible_if is not None for section in self.sections
        )
        object.__setattr__(self, "has_conditions", conditional)


def compile_ui(
    ui: Any, fields: Mapping[str, FieldSpec], scope: Scope, root: str = "$.ui"
) -> tuple[UiSpec, list[Issue]]:
    """Check and compile a UI schema against the form's fields; every problem at once."""
    issues: list[Issue] = []
    if ui is None:
        ui = {}
    if not isinstance(ui, Mapping):
        return _default(fields, {}), [
            Issue(root, _("The UI schema must be an object."), "ui_invalid")
        ]
    for key in sorted(set(ui) - {"layout", "fields"}):
        issues.append(
            Issue(
                child(root, str(key)),
                _("Unknown UI key {key}; the UI schema has layout and fields.", key=quote(key)),
                "ui_unknown_key",
            )
        )
    settings: dict[str, FieldUi] = {}
    raw_fields = ui.get("fields", {})
    if not isinstance(raw_fields, Mapping):
        issues.append(
            Issue(
                child(root, "fields"),
                _("fields must map field names to their settings."),
                "ui_invalid",
            )
        )
        raw_fields = {}
    _compile_fields(raw_fields, fields, fields, scope, (), child(root, "fields"), settings, issues)
    for field_spec in fields.values():
        _fill_defaults(field_spec, settings)
    sections = _compile_layout(ui.get("layout"), fields, scope, child(root, "layout"), issues)
    compiled = _default(fields, settings) if sections is None else UiSpec(sections, settings)
    return compiled, issues


def _fill_defaults(spec: FieldSpec, settings: dict[str, FieldUi]) -> None:
    if spec.path not in settings:
        settings[spec.path] = FieldUi(spec.path, spec.type.default_widget)
    for column in spec.children.values():
        _fill_defaults(column, settings)


def _default(fields: Mapping[str, FieldSpec], settings: Mapping[str, FieldUi]) -> UiSpec:
    return UiSpec((Section(tuple(fields)),), dict(settings))


def _compile_fields(
    raw: Mapping[str, Any],
    level: Mapping[str, FieldSpec],
    fields: Mapping[str, FieldSpec],
    scope: Scope,
    table: tuple[str, ...],
    path: str,
    settings: dict[str, FieldUi],
    issues: list[Issue],
) -> None:
    local = row_scope(scope, fields, table) if table else scope
    for name, options in raw.items():
        where = child(path, str(name))
        spec = level.get(name)
        if spec is None:
            close = difflib.get_close_matches(str(name), list(level), n=1)
            hint = _(" Did you mean {guess}?", guess=quote(close[0])) if close else ""
            issues.append(
                Issue(
                    where,
                    _("There is no field {name} in this form.{hint}", name=quote(name), hint=hint),
                    "ui_unknown_field",
                )
            )
            continue
        if not isinstance(options, Mapping):
            issues.append(
                Issue(
                    where,
                    _(
                        "Field settings must be an object such as {example}.",
                        example='{"widget": "textarea"}',
                    ),
                    "ui_invalid",
                )
            )
            continue
        for key in sorted(set(options) - _FIELD_KEYS):
            issues.append(
                Issue(
                    child(where, str(key)),
                    _(
                        "Unknown field setting {key}; use {known}.",
                        key=quote(key),
                        known=", ".join(sorted(_FIELD_KEYS)),
                    ),
                    "ui_unknown_key",
                )
            )
        widget = options.get("widget", spec.type.default_widget)
        if widget not in spec.type.widgets:
            issues.append(
                Issue(
                    child(where, "widget"),
                    _(
                        "The widget {widget} cannot show a {kind} field; use one of {allowed}.",
                        widget=quote(widget),
                        kind=spec.type.name,
                        allowed=", ".join(spec.type.widgets),
                    ),
                    "ui_widget",
                )
            )
            widget = spec.type.default_widget
        for key in ("help", "placeholder"):
            if key in options:
                issues.extend(check_label(options[key], child(where, key)))
        width = options.get("width", 1)
        if not is_int(width) or not 1 <= int(width) <= MAX_COLUMNS:
            issues.append(
                Issue(
                    child(where, "width"),
                    _("width is a number of columns from 1 to {top}.", top=MAX_COLUMNS),
                    "ui_invalid",
                )
            )
            width = 1
        conditions: dict[str, Checked | None] = {}
        for key in CONDITIONS:
            conditions[key] = None
            if key in options:
                checked, problems = compile_at(options[key], local, BOOLEAN, child(where, key))
                issues.extend(problems)
                conditions[key] = checked
        if "required_if" in options and spec.is_system:
            issues.append(
                Issue(
                    child(where, "required_if"),
                    _("This field is filled in by the platform; it cannot be required."),
                    "ui_invalid",
                )
            )
        settings[spec.path] = FieldUi(
            spec.path,
            str(widget),
            options.get("help"),
            options.get("placeholder"),
            int(width),
            conditions["visible_if"],
            conditions["required_if"],
            conditions["readonly_if"],
        )
        columns = options.get("columns")
        if columns is not None:
            if not spec.is_subtable or not isinstance(columns, Mapping):
                issues.append(
                    Issue(
                        child(where, "columns"),
                        _(
                            "columns configures the columns of a sub-table; {name} is not one.",
                            name=quote(name),
                        ),
                        "ui_invalid",
                    )
                )
            else:
                _compile_fields(
                    columns,
                    spec.children,
                    fields,
                    scope,
                    (*table, spec.name),
                    child(where, "columns"),
                    settings,
                    issues,
                )


def _compile_layout(
    raw: Any, fields: Mapping[str, FieldSpec], scope: Scope, path: str, issues: list[Issue]
) -> tuple[Section, ...] | None:
    if raw is None:
        return None
    if not isinstance(raw, list):
        issues.append(Issue(path, _("layout is a list of sections."), "ui_invalid"))
        return None
    sections: list[Section] = []
    placed: dict[str, str] = {}
    for index, item in enumerate(raw):
        where = child(path, index)
        if not isinstance(item, Mapping) or not isinstance(item.get("fields"), list):
            issues.append(
                Issue(
                    where,
                    _(
                        "A section is an object with a list of fields, such as {example}.",
                        example='{"title": "...", "fields": ["name"]}',
                    ),
                    "ui_invalid",
                )
            )
            continue
        for key in sorted(set(item) - _SECTION_KEYS):
            issues.append(
                Issue(
                    child(where, str(key)),
                    _(
                        "Unknown section key {key}; use {known}.",
                        key=quote(key),
                        known=", ".join(sorted(_SECTION_KEYS)),
                    ),
                    "ui_unknown_key",
                )
            )
        if "title" in item:
            issues.extend(check_label(item["title"], child(where, "title")))
        columns = item.get("columns", 1)
        if not is_int(columns) or not 1 <= int(columns) <= MAX_COLUMNS:
            issues.append(
                Issue(
                    child(where, "columns"),
                    _("columns is a number from 1 to {top}.", top=MAX_COLUMNS),
                    "ui_invalid",
                )
            )
            columns = 1
        names: list[str] = []
        for position, name in enumerate(item["fields"]):
            spot = child(child(where, "fields"), position)
            if not isinstance(name, str) or name not in fields:
                issues.append(
                    Issue(
                        spot,
                        _(
                            "There is no field {name} at the top of this form to place here.",
                            name=quote(name),
                        ),
                        "ui_unknown_field",
                    )
                )
                continue
            if name in placed:
                issues.append(
                    Issue(
                        spot,
                        _(
                            "{name} is already placed at {other}; place each field once.",
                            name=quote(name),
                            other=placed[name],
                        ),
                        "ui_duplicate",
                    )
                )
                continue
            placed[name] = spot
            names.append(name)
        visible_if = None
        if "visible_if" in item:
            visible_if, problems = compile_at(
                item["visible_if"], scope, BOOLEAN, child(where, "visible_if")
            )
            issues.extend(problems)
        sections.append(
            Section(
                tuple(names),
                item.get("title"),
                int(columns),
                visible_if,
                item.get("collapsed") is True,
            )
        )
    rest = tuple(name for name in fields if name not in placed)
    if rest:
        sections.append(Section(rest))
    return tuple(sections)
