"""Record values as spreadsheet cells, and cells back as record values.

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
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from formflow.forms import FieldSpec
from formflow.i18n import SUPPORTED_LOCALES, Msg, _, pick
from formflow.orgchart import OrgChart

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
TEXT_TYPES = frozenset({"text", "textarea", "email", "phone", "url", "idcard", "uscc", "serial"})
NUMBER_TYPES = frozenset({"number", "integer", "money", "rating", "rollup"})
#: Field types a spreadsheet cannot carry back (files, places, tables).
NOT_IMPORTABLE = frozenset({"attachments", "images", "signature", "location", "subtable"})
_YES = frozenset({"yes", "y", "true", "1", "是", "对", "√", "✓", "x"})
_NO = frozenset({"no", "n", "false", "0", "否", "不", "×", "✗"})
_SPLIT_LIST = re.compile(r"\s*[、,，;；\n]\s*")
_REF_ID = re.compile(r"^(?:(?P<label>.*?)\s*)?[(（]?#(?P<id>\d{1,18})[)）]?$", re.S)
_USER_WITH_LOGIN = re.compile(r"^(?P<name>.*?)\s*[(（](?P<login>[^()（）]+)[)）]$", re.S)
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATETIME = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+|T)"
    r"(\d{1,2}):(\d{2})(?::(\d{2}))?$"
)
_TIME = re.compile(r"^(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?$")


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


def _plain(number: Decimal) -> str:
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
    return Cell(number, _plain(number), fmt)


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
        shown = _plain((number * 100).normalize())
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


# -- reading -----------------------------------------------------------------------------------


class CellError(Exception):
    """A cell that cannot be read as its field's value; ``message`` says why, for people."""

    def __init__(self, message: Msg) -> None:
        super().__init__(str(message))
        self.message = message


RawCell = str | int | float | Decimal | bool | date | datetime | time | None


def is_empty_cell(raw: RawCell) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _text_of(raw: RawCell) -> str:
    """A raw cell as text (numbers without a binary-float tail: ``13812345678``)."""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float):
        number = Decimal(repr(raw))
        return _plain(number.normalize()) if number == number.to_integral() else repr(raw)
    if isinstance(raw, Decimal):
        return _plain(raw)
    if isinstance(raw, datetime):
        return raw.isoformat(sep=" ")
    if isinstance(raw, date | time):
        return raw.isoformat()
    return unescape_text(str(raw))


def _number(raw: RawCell, spec: FieldSpec) -> Decimal:
    if isinstance(raw, bool):
        raise CellError(_("“{value}” is not a number.", value=_text_of(raw)))
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(repr(raw))
    if isinstance(raw, Decimal):
        return raw
    text = unicodedata.normalize("NFKC", _text_of(raw)).strip()
    cleaned = re.sub(r"[\s,'_]", "", text)
    cleaned = re.sub(r"^[¥￥$€£]|^[A-Z]{3}|[A-Z]{3}$|元$", "", cleaned)
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise CellError(_("“{value}” is not a number.", value=text)) from None
    if not number.is_finite() or "e" in cleaned.lower():
        raise CellError(_("“{value}” is not a number.", value=text))
    return number


def _integral(number: Decimal, original: RawCell) -> int:
    if number != number.to_integral_value():
        raise CellError(_("“{value}” is not a whole number.", value=_text_of(original)))
    return int(number)


def _percent(raw: RawCell, spec: FieldSpec, number_format: str | None) -> Decimal:
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        number = _number(raw, spec)
        # A spreadsheet keeps 12.5 % as 0.125; a plain 12.5 typed into a cell means 12.5 %.
        return number if number_format and "%" in number_format else number / 100
    text = unicodedata.normalize("NFKC", _text_of(raw)).strip()
    body = text[:-1].strip() if text.endswith("%") else text
    try:
        return _number(body, spec) / 100
    except CellError:
        raise CellError(_("“{value}” is not a percentage such as 12.5%.", value=text)) from None


