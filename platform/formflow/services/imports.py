"""Importing records from a spreadsheet: a template, a dry run, an all-or-nothing commit.

* **Template** (:func:`import_template`): an XLSX workbook whose first sheet has one column per
  field a person can enter, headed by the field's label in the reader's language, and whose
  second sheet lists the allowed choices of each choice field.
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
from collections.abc import Iterator, Mapping
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
    plan_columns,
)
from formflow.services.import_files import Sheet, SheetRow, read_sheet
from formflow.services.sheet_cells import CellContext, is_empty_cell
from formflow.services.sheet_reading import CellError, from_cell
from formflow.storage.models import Form, Record

_FIELD_OF_PATH = re.compile(r"^\$\.([a-z][a-z0-9_]*)")


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
    fields = importable_fields(form)
    headings = [pick(spec.label, locale, spec.name) for spec in fields]
    choices = [spec for spec in fields if spec.options or spec.type_name == "boolean"]
    columns: list[list[str]] = []
    for spec in choices:
        if spec.type_name == "boolean":
            words = [_("Yes").render(locale), _("No").render(locale)]
        else:
            words = [pick(option.label, locale, option.value) for option in spec.options]
        columns.append([pick(spec.label, locale, spec.name), *words])
    depth = max((len(column) for column in columns), default=0)
    table = [[column[i] if i < len(column) else "" for column in columns] for i in range(depth)]
    title = pick(current.version.title, locale, form_key)
    sheet_name = _("Choices").render(locale)
    content = exports.write_xlsx(title, headings, [], iter([(sheet_name, table)]))
    name = _("{form} import template", form=title).render(locale)
    return exports.ExportFile(
        f"{exports.safe_name(name) or form_key}.xlsx",
        exports.CONTENT_TYPES[exports.ExportFormat.XLSX],
        content,
        0,
    )


# -- the job --------------------------------------------------------------------------------


def _column_order(problem: Problem) -> tuple[int, str]:
    """Problems of a row in the order of its columns; those of the whole row last."""
    return (len(problem.letter), problem.letter) if problem.letter else (99, "")


def _field_of(path: str) -> str | None:
    """The top-level field a JSON path points into (``$.items[0].qty`` -> ``items``)."""
    match = _FIELD_OF_PATH.match(path)
    return match.group(1) if match else None


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
        self._rows: list[tuple[SheetRow, dict[str, Any]]] = []

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
        self._rows = []
        plan_columns(self.form, self.sheet.headings, self.report, self.locale)
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
        for done, row in enumerate(self.sheet.rows, start=1):
            data, problems = self._read_row(row)
            if not problems:
                problems = self._validate(row, data)
            problems.sort(key=_column_order)
            if problems:
                self.report.bad_rows += 1
                for problem in problems:
                    self.report.add(problem)
            self._rows.append((row, data))
            yield Progress("check", done, self.total)

    def _read_row(self, row: SheetRow) -> tuple[dict[str, Any], list[Problem]]:
        data: dict[str, Any] = {}
        problems: list[Problem] = []
        for index, raw in enumerate(row.cells):
            if (index >= self.report.width or index in self.report.headless) and not (
                is_empty_cell(raw)
            ):
                problems.append(
                    Problem(
                        row.number,
                        column_letter(index),
                        "",
                        _(
                            "This cell is in a column without a heading; give the column a "
                            "field's name as its heading, or empty the cell."
                        ),
                    )
                )
        for column in self.report.columns:
            if column.spec is None:
                continue
            raw = row.cell(column.index)
            try:
                value = from_cell(column.spec, raw, self.ctx, row.number_format(column.index))
            except CellError as error:
                problems.append(Problem(row.number, column.letter, column.heading, error.message))
                continue
            if value is not None:
                data[column.spec.name] = value
        return data, problems

    def _validate(self, row: SheetRow, data: dict[str, Any]) -> list[Problem]:
        preview = records.preview_record(self.session, self.actor, self.form_key, data)
        columns = {c.spec.name: c for c in self.report.columns if c.spec is not None}
        missing = self.report.missing
        return [
            self._problem(row, issue, columns)
            for issue in preview.issues
            # A required column missing altogether is said once, on the heading row.
            if not (issue.code == "required" and _field_of(issue.path) in missing)
        ]

    def _problem(self, row: SheetRow, issue: Issue, columns: Mapping[str, ColumnPlan]) -> Problem:
        name = _field_of(issue.path)
        column = columns.get(name) if name else None
        if column is None:
            return Problem(row.number, "", "", issue.message)
        return Problem(row.number, column.letter, column.heading, issue.message)

    def commit(self) -> Iterator[Progress]:
        """The dry run, then — when no row has a problem — every row created, all or
        nothing (see the module docstring)."""
        yield from self.check()
        if not self.report.ok:
            return
        savepoint = self.session.begin_nested()
        created: list[int] = []
        yield Progress("save", 0, self.total)
        for done, (row, data) in enumerate(self._rows, start=1):
            try:
                view = records.create_record(self.session, self.actor, self.form_key, data)
            except FormflowError as error:
                savepoint.rollback()
                self._refuse(row, error)
                return
            created.append(view.record.id)
            yield Progress("save", done, self.total)
        savepoint.commit()
        self.created = created

    def _refuse(self, row: SheetRow, error: FormflowError) -> None:
        columns = {c.spec.name: c for c in self.report.columns if c.spec is not None}
        self.report.bad_rows = 1
        issues = list(error.issues)
        if not issues:
            self.report.add(Problem(row.number, "", "", error.message))
        for issue in issues:
            self.report.add(self._problem(row, issue, columns))
