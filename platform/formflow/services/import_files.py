"""Reading an uploaded spreadsheet (XLSX or CSV) into a header row and data rows.

Uploads are untrusted. An XLSX file is a zip archive: its unpacked size is checked before
openpyxl opens it (a small file must not unpack into gigabytes), and only the first sheet is
read, streaming, with cached values (formulas are never evaluated). A CSV file may be UTF-8
(with or without a byte-order mark) or GB18030 — what spreadsheet programs on Chinese systems
save — and separated by commas, semicolons or tabs. Whatever the library raises on a damaged
file becomes one :class:`~formflow.errors.InvalidInput` that says what to do.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from formflow.errors import InvalidInput
from formflow.i18n import _
from formflow.services.sheet_cells import RawCell, is_empty_cell

MAX_ROWS = 10_000
MAX_COLUMNS = 200
#: The most an XLSX upload may unpack to.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPES = frozenset({"text/csv", "text/plain"})


@dataclass(frozen=True)
class SheetRow:
    """One data row: its row number as the spreadsheet shows it (the header is row 1), its
    cells, and each cell's number format (XLSX only; tells 12.5 % from 12.5)."""

    number: int
    cells: tuple[RawCell, ...]
    formats: tuple[str | None, ...] = ()

    def cell(self, index: int) -> RawCell:
        return self.cells[index] if index < len(self.cells) else None

    def number_format(self, index: int) -> str | None:
        return self.formats[index] if index < len(self.formats) else None

    @property
    def is_blank(self) -> bool:
        return all(is_empty_cell(cell) for cell in self.cells)


@dataclass(frozen=True)
class Sheet:
    headings: tuple[str, ...]
    rows: tuple[SheetRow, ...]


def read_sheet(path: Path, content_type: str, filename: str) -> Sheet:
    """The first sheet of an uploaded XLSX or CSV file; blank rows are left out."""
    if content_type == XLSX_TYPE:
        return _read_xlsx(path, filename)
    if content_type in CSV_TYPES or filename.lower().endswith(".csv"):
        return _read_csv(path.read_bytes(), filename)
    raise InvalidInput(
        _(
            "{name} is not a spreadsheet; upload an .xlsx workbook or a .csv file (the "
            "template is an .xlsx workbook).",
            name=filename,
        )
    )


def _too_many_rows(filename: str) -> InvalidInput:
    return InvalidInput(
        _(
            "{name} has more than {limit} rows; split it into several files and import them "
            "one after another.",
            name=filename,
            limit=MAX_ROWS,
        )
    )


def _damaged(filename: str) -> InvalidInput:
    return InvalidInput(
        _(
            "{name} could not be read as an .xlsx workbook; open it in your spreadsheet "
            "program, save it again as .xlsx (or .csv) and upload that.",
            name=filename,
        )
    )


def _read_xlsx(path: Path, filename: str) -> Sheet:
    from openpyxl import load_workbook  # noqa: PLC0415 - only imports need the reader

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        raise _damaged(filename) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise InvalidInput(
            _(
                "{name} unpacks to more than {limit} MB; split it into smaller files.",
                name=filename,
                limit=MAX_UNPACKED_BYTES // 1024 // 1024,
            )
        )
    try:
        # From memory (the upload limit bounds it): stored uploads have no file extension,
        # which openpyxl would insist on for a path.
        book = load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise _damaged(filename) from None
    try:
        return _sheet_of(book.worksheets[0] if book.worksheets else None, filename)
    except InvalidInput:
        raise
    except Exception:
        raise _damaged(filename) from None
    finally:
        book.close()


def _sheet_of(sheet: Any, filename: str) -> Sheet:
    if sheet is None:
        return Sheet((), ())
    headings: tuple[str, ...] = ()
    rows: list[SheetRow] = []
    for number, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
        values = _cut(tuple(_value(cell.value) for cell in row))
        if number == 1:
            headings = tuple("" if value is None else str(value) for value in values)
            continue
        formats = tuple(getattr(cell, "number_format", None) for cell in row)[: len(values)]
        line = SheetRow(number, values, formats)
        if line.is_blank:
            continue
        if len(rows) >= MAX_ROWS:
            raise _too_many_rows(filename)
        rows.append(line)
    return Sheet(_trim(headings), tuple(rows))


def _value(value: Any) -> RawCell:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "isoformat"):
        return value  # type: ignore[no-any-return]  # date, datetime, time
    return str(value)


def _cut(values: tuple[RawCell, ...]) -> tuple[RawCell, ...]:
    """A row without its empty cells at the end (a sheet pads rows to its widest one)."""
    end = len(values)
    while end and is_empty_cell(values[end - 1]):
        end -= 1
    return values[:end]


def _trim(headings: tuple[str, ...]) -> tuple[str, ...]:
    end = len(headings)
    while end and not headings[end - 1].strip():
        end -= 1
    return headings[:end]


def _decode(content: bytes, filename: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput(
        _("{name} is not a text file in UTF-8; save it again as “CSV UTF-8”.", name=filename)
    )


def _read_csv(content: bytes, filename: str) -> Sheet:
    text = _decode(content, filename)
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headings: tuple[str, ...] = ()
    rows: list[SheetRow] = []
    try:
        for number, values in enumerate(reader, start=1):
            cells = tuple(values[:MAX_COLUMNS])
            if number == 1:
                headings = cells
                continue
            line = SheetRow(number, cells)
            if line.is_blank:
                continue
            if len(rows) >= MAX_ROWS:
                raise _too_many_rows(filename)
            rows.append(line)
    except csv.Error:
        raise InvalidInput(
            _(
                "{name} is not a valid CSV file; save it again from your spreadsheet program.",
                name=filename,
            )
        ) from None
    return Sheet(_trim(headings), tuple(rows))
