"""Reading spreadsheet cells back as record values (writing them: :mod:`.sheet_cells`).

Forgiving where people are — labels in either language, ``1,234.50``, ``2026/1/31``, a Yes in
Chinese, full-width digits — and strict where it matters: an option that does not exist, a
person two people could be, a date that is no date is an error with a reason
(:class:`CellError`), never a guess. A spreadsheet's numbers arrive as binary floats; they are
read back through their shortest decimal spelling, so what an export wrote comes back exactly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from formflow.errors import InvalidInput
from formflow.forms import FieldSpec
from formflow.i18n import SUPPORTED_LOCALES, _, pick
from formflow.services.sheet_cells import (
    TEXT_TYPES,
    CellContext,
    RawCell,
    is_empty_cell,
    plain_number,
    unescape_text,
)

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


class CellError(InvalidInput):
    """A cell that cannot be read as its field's value; ``message`` says why, for people.

    Raised per cell and collected by the import into its report (never shown on its own)."""


def _text_of(raw: RawCell) -> str:
    """A raw cell as text (numbers without a binary-float tail: ``13812345678``)."""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float):
        number = Decimal(repr(raw))
        return plain_number(number.normalize()) if number == number.to_integral() else repr(raw)
    if isinstance(raw, Decimal):
        return plain_number(raw)
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
