"""Importing records from a spreadsheet: a template, a dry run, an all-or-nothing commit.

* **Template** (:func:`import_template`): an XLSX workbook whose first sheet has one column per
  field a person can enter, headed by the field's label in the reader's language (a sub-table's
  columns as ``明细.数量``), and whose second sheet lists the allowed choices of each choice
  field.
* **Sub-table rows**: a row with a value in any of the record's own columns (fields, or the
  number and status an export writes) starts a record; the rows below it that fill in only
  sub-table columns add rows to its tables. The starting row may hold the first table row
  itself. So an order with three lines takes three sheet rows, the order's fields written on
  the first — the layout exports write.
* **Dry run** (:meth:`ImportJob.check`): every row is read with :mod:`.sheet_cells` and then
  checked exactly as a submission through the API is — ``CompiledForm.prepare`` and the
  reference checks (:func:`formflow.services.records.preview_record`). Every bad cell and row is
  reported with its row number and column as the spreadsheet shows them, in the reader's
  language. Nothing is written.
* **Commit** (:meth:`ImportJob.commit`): the dry run again (the file or the data may have
  changed since), then — only if no row has a problem — every row is created as a submitted
  record (flows start as they do for any submission) inside one savepoint of the caller's
  transaction. When a row still fails at that point (a unique value taken by another row of the
  same file, a ledger rule), the savepoint is rolled back, that row is reported, and nothing
  of the import remains: all or nothing.

Both phases run step by step (:class:`Progress` after each row) so a page can show a progress
bar while one long transaction does the work.

How columns are matched to fields, and the report: :mod:`.import_columns`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from formflow.errors import FormflowError, Issue
from formflow.i18n import _, pick
from formflow.services import attachments, exports, org, records
from formflow.services import forms as form_service
from formflow.services.actor import Actor
from formflow.services.authz import Action, can_read_record, require_form_action
from formflow.services.exports import column_letter
from formflow.services.import_columns import (
    ColumnPlan,
    ImportReport,
    Problem,
    importable_fields,
    importable_tables,
    plan_columns,
)
from formflow.services.import_files import Sheet, SheetRow, read_sheet
from formflow.services.sheet_cells import CellContext, is_empty_cell, table_heading
from formflow.services.sheet_reading import CellError, from_cell
from formflow.storage.models import Form, Record

_FIELD_OF_PATH = re.compile(r"^\$\.([a-z][a-z0-9_]*)(?:\[(\d+)\](?:\.([a-z][a-z0-9_]*))?)?")


@dataclass(frozen=True)
class Progress:
    """How far a phase has come: ``phase`` is ``check`` or ``save``."""

    phase: str
    done: int
    total: int


# -- the template ---------------------------------------------------------------------------


def import_template(
    session: Session, actor: Actor, form_key: str, locale: str
) -> exports.ExportFile:
    """The import template of a form (needs the ``create`` grant)."""
    current = form_service.get_form(session, form_key)
    require_form_action(session, actor, current.form, Action.CREATE)
    form = form_service.compiled(session, current)
    fields = [(pick(spec.label, locale, spec.name), spec) for spec in importable_fields(form)]
    for table, table_columns in importable_tables(form):
        fields.extend((table_heading(table, column, locale), column) for column in table_columns)
    headings = [heading for heading, _spec in fields]
    columns: list[list[str]] = []
    for heading, spec in fields:
        if spec.type_name == "boolean":
            words = [_("Yes").render(locale), _("No").render(locale)]
        elif spec.options:
            words = [pick(option.label, locale, option.value) for option in spec.options]
        else:
            continue
        columns.append([heading, *words])
    depth = max((len(column) for column in columns), default=0)
    grid = [[column[i] if i < len(column) else "" for column in columns] for i in range(depth)]
    title = pick(current.version.title, locale, form_key)
    sheet_name = _("Choices").render(locale)
    content = exports.write_xlsx(title, headings, [], iter([(sheet_name, grid)]))
    name = _("{form} import template", form=title).render(locale)
    return exports.ExportFile(
        f"{exports.safe_name(name) or form_key}.xlsx",
        exports.CONTENT_TYPES[exports.ExportFormat.XLSX],
        content,
        0,
    )


# -- the job --------------------------------------------------------------------------------


def _position(problem: Problem) -> tuple[int, int, str]:
    """Problems by row, then in the order of the row's columns; those of the whole row last."""
    if problem.letter:
        return (problem.row, len(problem.letter), problem.letter)
    return (problem.row, 99, "")


