"""Exporting the current view of a list to CSV or XLSX.

An export is exactly what the reader's list shows — the same filter, sort and columns, every
page of it — written for people, and laid out so that an import reads it back: a sub-table
column becomes one column per table column (``明细.数量``), the record's own cells stand on its
first row and each table row on a row of its own. Values are written for people: the field
labels as headings in the reader's language, option labels, people's names, dates and moments
in the reader's time zone (:mod:`.sheet_cells`).

Rules: the reader needs the ``export`` grant on the form (:class:`PermissionDenied`
otherwise); records they may not read are never in the file; fields their flow steps hide are
left empty (:mod:`.list_views`); text cells that a spreadsheet would run as a formula are
escaped. The file is built in memory, so an export is limited to :data:`MAX_EXPORT_ROWS`
records: a larger one is refused with a request to narrow the filter.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.orm import Session

from formflow.errors import InvalidInput
from formflow.forms import FieldSpec
from formflow.i18n import Msg, _, pick
from formflow.services import forms as form_service
from formflow.services import list_views, org
from formflow.services.actor import Actor
from formflow.services.authz import Action, can_read_record, require_form_action
from formflow.services.list_views import Column, ListView
from formflow.services.record_reading import NOTHING as NOTHING_HIDDEN
from formflow.services.record_reading import Hidden
from formflow.services.sheet_cells import (
    EMPTY_CELL,
    Cell,
    CellContext,
    table_heading,
    text_cell,
    to_cell,
    user_cell_text,
)
from formflow.storage.models import Form, Record

MAX_EXPORT_ROWS = 50_000
_PAGE = 500
#: Numbers with more significant digits than a spreadsheet keeps are written as text.
_SPREADSHEET_DIGITS = 15
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")

STATUS_WORDS: dict[str, Msg] = {
    "draft": _("Draft"),
    "submitted": _("Submitted"),
    "in_progress": _("In approval"),
    "approved": _("Approved"),
    "rejected": _("Rejected"),
    "withdrawn": _("Withdrawn"),
    "cancelled": _("Cancelled"),
}


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ExportFile:
    """A finished export: the suggested file name, its content type and its bytes."""

    filename: str
    content_type: str
    content: bytes
    rows: int


def status_word(status: str, locale: str) -> str:
    """A record status in words (named ends of flows stay as they are named)."""
    known = STATUS_WORDS.get(status)
    return known.render(locale) if known is not None else status


def parse_format(value: str | None) -> ExportFormat:
    """The export format named in a request; :class:`InvalidInput` for anything else."""
    try:
        return ExportFormat((value or "").lower())
    except ValueError:
        raise InvalidInput(
            _("Unknown export format {value!r}; use csv or xlsx.", value=value or "")
        ) from None


def export_records(
    session: Session,
    actor: Actor,
    form_key: str,
    view: ListView,
    *,
    file_format: ExportFormat,
    locale: str,
    timezone: str,
) -> ExportFile:
    """The records of ``view`` as a file (see the module docstring)."""
    current = form_service.get_form(session, form_key)
    require_form_action(session, actor, current.form, Action.EXPORT)
    first = list_views.table_page(session, actor, form_key, view, limit=_PAGE)
    if first.total is not None and first.total > MAX_EXPORT_ROWS:
        raise InvalidInput(
            _(
                "The list has {count} records; an export holds at most {limit}. Narrow the "
                "filter and export again.",
                count=first.total,
                limit=MAX_EXPORT_ROWS,
            )
        )
    chart = org.load_org_chart(session)
    sheet_columns = _sheet_columns(first.columns)
    headings = [column.heading(locale) for column in sheet_columns]
    rows: list[list[Cell]] = []
    count = 0
    page: list_views.TablePage | None = first
    while page is not None:
        ctx = CellContext(
            locale=locale,
            timezone=timezone,
            chart=chart,
            record_labels=readable_labels(session, actor, link_ids(page.columns, page.records)),
        )
        for record in page.records:
            hidden = page.hidden.get(record.id, NOTHING_HIDDEN)
            rows.extend(_record_rows(sheet_columns, record, hidden, ctx))
            count += 1
        if page.next is None:
            break
        page = list_views.table_page(
            session, actor, form_key, view, limit=_PAGE, cursor=page.next, with_total=False
        )
    title = pick(current.version.title, locale, form_key)
    stamp = datetime.now(CellContext(locale=locale, timezone=timezone).zone).strftime("%Y%m%d")
    filename = f"{safe_name(title) or form_key}-{stamp}.{file_format.value}"
    if file_format is ExportFormat.CSV:
        content = write_csv(headings, rows)
    else:
        content = write_xlsx(title, headings, rows)
    return ExportFile(filename, CONTENT_TYPES[file_format], content, count)


@dataclass(frozen=True)
class _SheetColumn:
    """One column of the file: a list column, or one column of a sub-table the list shows."""

    column: Column
    child: FieldSpec | None = None  # the table's column, when ``column`` is a sub-table

    def heading(self, locale: str) -> str:
        if self.child is None or self.column.spec is None:
            return self.column.title(locale)
        return table_heading(self.column.spec, self.child, locale)


def _sheet_columns(columns: Sequence[Column]) -> list[_SheetColumn]:
    """The list's columns, a sub-table's spread over one column per table column."""
    out: list[_SheetColumn] = []
    for column in columns:
        spec = column.spec
        if spec is not None and spec.is_subtable and spec.children:
            out.extend(_SheetColumn(column, child) for child in spec.children.values())
        else:
            out.append(_SheetColumn(column))
    return out


def _table_rows(spec: FieldSpec, record: Record, hidden: Hidden) -> list[Mapping[str, Any]]:
    if hidden.hides(f"$.{spec.name}"):
        return []
    rows = (record.data or {}).get(spec.name)
    return [row for row in rows if isinstance(row, Mapping)] if isinstance(rows, list) else []


def _record_rows(
    columns: Sequence[_SheetColumn], record: Record, hidden: Hidden, ctx: CellContext
) -> list[list[Cell]]:
    """The sheet rows of one record, laid out as imports read them: the record's own cells
    on its first row, and each sub-table row on a row of its own (the first beside them)."""
    tables = {
        column.column.key: _table_rows(column.column.spec, record, hidden)
        for column in columns
        if column.child is not None and column.column.spec is not None
    }
    height = max([1, *(len(rows) for rows in tables.values())])
    lines: list[list[Cell]] = []
    for index in range(height):
        line: list[Cell] = []
        for column in columns:
            child = column.child
            if child is None:
                line.append(_cell(column.column, record, hidden, ctx) if index == 0 else EMPTY_CELL)
                continue
            rows = tables[column.column.key]
            path = f"$.{column.column.key}[{index}].{child.name}"
            if index < len(rows) and not hidden.hides(path):
                line.append(to_cell(child, rows[index].get(child.name), ctx))
            else:
                line.append(EMPTY_CELL)
        lines.append(line)
    return lines


def _cell(column: Column, record: Record, hidden: Hidden, ctx: CellContext) -> Cell:
    spec = column.spec
    if spec is not None:
        if hidden.hides(f"$.{spec.name}"):
            return EMPTY_CELL
        return to_cell(spec, (record.data or {}).get(spec.name), ctx)
    key = column.key
    if key == "@id":
        return Cell(Decimal(record.id), str(record.id), "0")
    if key == "@status":
        return text_cell(status_word(record.status, ctx.locale))
    if key == "@owner":
        return (
            text_cell(user_cell_text(ctx.chart, record.owner_id)) if record.owner_id else EMPTY_CELL
        )
    moment = getattr(record, key.lstrip("@"), None)
    if isinstance(moment, datetime):
        local = moment.astimezone(ctx.zone).replace(tzinfo=None, microsecond=0)
        return Cell(local, f"{local:%Y-%m-%d %H:%M:%S}", "yyyy-mm-dd hh:mm:ss")
    return EMPTY_CELL


def link_ids(columns: Sequence[Column], records: Sequence[Record]) -> set[int]:
    """The record ids the link columns of these rows point to, in sub-table rows too."""
    specs = [c.spec for c in columns if c.spec is not None]
    names = [spec.name for spec in specs if spec.type_name == "link"]
    in_tables = [
        (spec.name, child.name)
        for spec in specs
        if spec.is_subtable
        for child in spec.children.values()
        if child.type_name == "link"
    ]
    found: set[int] = set()
    for record in records:
        data = record.data or {}
        values = [data.get(name) for name in names]
        for table, name in in_tables:
            rows = data.get(table)
            if isinstance(rows, list):
                values.extend(row.get(name) for row in rows if isinstance(row, Mapping))
        found.update(v for v in values if isinstance(v, int) and not isinstance(v, bool))
    return found


def readable_labels(session: Session, actor: Actor, ids: set[int]) -> dict[int, str]:
    """The labels of the records ``ids`` that the reader may see (others are left out: their
    label is not theirs to know)."""
    if not ids:
        return {}
    labels: dict[int, str] = {}
    forms: dict[int, Form | None] = {}
    for linked in session.scalars(select(Record).where(Record.id.in_(sorted(ids)))):
        if linked.form_id not in forms:
            forms[linked.form_id] = session.get(Form, linked.form_id)
        form = forms[linked.form_id]
        if form is not None and can_read_record(session, actor, form, linked) and linked.label:
            labels[linked.id] = linked.label
    return labels


def safe_name(title: str) -> str:
    """A file name from a form title: no path separators or control characters."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", title).strip(" ._")[:80]


