"""Record values as spreadsheet cells (reading them back: :mod:`.sheet_reading`).

Exports (CSV, XLSX) and imports share this one codec, so what an export writes an import reads
back to the same value — the round trip the list page promises. Cells are written for people:
option labels instead of codes, names instead of user ids, dates as ``2026-01-31``, moments in
the reader's time zone, ``Yes``/``No`` in the reader's language. Reading is forgiving where
people are (labels in either language, ``1,234.50``, ``2026/1/31``, a Yes in Chinese) and
strict where it matters (an option that does not exist is an error, never a guess).

Formula injection (CSV injection): a text cell that a spreadsheet would run as a formula —
one beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return — is written with a
leading apostrophe, which spreadsheets show as text; reading removes exactly that apostrophe.
Plain numbers (``-5``) are left alone: they are values, not formulas.

``RawCell`` is what a spreadsheet reader hands back for one cell.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from formflow.forms import FieldSpec
from formflow.i18n import _, pick
from formflow.orgchart import OrgChart

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
TEXT_TYPES = frozenset({"text", "textarea", "email", "phone", "url", "idcard", "uscc", "serial"})
NUMBER_TYPES = frozenset({"number", "integer", "money", "rating", "rollup"})
#: Field types a spreadsheet cannot carry back (files, places, tables).
NOT_IMPORTABLE = frozenset({"attachments", "images", "signature", "location", "subtable"})


def escape_text(text: str) -> str:
    """``text`` safe to put in a spreadsheet cell (see the module docstring)."""
    if text.lstrip("'")[:1] in FORMULA_TRIGGERS:
        return "'" + text
    return text


def unescape_text(text: str) -> str:
    """The inverse of :func:`escape_text`: one protecting apostrophe removed."""
    if text[:1] == "'" and text.lstrip("'")[:1] in FORMULA_TRIGGERS:
        return text[1:]
    return text


@dataclass(frozen=True)
class Cell:
    """One cell: ``value`` typed for XLSX (text, Decimal, date, datetime), ``text`` for CSV.

    ``number_format`` is the XLSX display format; ``is_text`` marks cells that are text to a
    spreadsheet (escaped against formula injection)."""

    value: str | Decimal | date | datetime | None
    text: str
    number_format: str | None = None

    @property
    def is_text(self) -> bool:
        return isinstance(self.value, str)

    @property
    def csv_text(self) -> str:
        """The text for a CSV file: text cells are escaped already; a number cell is a plain
        number; anything else that a spreadsheet could read as a formula is escaped."""
        if self.is_text or _PLAIN_NUMBER.match(self.text):
            return self.text
        return escape_text(self.text)


EMPTY_CELL = Cell(None, "")
RawCell = str | int | float | Decimal | bool | date | datetime | time | None


def table_heading(table: FieldSpec, column: FieldSpec, locale: str) -> str:
    """The heading of a sub-table's column in ``locale``: ``明细.数量``. Exports write a
    table's columns under it and imports read them back by it."""
    return f"{pick(table.label, locale, table.name)}.{pick(column.label, locale, column.name)}"


def is_empty_cell(raw: RawCell) -> bool:
    """True for a cell with nothing in it (spaces count as nothing)."""
    return raw is None or (isinstance(raw, str) and not raw.strip())


def text_cell(text: str) -> Cell:
    """A text cell, escaped against formula injection."""
    safe = escape_text(text)
    return Cell(safe, safe)


@dataclass(frozen=True)
class CellContext:
    """What turning values into cells and back needs: the reader's language and time zone,
    the org (names), labels of linked records the reader may see, and — when reading — a way
    to find a linked record by its label (``(form, label) -> ids``)."""

    locale: str
    timezone: str
    chart: OrgChart = field(default_factory=OrgChart)
    record_labels: Mapping[int, str] = field(default_factory=dict)
    find_records: Callable[[str, str], Sequence[int]] | None = None

    @property
    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("Asia/Shanghai")

    @property
    def list_separator(self) -> str:
        return "、" if self.locale == "zh-CN" else ", "


# -- writing -----------------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def plain_number(number: Decimal) -> str:
    """A decimal without exponent: ``1E+2`` -> ``100``."""
    return format(number, "f")


def _number_cell(number: Decimal, scale: int | None, money: bool) -> Cell:
    if scale is not None and money:
        number = number.quantize(Decimal(1).scaleb(-scale))
    places = max(-int(number.as_tuple().exponent), 0)
    if money:
        fmt = "#,##0" + ("." + "0" * places if places else "")
    else:
        fmt = "0" + ("." + "0" * places if places else "")
    return Cell(number, plain_number(number), fmt)


