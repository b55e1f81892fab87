"""Matching the columns of an uploaded spreadsheet to a form's fields, and the report of an
import's problems.

Columns are matched by heading: a field's label in any supported language, or its name
(case, width and spaces do not matter). Columns of the record's own facts (No., Status,
Created …, as an export writes them) and of fields the platform fills in (computed values,
serial numbers, files, tables) are skipped; a column that matches nothing is a problem of the
heading row, so no data is silently dropped. Problems carry the row number and column letter
as the spreadsheet shows them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from formflow.forms import CompiledForm, FieldSpec
from formflow.i18n import SUPPORTED_LOCALES, Msg, _, pick
from formflow.services.exports import column_letter
from formflow.services.list_views import SYSTEM_COLUMNS, field_order
from formflow.services.sheet_cells import NOT_IMPORTABLE

#: At most this many problems are listed; the count says how many there are in all.
MAX_LISTED = 2_000


@dataclass(frozen=True)
class Problem:
    """One problem: the spreadsheet row (1 is the heading row), the column's letter and
    heading (empty for a problem with the whole row) and what is wrong."""

    row: int
    letter: str
    heading: str
    message: Msg


@dataclass(frozen=True)
class ColumnPlan:
    """What an import does with one column of the file: read it into ``spec``'s field, or
    ignore it (``spec`` None)."""

    index: int
    letter: str
    heading: str
    spec: FieldSpec | None


@dataclass
class ImportReport:
    """The outcome of a dry run (or of a refused commit)."""

    rows: int = 0
    bad_rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    ignored: list[str] = field(default_factory=list)
    columns: list[ColumnPlan] = field(default_factory=list)
    missing: set[str] = field(default_factory=set)
    headless: set[int] = field(default_factory=set)
    width: int = 0

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def add(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_LISTED:
            self.problems.append(problem)


def importable_fields(form: CompiledForm) -> list[FieldSpec]:
    """The fields an import fills in, required ones first: every top-level field a person
    enters when submitting, except files, places and tables (and fields only the flow
    fills in)."""
    flow_only = set(form.flow_only)  # filled in by the flow, never by whoever submits
    fields = [form.fields[name] for name in field_order(form) if name not in flow_only]
    required = [spec for spec in fields if spec.required]
    return [
        spec
        for spec in [*required, *(spec for spec in fields if not spec.required)]
        if not spec.is_system and spec.type_name not in NOT_IMPORTABLE
    ]


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split()).rstrip("*").strip()


def _names_of(spec: FieldSpec) -> set[str]:
    names = {_fold(spec.name)}
    for locale in SUPPORTED_LOCALES:
        names.add(_fold(pick(spec.label, locale, spec.name)))
    if isinstance(spec.label, Mapping):
        names.update(_fold(text) for text in spec.label.values() if isinstance(text, str))
    return names


def _system_headings() -> set[str]:
    names = {"id", "#"}
    for heading, _sort in SYSTEM_COLUMNS.values():
        for locale in SUPPORTED_LOCALES:
            names.add(_fold(heading.render(locale)))
    return names


def plan_columns(
    form: CompiledForm, headings: Sequence[str], report: ImportReport, locale: str
) -> None:
    """Match the file's headings to fields (filling ``report.columns``); headings that match
    nothing, repeat a field or are missing for a required field become problems of row 1."""
    by_name: dict[str, FieldSpec] = {}
    for candidate in form.fields.values():
        for name in _names_of(candidate):
            by_name.setdefault(name, candidate)
    system = _system_headings()
    used: dict[str, str] = {}
    report.width = len(headings)
    for index, heading in enumerate(headings):
        letter = column_letter(index)
        folded = _fold(heading)
        if not folded:
            report.headless.add(index)  # a spacer; a value in it is a problem of its row
            continue
        spec = by_name.get(folded)
        if spec is None and folded in system:
            report.ignored.append(heading)
            report.columns.append(ColumnPlan(index, letter, heading, None))
            continue
        if spec is None:
            report.add(
                Problem(
                    1,
                    letter,
                    heading,
                    _(
                        "No field of this form is called “{heading}”; use the headings of the "
                        "import template.",
                        heading=heading,
                    ),
                )
            )
            continue
        if spec.is_system or spec.type_name in NOT_IMPORTABLE:
            report.ignored.append(heading)
            report.columns.append(ColumnPlan(index, letter, heading, None))
            continue
        if spec.name in used:
            report.add(
                Problem(
                    1,
                    letter,
                    heading,
                    _(
                        "Column {other} is already read into this field; keep only one of the two.",
                        other=used[spec.name],
                    ),
                )
            )
            continue
        used[spec.name] = letter
        report.columns.append(ColumnPlan(index, letter, heading, spec))
    for wanted in form.fields.values():
        if wanted.required and not wanted.is_system and wanted.name not in used:
            label = pick(wanted.label, locale, wanted.name)
            report.missing.add(wanted.name)
            report.add(
                Problem(
                    1,
                    "",
                    "",
                    _("The required column “{field}” is missing; add it.", field=label),
                )
            )