# -- writers ------------------------------------------------------------------------------------


def write_csv(headings: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    """CSV in UTF-8 with a byte-order mark (so spreadsheet programs read Chinese right)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([text_cell(heading).text for heading in headings])
    for row in rows:
        writer.writerow([cell.csv_text for cell in row])
    return out.getvalue().encode("utf-8-sig")


def _sheet_title(title: str) -> str:
    return _SHEET_NAME_BAD.sub("_", title).strip("'")[:31] or "Records"


def _xlsx_value(cell: Cell) -> Any:
    value = cell.value
    if isinstance(value, Decimal):
        digits = len(value.as_tuple().digits)
        if digits > _SPREADSHEET_DIGITS:
            return cell.text  # kept exact as text; an import reads it back exactly
        whole = value == value.to_integral_value() and int(value.as_tuple().exponent) >= 0
        return int(value) if whole else float(value)
    return value


def write_xlsx(
    title: str,
    headings: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    extra: Iterator[tuple[str, Sequence[Sequence[str]]]] | None = None,
) -> bytes:
    """An XLSX workbook: one sheet of records (headings in bold, frozen), then ``extra``
    sheets of plain text (the import template's list of choices)."""
    book = Workbook(write_only=True)
    sheet: Worksheet = book.create_sheet(_sheet_title(title))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    for index, heading in enumerate(headings):
        letter = column_letter(index)
        sheet.column_dimensions[letter].width = min(max(len(heading) * 2 + 4, 12), 40)
    header = []
    for heading in headings:
        cell = WriteOnlyCell(sheet, value=text_cell(heading).text)
        cell.data_type = "s"
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        out = []
        for item in row:
            value = _xlsx_value(item)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever it begins with
            elif item.number_format:
                cell.number_format = item.number_format
            out.append(cell)
        sheet.append(out)
    for name, table in extra or iter(()):
        more: Worksheet = book.create_sheet(_sheet_title(name))
        for line in table:
            cells = []
            for text in line:
                cell = WriteOnlyCell(more, value=text_cell(text).text)
                cell.data_type = "s"
                cells.append(cell)
            more.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def column_letter(index: int) -> str:
    """The spreadsheet column letter of a 0-based index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