def _date(raw: RawCell) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = unicodedata.normalize("NFKC", _text_of(raw)).strip()
    match = _DATE.match(text) or (_DATETIME.match(text) if text.endswith(":00") else None)
    if match:
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            pass
    raise CellError(_("“{value}” is not a date; write it as 2026-01-31.", value=text))


def _moment(raw: RawCell, ctx: CellContext) -> str:
    if isinstance(raw, datetime):
        local = raw if raw.tzinfo is not None else raw.replace(tzinfo=ctx.zone)
    elif isinstance(raw, date):
        local = datetime(raw.year, raw.month, raw.day, tzinfo=ctx.zone)
    else:
        text = unicodedata.normalize("NFKC", _text_of(raw)).strip()
        local = _parse_moment(text, ctx)
    utc = local.astimezone(ZoneInfo("UTC")).replace(microsecond=0)
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_moment(text: str, ctx: CellContext) -> datetime:
    match = _DATETIME.match(text)
    try:
        if match:
            y, m, d, hh, mm, ss = (int(part) if part else 0 for part in match.groups())
            return datetime(y, m, d, hh, mm, ss, tzinfo=ctx.zone)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=ctx.zone)
    except ValueError:
        raise CellError(
            _("“{value}” is not a date and time; write it as 2026-01-31 08:30.", value=text)
        ) from None


def _time(raw: RawCell) -> str:
    if isinstance(raw, datetime):
        raw = raw.time()
    if isinstance(raw, time):
        return raw.strftime("%H:%M:%S" if raw.second else "%H:%M")
    text = unicodedata.normalize("NFKC", _text_of(raw)).strip()
    match = _TIME.match(text)
    if match:
        hh, mm = int(match.group(1)), int(match.group(2))
        ss = int(match.group(3)) if match.group(3) else None
        if hh < 24 and mm < 60 and (ss is None or ss < 60):
            return f"{hh:02d}:{mm:02d}" + (f":{ss:02d}" if ss is not None else "")
    raise CellError(_("“{value}” is not a time of day; write it as 08:30.", value=text))


def _boolean(raw: RawCell) -> bool:
    if isinstance(raw, bool):
        return raw
    text = _text_of(raw).strip()
    words = {text.lower()}
    for locale in SUPPORTED_LOCALES:
        if text == _("Yes").render(locale):
            return True
        if text == _("No").render(locale):
            return False
    if words & _YES:
        return True
    if words & _NO:
        return False
    raise CellError(_("“{value}” is neither Yes nor No.", value=text))


def _labels_of(spec: FieldSpec) -> dict[str, str]:
    """Every way a person may write an option (its value, its label in each language)."""
    known: dict[str, str] = {}
    for option in spec.options:
        known.setdefault(option.value, option.value)
    for option in spec.options:
        for locale in SUPPORTED_LOCALES:
            known.setdefault(pick(option.label, locale, option.value), option.value)
        if isinstance(option.label, Mapping):
            for text in option.label.values():
                if isinstance(text, str):
                    known.setdefault(text, option.value)
    return known


def _choice(text: str, spec: FieldSpec, ctx: CellContext) -> str:
    known = _labels_of(spec)
    found = known.get(text) or known.get(text.strip())
    if found is None:
        folded = {key.casefold(): value for key, value in known.items()}
        found = folded.get(text.strip().casefold())
    if found is None:
        allowed = ctx.list_separator.join(
            pick(option.label, ctx.locale, option.value) for option in spec.options
        )
        raise CellError(
            _("“{value}” is not one of the choices: {allowed}.", value=text, allowed=allowed)
        )
    return found


