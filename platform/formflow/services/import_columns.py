"""Matching the columns of an uploaded spreadsheet to a form's fields, and the report of an
import's problems.

Columns are matched by heading: a field's label in any supported language, or its name
(case, width and spaces do not matter). A column of a sub-table is headed by the table's and
the column's label joined with a dot (``明细.数量``, ``Lines.Qty``). Columns of the record's
own facts (No., Status, Created …, as an export writes them) and of fields the platform fills
in (computed values, serial numbers, files) are skipped; a column that matches nothing is a
problem of the heading row, so no data is silently dropped. Problems carry the row number and
column letter as the spreadsheet shows them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from formflow.forms import CompiledForm, FieldSpec
from formflow.i18n import SUPPORTED_LOCALES, Msg, _, pick
from formflow.services.exports import column_letter
from formflow.services.list_views import SYSTEM_COLUMNS, field_order
from formflow.services.sheet_cells import NOT_IMPORTABLE, table_heading

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
    ignore it (``spec`` None). ``table`` is the sub-table when the column is one of its
    columns (read or skipped)."""

    index: int
    letter: str
    heading: str
    spec: FieldSpec | None
    table: FieldSpec | None = None

    @property
    def key(self) -> str:
        """The field path the column fills: ``amount``, or ``lines.qty`` for a table's column."""
        if self.spec is None:
            return ""
        return f"{self.table.name}.{self.spec.name}" if self.table else self.spec.name


@dataclass
class ImportReport:
    """The outcome of a dry run (or of a refused commit)."""

    rows: int = 0
    #: Records the rows make (more rows than records when sub-table rows continue a record).
    records: int = 0
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


def _enterable(spec: FieldSpec) -> bool:
    return not spec.is_system and spec.type_name not in NOT_IMPORTABLE


def importable_fields(form: CompiledForm) -> list[FieldSpec]:
    """The fields an import fills in, required ones first: every top-level field a person
    enters when submitting, except files, places and tables (and fields only the flow
    fills in)."""
    return _required_first(spec for spec in _entered_fields(form) if _enterable(spec))


def _required_first(specs: Iterable[FieldSpec]) -> list[FieldSpec]:
    listed = list(specs)
    return [spec for spec in listed if spec.required] + [s for s in listed if not s.required]


def _entered_fields(form: CompiledForm) -> list[FieldSpec]:
    flow_only = set(form.flow_only)  # filled in by the flow, never by whoever submits
    return [form.fields[name] for name in field_order(form) if name not in flow_only]


def importable_tables(form: CompiledForm) -> list[tuple[FieldSpec, list[FieldSpec]]]:
    """Each top-level sub-table a person fills in, with the columns an import reads into its
    rows (required ones first). A table inside a table row is not imported."""
    tables = []
    for spec in _entered_fields(form):
        if not spec.is_subtable:
            continue
        columns = _required_first(c for c in spec.children.values() if _enterable(c))
        if columns:
            tables.append((spec, columns))
    return tables


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split()).rstrip("*").strip()


def _labels(spec: FieldSpec) -> set[str]:
    names = {spec.name}
    for locale in SUPPORTED_LOCALES:
        names.add(pick(spec.label, locale, spec.name))
    if isinstance(spec.label, Mapping):
        names.update(text for text in spec.label.values() if isinstance(text, str))
    return names


def _names_of(spec: FieldSpec) -> set[str]:
    return {_fold(name) for name in _labels(spec)}


def _column_names(table: FieldSpec, column: FieldSpec) -> set[str]:
    return {_fold(f"{outer}.{inner}") for outer in _labels(table) for inner in _labels(column)}


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
    by_name: dict[str, tuple[FieldSpec, FieldSpec | None]] = {}
    for candidate in form.fields.values():
        for name in _names_of(candidate):
            by_name.setdefault(name, (candidate, None))
    for owner in form.fields.values():  # every table column: read, or skipped (computed)
        for column in owner.children.values() if owner.is_subtable else ():
            for name in _column_names(owner, column):
                by_name.setdefault(name, (column, owner))
    tables = importable_tables(form)
    system = _system_headings()
    used: dict[str, str] = {}
    report.width = len(headings)
    for index, heading in enumerate(headings):
        letter = column_letter(index)
        folded = _fold(heading)
        if not folded:
            report.headless.add(index)  # a spacer; a value in it is a problem of its row
            continue
        found = by_name.get(folded)
        spec: FieldSpec | None = found[0] if found else None
        table: FieldSpec | None = found[1] if found else None
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
        if not _enterable(spec) or (table is not None and not _table_read(tables, table, spec)):
            # An export's summary of a table, files or a computed value (of a table's row
            # too): not read back.
            report.ignored.append(heading)
            report.columns.append(ColumnPlan(index, letter, heading, None, table))
            continue
        plan = ColumnPlan(index, letter, heading, spec, table)
        if plan.key in used:
            report.add(
                Problem(
                    1,
                    letter,
                    heading,
                    _(
                        "Column {other} is already read into this field; keep only one of the two.",
                        other=used[plan.key],
                    ),
                )
            )
            continue
        used[plan.key] = letter
        report.columns.append(plan)
    read_tables = {plan.table.name for plan in report.columns if plan.table is not None}
    for wanted in form.fields.values():
        if wanted.name in read_tables:
            continue
        if wanted.required and not wanted.is_system and wanted.name not in used:
            _missing(report, wanted.name, pick(wanted.label, locale, wanted.name))
    for table, columns in tables:
        if table.name not in read_tables:
            continue
        for column in columns:
            if column.required and f"{table.name}.{column.name}" not in used:
                _missing(
                    report, f"{table.name}.{column.name}", table_heading(table, column, locale)
                )


def _table_read(
    tables: Sequence[tuple[FieldSpec, list[FieldSpec]]], table: FieldSpec, column: FieldSpec
) -> bool:
    """True when an import reads ``column`` into the rows of ``table``."""
    return any(owner is table and column in columns for owner, columns in tables)


def _missing(report: ImportReport, key: str, heading: str) -> None:
    report.missing.add(key)
    report.add(
        Problem(1, "", "", _("The required column “{field}” is missing; add it.", field=heading))
    )