def _field_of(path: str) -> str | None:
    """The top-level field a JSON path points into (``$.items[0].qty`` -> ``items``)."""
    match = _FIELD_OF_PATH.match(path)
    return match.group(1) if match else None


def _column_of(path: str) -> tuple[str, int, str] | None:
    """``(table, row index, column)`` of a path into a sub-table row (``$.items[0].qty``)."""
    match = _FIELD_OF_PATH.match(path)
    if match is None or match.group(2) is None or match.group(3) is None:
        return None
    return match.group(1), int(match.group(2)), match.group(3)


@dataclass
class _Entry:
    """One record of the file: its rows (the first holds the record's own fields), the data
    read from them, and the sheet row each sub-table row came from."""

    rows: list[SheetRow]
    data: dict[str, Any]
    table_rows: dict[tuple[str, int], SheetRow]

    @property
    def first(self) -> SheetRow:
        return self.rows[0]


class ImportJob:
    """One import of an uploaded file into a form, by one person (see the module docstring).

    ``check()`` and ``commit()`` are generators of :class:`Progress`; when they finish,
    ``report`` holds the outcome and ``created`` the ids of the records a commit wrote.
    """

    def __init__(
        self,
        session: Session,
        actor: Actor,
        form_key: str,
        upload_id: int,
        *,
        uploads: Path,
        locale: str,
        timezone: str,
    ) -> None:
        self.session = session
        self.actor = actor
        self.form_key = form_key
        self.locale = locale
        current = form_service.get_form(session, form_key)
        require_form_action(session, actor, current.form, Action.CREATE)
        self.form = form_service.compiled(session, current)
        stored = attachments.open_attachment(session, actor, uploads, upload_id)
        self.filename = stored.attachment.filename
        self.sheet: Sheet = read_sheet(stored.path, stored.attachment.content_type, self.filename)
        self.ctx = CellContext(
            locale=locale,
            timezone=timezone,
            chart=org.load_org_chart(session),
            find_records=self._find_records,
        )
        self.report = ImportReport()
        self.created: list[int] = []
        self._entries: list[_Entry] = []
        # How the file's columns are read, from plan_columns (see _plan).
        self._own: list[ColumnPlan] = []
        self._record_columns: list[ColumnPlan] = []
        self._tables: dict[str, list[ColumnPlan]] = {}
        self._by_key: dict[str, ColumnPlan] = {}

    @property
    def total(self) -> int:
        return len(self.sheet.rows)

    def _find_records(self, form_key: str, label: str) -> list[int]:
        """Records of ``form_key`` labelled ``label`` that the importer may read."""
        form = self.session.scalar(select(Form).where(Form.key == form_key))
        if form is None:
            return []
        found = self.session.scalars(
            select(Record)
            .where(Record.form_id == form.id, Record.label == label, Record.deleted_at.is_(None))
            .limit(5)
        )
        return [r.id for r in found if can_read_record(self.session, self.actor, form, r)]

    def check(self) -> Iterator[Progress]:
        """The dry run: every row read and validated; nothing written."""
        self.report = ImportReport(rows=self.total)
        self._entries = []
        self._plan()
        if not self.sheet.rows:
            self.report.add(
                Problem(
                    1,
                    "",
                    "",
                    _(
                        "{name} has no rows below the headings; nothing to import.",
                        name=self.filename,
                    ),
                )
            )
        yield Progress("check", 0, self.total)
        done = 0
        bad_rows: set[int] = set()
        for rows in self._groups():
            entry, problems = self._read_entry(rows)
            if not problems:
                problems = self._validate(entry)
            problems.sort(key=_position)
            bad_rows.update(problem.row for problem in problems)
            for problem in problems:
                self.report.add(problem)
            self._entries.append(entry)
            done += len(rows)
            yield Progress("check", done, self.total)
        self.report.records = len(self._entries)
        self.report.bad_rows = len(bad_rows)

    def _plan(self) -> None:
        """Match the headings to fields, and sort the read columns once for every row."""
        plan_columns(self.form, self.sheet.headings, self.report, self.locale)
        read = [c for c in self.report.columns if c.spec is not None]
        self._own = [c for c in read if c.table is None]
        # Any column of the record's own, read or skipped: an export writes the record's
        # number, status and computed values on its first row only.
        self._record_columns = [c for c in self.report.columns if c.table is None]
        self._tables = {}
        for column in read:
            if column.table is not None:
                self._tables.setdefault(column.table.name, []).append(column)
        self._by_key = {c.key: c for c in read}

    def _groups(self) -> Iterator[list[SheetRow]]:
        """The sheet's rows, one list per record (see the module docstring)."""
        group: list[SheetRow] = []
        for row in self.sheet.rows:
            starts = not self._tables or any(
                not is_empty_cell(row.cell(c.index)) for c in self._record_columns
            )
            if group and starts:
                yield group
                group = []
            group.append(row)
        if group:
            yield group

    def _read_entry(self, rows: list[SheetRow]) -> tuple[_Entry, list[Problem]]:
        entry = _Entry(rows, {}, {})
        problems: list[Problem] = []
        for row in rows:
            problems.extend(self._headless(row))
        entry.data, own_problems = self._read_cells(entry.first, self._own)
        problems.extend(own_problems)
        for row in rows:
            for name, columns in self._tables.items():
                if all(is_empty_cell(row.cell(c.index)) for c in columns):
                    continue
                values, row_problems = self._read_cells(row, columns)
                problems.extend(row_problems)
                table_rows = entry.data.setdefault(name, [])
                entry.table_rows[(name, len(table_rows))] = row
                table_rows.append(values)
        return entry, problems

    def _headless(self, row: SheetRow) -> Iterator[Problem]:
        for index, raw in enumerate(row.cells):
            if (index >= self.report.width or index in self.report.headless) and not (
                is_empty_cell(raw)
            ):
                yield Problem(
                    row.number,
                    column_letter(index),
                    "",
                    _(
                        "This cell is in a column without a heading; give the column a "
                        "field's name as its heading, or empty the cell."
                    ),
                )

    def _read_cells(
        self, row: SheetRow, columns: list[ColumnPlan]
    ) -> tuple[dict[str, Any], list[Problem]]:
        data: dict[str, Any] = {}
        problems: list[Problem] = []
        for column in columns:
            assert column.spec is not None
            raw = row.cell(column.index)
            try:
                value = from_cell(column.spec, raw, self.ctx, row.number_format(column.index))
            except CellError as error:
                problems.append(Problem(row.number, column.letter, column.heading, error.message))
                continue
            if value is not None:
                data[column.spec.name] = value
        return data, problems

    def _validate(self, entry: _Entry) -> list[Problem]:
        preview = records.preview_record(self.session, self.actor, self.form_key, entry.data)
        return [
            self._problem(entry, issue)
            for issue in preview.issues
            # A required column missing altogether is said once, on the heading row.
            if not (issue.code == "required" and self._missing_column(issue.path))
        ]

    def _missing_column(self, path: str) -> bool:
        missing = self.report.missing
        inside = _column_of(path)
        return _field_of(path) in missing or (
            inside is not None and f"{inside[0]}.{inside[2]}" in missing
        )

    def _problem(self, entry: _Entry, issue: Issue) -> Problem:
        """``issue`` at the sheet row and column it came from (a table row's own row)."""
        row, key = entry.first, _field_of(issue.path)
        inside = _column_of(issue.path)
        if inside is not None and (inside[0], inside[1]) in entry.table_rows:
            row, key = entry.table_rows[(inside[0], inside[1])], f"{inside[0]}.{inside[2]}"
        column = self._by_key.get(key) if key else None
        if column is None:
            return Problem(row.number, "", "", issue.message)
        return Problem(row.number, column.letter, column.heading, issue.message)

    def commit(self) -> Iterator[Progress]:
        """The dry run, then — when no row has a problem — every record created, all or
        nothing (see the module docstring)."""
        yield from self.check()
        if not self.report.ok:
            return
        savepoint = self.session.begin_nested()
        created: list[int] = []
        yield Progress("save", 0, self.total)
        done = 0
        for entry in self._entries:
            try:
                view = records.create_record(self.session, self.actor, self.form_key, entry.data)
            except FormflowError as error:
                savepoint.rollback()
                self._refuse(entry, error)
                return
            created.append(view.record.id)
            done += len(entry.rows)
            yield Progress("save", done, self.total)
        savepoint.commit()
        self.created = created

    def _refuse(self, entry: _Entry, error: FormflowError) -> None:
        issues = list(error.issues)
        problems = [self._problem(entry, issue) for issue in issues] or [
            Problem(entry.first.number, "", "", error.message)
        ]
        self.report.bad_rows = len({problem.row for problem in problems})
        for problem in sorted(problems, key=_position):
            self.report.add(problem)