def _user(text: str, ctx: CellContext) -> int:
    text = text.strip()
    by_id = _REF_ID.match(text)
    if by_id and not by_id.group("label"):
        user_id = int(by_id.group("id"))
        if ctx.chart.user(user_id) is not None:
            return user_id
    with_login = _USER_WITH_LOGIN.match(text)
    if with_login:
        user = ctx.chart.user_by_name(with_login.group("login").strip())
        if user is not None:
            return user.id
    login = ctx.chart.user_by_name(text)
    if login is not None:
        return login.id
    named = [user for user in ctx.chart.users.values() if user.display_name == text]
    if len(named) == 1:
        return named[0].id
    if len(named) > 1:
        raise CellError(
            _(
                "Several people are called “{value}”; write the login name in brackets, "
                "such as {example}.",
                value=text,
                example=text + " (" + named[0].username + ")",
            )
        )
    raise CellError(_("Nobody called “{value}” was found.", value=text))


def _department(text: str, ctx: CellContext) -> int:
    text = text.strip()
    by_id = _REF_ID.match(text)
    if by_id:
        department_id = int(by_id.group("id"))
        if department_id in ctx.chart.departments:
            return department_id
    named = [d for d in ctx.chart.departments.values() if str(d.name) == text]
    if len(named) == 1:
        return named[0].id
    if len(named) > 1:
        raise CellError(
            _(
                "Several departments are called “{value}”; add the number, such as {example}.",
                value=text,
                example=text + " (#" + str(named[0].id) + ")",
            )
        )
    raise CellError(_("No department called “{value}” was found.", value=text))


def _link(text: str, spec: FieldSpec, ctx: CellContext) -> int:
    text = text.strip()
    by_id = _REF_ID.match(text)
    if by_id:
        return int(by_id.group("id"))
    form = spec.link.form if spec.link is not None else ""
    found = list(ctx.find_records(form, text)) if ctx.find_records is not None and form else []
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise CellError(
            _(
                "Several records are called “{value}”; add the record number, such as {example}.",
                value=text,
                example=text + " (#" + str(found[0]) + ")",
            )
        )
    raise CellError(_("No record called “{value}” was found.", value=text))


def from_cell(
    spec: FieldSpec, raw: RawCell, ctx: CellContext, number_format: str | None = None
) -> Any:
    """The JSON value of a cell for the field ``spec`` (None for an empty cell).

    Raises :class:`CellError` with a message for people when the cell cannot be read; the
    form's own rules (required, ranges, patterns) are checked afterwards by the form.
    """
    if is_empty_cell(raw):
        return None
    kind = spec.type_name
    if kind in TEXT_TYPES:
        return _text_of(raw)
    if kind in {"integer", "rating"}:
        return _integral(_number(raw, spec), raw)
    if kind in {"number", "money"}:
        number = _number(raw, spec)
        places = -int(number.as_tuple().exponent)
        if spec.scale is not None and places < spec.scale:
            # 12.5 read from a spreadsheet is the 12.50 that was exported (same value)
            number = number.quantize(Decimal(1).scaleb(-spec.scale))
        return number
    if kind == "percent":
        return _percent(raw, spec, number_format)
    if kind == "date":
        return _date(raw).isoformat()
    if kind == "datetime":
        return _moment(raw, ctx)
    if kind == "time":
        return _time(raw)
    if kind == "boolean":
        return _boolean(raw)
    text = _text_of(raw)
    if kind == "select":
        return _choice(text, spec, ctx)
    if kind == "multiselect":
        return _distinct(_choice(piece, spec, ctx) for piece in _pieces(text))
    if kind == "user":
        return _user(text, ctx)
    if kind == "users":
        return _distinct(_user(piece, ctx) for piece in _pieces(text))
    if kind == "department":
        return _department(text, ctx)
    if kind == "departments":
        return _distinct(_department(piece, ctx) for piece in _pieces(text))
    if kind == "link":
        return _link(text, spec, ctx)
    if kind == "region":
        return [piece for piece in re.split(r"\s*/\s*|\s+", text.strip()) if piece]
    return text


def _pieces(text: str) -> list[str]:
    return [piece for piece in _SPLIT_LIST.split(text.strip()) if piece]


def _distinct(values: Any) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if value not in out:
            out.append(value)
    return out