def _option_label(spec: FieldSpec, value: Any, locale: str) -> str:
    for option in spec.options:
        if option.value == value:
            return pick(option.label, locale, option.value)
    return str(value)


def user_cell_text(chart: OrgChart, user_id: int) -> str:
    """A person by name; with the login name when two people share the display name."""
    user = chart.user(user_id)
    if user is None:
        return f"#{user_id}"
    namesakes = sum(1 for other in chart.users.values() if other.display_name == user.display_name)
    return f"{user.display_name} ({user.username})" if namesakes > 1 else user.display_name


def department_cell_text(chart: OrgChart, department_id: int) -> str:
    """A department by name; with its id when two departments share the name."""
    department = chart.departments.get(department_id)
    if department is None:
        return f"#{department_id}"
    name = str(department.name)
    twins = sum(1 for other in chart.departments.values() if str(other.name) == name)
    return f"{name} (#{department_id})" if twins > 1 else name


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def to_cell(spec: FieldSpec, value: Any, ctx: CellContext) -> Cell:
    """The cell showing ``value`` of the field ``spec`` (see the module docstring)."""
    if value is None or value in ("", []):
        return EMPTY_CELL
    kind = spec.type_name
    if kind in NUMBER_TYPES or (kind == "computed" and _decimal(value) is not None):
        number = _decimal(value)
        if number is None or isinstance(value, bool):
            return text_cell(str(value))
        return _number_cell(number, spec.scale, kind == "money")
    if kind == "percent":
        number = _decimal(value)
        if number is None:
            return text_cell(str(value))
        shown = plain_number((number * 100).normalize())
        places = max(-int((number * 100).normalize().as_tuple().exponent), 0)
        fmt = "0" + ("." + "0" * places if places else "") + "%"
        return Cell(number, f"{shown}%", fmt)
    if kind == "date":
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            return text_cell(str(value))
        return Cell(day, day.isoformat(), "yyyy-mm-dd")
    if kind == "datetime":
        return _moment_cell(value, ctx)
    if kind == "boolean" or isinstance(value, bool):
        if isinstance(value, bool):
            return text_cell((_("Yes") if value else _("No")).render(ctx.locale))
        return text_cell(str(value))
    if kind == "select":
        return text_cell(_option_label(spec, value, ctx.locale))
    if kind == "multiselect" and isinstance(value, list):
        labels = [_option_label(spec, item, ctx.locale) for item in value]
        return text_cell(ctx.list_separator.join(labels))
    if kind == "user" and _is_id(value):
        return text_cell(user_cell_text(ctx.chart, value))
    if kind == "users" and isinstance(value, list):
        names = [user_cell_text(ctx.chart, item) for item in value if _is_id(item)]
        return text_cell(ctx.list_separator.join(names))
    if kind == "department" and _is_id(value):
        return text_cell(department_cell_text(ctx.chart, value))
    if kind == "departments" and isinstance(value, list):
        names = [department_cell_text(ctx.chart, item) for item in value if _is_id(item)]
        return text_cell(ctx.list_separator.join(names))
    if kind == "link" and _is_id(value):
        label = ctx.record_labels.get(value)
        return text_cell(f"{label} (#{value})" if label else f"#{value}")
    if kind == "region" and isinstance(value, list):
        return text_cell("/".join(str(item) for item in value))
    if kind == "subtable" and isinstance(value, list):
        return text_cell(_("{count} row(s)", count=len(value)).render(ctx.locale))
    if kind in {"attachments", "images", "signature"}:
        items = value if isinstance(value, list) else [value]
        names = [str(item.get("name", "")) for item in items if isinstance(item, Mapping)]
        return text_cell(ctx.list_separator.join(names))
    if kind == "location" and isinstance(value, Mapping):
        where = f"{value.get('lat', '')}, {value.get('lng', '')}"
        address = str(value.get("address") or "")
        return text_cell(f"{address} ({where})" if address else where)
    if isinstance(value, list | dict):
        return text_cell(str(value))
    return text_cell(str(value))


def _moment_cell(value: Any, ctx: CellContext) -> Cell:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return text_cell(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    local = moment.astimezone(ctx.zone).replace(tzinfo=None)
    if local.second or local.microsecond:
        return Cell(
            local.replace(microsecond=0), f"{local:%Y-%m-%d %H:%M:%S}", "yyyy-mm-dd hh:mm:ss"
        )
    return Cell(local, f"{local:%Y-%m-%d %H:%M}", "yyyy-mm-dd hh:mm")
