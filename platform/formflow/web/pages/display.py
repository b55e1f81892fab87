"""Showing stored values to people: money with its currency, dates in the reader's time zone,
option labels instead of codes, names instead of user ids, files as download links.

Used by the record page, the print view and the history. Everything returned is plain text
(or links built from ids) that the templates escape; nothing here trusts a stored value to be
of the expected shape — data of older form versions is shown as well as it can be.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal

from formflow.forms.currency import currency_places
from formflow.i18n import _
from formflow.orgchart import OrgChart
from formflow.web.pages.formlayout import FieldView

#: Multi-pickers and the kind of each id in their lists.
MULTI_PICKERS = {"users": "user", "departments": "department"}


@dataclass(frozen=True)
class FileLink:
    """A stored file: shown by name, downloaded from the attachments API."""

    id: int | str
    name: str
    size: str
    is_image: bool

    @property
    def url(self) -> str:
        return f"/api/attachments/{self.id}"

    @property
    def inline_url(self) -> str:
        return f"/api/attachments/{self.id}?inline=1"


@dataclass(frozen=True)
class Shown:
    """A value ready to show: ``text``, or ``files``, or a table of ``rows``."""

    text: str = ""
    files: tuple[FileLink, ...] = ()
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[Shown, ...], ...] = ()
    signature: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.text or self.files or self.rows)


EMPTY = Shown()


@dataclass(frozen=True)
class DisplayContext:
    """What formatting needs: the reader's language and time zone, the org (names), and the
    labels of linked records the reader may see (others show as ``#id``)."""

    locale: str
    timezone: str
    chart: OrgChart = field(default_factory=OrgChart)
    record_labels: Mapping[int, str] = field(default_factory=dict)
    root: Mapping[str, Any] = field(default_factory=dict)  # the record shown (its currency)

    @property
    def babel_locale(self) -> str:
        return self.locale.replace("-", "_")

    @property
    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("Asia/Shanghai")

    @property
    def list_separator(self) -> str:
        return "、" if self.locale == "zh-CN" else ", "


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def format_number(value: Any, ctx: DisplayContext, scale: int | None = None) -> str:
    number = _decimal(value)
    if number is None:
        return str(value)
    if scale is not None:
        number = number.quantize(Decimal(1).scaleb(-scale))
    return str(format_decimal(number, locale=ctx.babel_locale, decimal_quantization=False))


def format_money(value: Any, currency: str, scale: int | None, ctx: DisplayContext) -> str:
    """Money with its currency, showing exactly ``scale`` decimals (default: the currency's)."""
    number = _decimal(value)
    if number is None:
        return str(value)
    places = currency_places(currency or "CNY") if scale is None else scale
    number = number.quantize(Decimal(1).scaleb(-places))
    pattern = Locale.parse(ctx.babel_locale).currency_formats["standard"].pattern
    pattern = re.sub(
        r"0\.0+|0(?=[^0#.,]*$)", "0" + ("." + "0" * places if places else ""), pattern, count=1
    )
    return str(
        format_currency(
            number,
            currency or "CNY",
            format=pattern,
            locale=ctx.babel_locale,
            currency_digits=False,
        )
    )


def format_timestamp(value: datetime | str | None, ctx: DisplayContext) -> str:
    """A moment in the reader's time zone (stored moments are UTC)."""
    if value is None:
        return ""
    moment = value
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    assert isinstance(moment, datetime)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return str(format_datetime(moment.astimezone(ctx.zone), "medium", locale=ctx.babel_locale))


def format_day(value: Any, ctx: DisplayContext) -> str:
    """A calendar date (``YYYY-MM-DD``) as the reader's language writes it; empty for none."""
    if value is None or value == "":
        return ""
    try:
        return str(format_date(date.fromisoformat(str(value)), "medium", locale=ctx.babel_locale))
    except ValueError:
        return str(value)


def format_size(size: Any, ctx: DisplayContext) -> str:
    """A file size in B, KB or MB."""
    if not isinstance(size, int) or isinstance(size, bool):
        return ""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return format_number(Decimal(size) / 1024, ctx, 1) + " KB"
    return format_number(Decimal(size) / 1024 / 1024, ctx, 1) + " MB"


def _files(value: Any, ctx: DisplayContext) -> tuple[FileLink, ...]:
    items = value if isinstance(value, list) else [value]
    links = []
    for item in items:
        if isinstance(item, Mapping) and isinstance(item.get("id"), int | str):
            content_type = str(item.get("content_type", ""))
            links.append(
                FileLink(
                    id=item["id"],
                    name=str(item.get("name") or item["id"]),
                    size=format_size(item.get("size"), ctx),
                    is_image=content_type.startswith("image/"),
                )
            )
    return tuple(links)


def _option_label(view: FieldView, value: Any) -> str:
    for choice in view.options:
        if choice.value == value:
            return choice.label
    return str(value)


def _reference(view: FieldView, value: Any, ctx: DisplayContext) -> str:
    if not isinstance(value, int) or isinstance(value, bool):
        return str(value)
    if view.type == "user":
        user = ctx.chart.user(value)
        return user.display_name if user is not None else f"#{value}"
    if view.type == "department":
        department = ctx.chart.departments.get(value)
        return department.name if department is not None else f"#{value}"
    return ctx.record_labels.get(value) or f"#{value}"


def _text(view: FieldView, value: Any, ctx: DisplayContext) -> str:
    kind = view.type
    if kind == "money":
        return format_money(value, view.currency, view.scale, ctx)
    if kind in {"number", "integer", "rollup"}:
        return format_number(value, ctx, view.scale)
    if kind == "percent":
        number = _decimal(value)
        return str(value) if number is None else format_number(number * 100, ctx) + " %"
    if kind == "rating":
        if isinstance(value, int) and not isinstance(value, bool):
            top = view.rating_max
            return "★" * min(value, top) + "☆" * max(top - value, 0) + f" ({value}/{top})"
        return str(value)
    if kind == "date":
        return format_day(value, ctx)
    if kind == "datetime":
        return format_timestamp(str(value), ctx)
    if kind == "boolean":
        if isinstance(value, bool):
            return (_("Yes") if value else _("No")).render(ctx.locale)
        return str(value)
    if kind == "select":
        return _option_label(view, value)
    if kind == "multiselect" and isinstance(value, list):
        return ctx.list_separator.join(_option_label(view, item) for item in value)
    if kind == "region" and isinstance(value, list):
        return " ".join(str(item) for item in value)
    if kind in {"user", "department", "link"}:
        return _reference(view, value, ctx)
    if kind in MULTI_PICKERS and isinstance(value, list):
        single = replace(view, type=MULTI_PICKERS[kind])
        return ctx.list_separator.join(_reference(single, item, ctx) for item in value)
    if kind == "location" and isinstance(value, Mapping):
        where = f"{value.get('lat', '')}, {value.get('lng', '')}"
        address = str(value.get("address") or "")
        return f"{address} ({where})" if address else where
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return format_number(value, ctx, view.scale)
    if isinstance(value, list | dict):
        return _compact(value)
    return str(value)


def _compact(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{key}: {_compact(item)}" for key, item in value.items())
    if isinstance(value, list):
        return "; ".join(_compact(item) for item in value)
    return str(value)


def show(view: FieldView, value: Any, ctx: DisplayContext) -> Shown:
    """How ``value`` of the field ``view`` is shown (empty for a missing value)."""
    if value is None or value in ("", []):
        return EMPTY
    if view.control == "table" or view.type == "subtable":
        if not isinstance(value, list):
            return Shown(text=_compact(value))
        rows = tuple(
            tuple(
                show(
                    in_currency(column, row, ctx.root),
                    row.get(column.name) if isinstance(row, Mapping) else None,
                    ctx,
                )
                for column in view.columns
            )
            for row in value
        )
        return Shown(columns=tuple(column.label for column in view.columns), rows=rows)
    if view.type in {"attachments", "images", "signature"}:
        return Shown(files=_files(value, ctx), signature=view.type == "signature")
    return Shown(text=_text(view, value, ctx))


def shown_fields(
    views: Sequence[FieldView], data: Mapping[str, Any], ctx: DisplayContext
) -> list[tuple[FieldView, Shown]]:
    """Each field of ``views`` with its shown value, in order."""
    shown_ctx = replace(ctx, root=data)
    return [
        (view, show(in_currency(view, None, data), data.get(view.name), shown_ctx))
        for view in views
    ]


def in_currency(view: FieldView, row: Any, root: Mapping[str, Any]) -> FieldView:
    """``view`` in the currency its record names (``x-currency: {"field": ...}``), row first."""
    if not view.currency_field:
        return view
    for scope in (row, root):
        if isinstance(scope, Mapping) and isinstance(scope.get(view.currency_field), str):
            return replace(view, currency=str(scope[view.currency_field]))
    return view


def referenced_ids(views: Mapping[str, FieldView], data: Mapping[str, Any]) -> dict[str, set[int]]:
    """The ids ``data`` refers to, by field type (``user``, ``department``, ``link``),
    sub-tables included — to look up the names shown instead of the ids."""
    found: dict[str, set[int]] = {"user": set(), "department": set(), "link": set()}

    def walk(level: Sequence[FieldView], values: Mapping[str, Any]) -> None:
        for view in level:
            value = values.get(view.name)
            if view.type in found and isinstance(value, int) and not isinstance(value, bool):
                found[view.type].add(value)
            elif view.type in MULTI_PICKERS and isinstance(value, list):
                found[MULTI_PICKERS[view.type]].update(
                    item for item in value if isinstance(item, int) and not isinstance(item, bool)
                )
            elif view.columns and isinstance(value, list):
                for row in value:
                    if isinstance(row, Mapping):
                        walk(view.columns, row)

    walk(list(views.values()), data)
    return found
