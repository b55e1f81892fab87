"""The spreadsheet cell codec shared by exports and imports: what it writes reads back to the
same value, it reads what people type, it refuses what it cannot read with a reason, and no
text it writes can run as a formula. Pure: no database."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from listkit import CLAIM

from formflow.forms import compile_form
from formflow.orgchart import DepartmentInfo, OrgChart, UserInfo
from formflow.services.sheet_cells import (
    FORMULA_TRIGGERS,
    CellContext,
    escape_text,
    to_cell,
    unescape_text,
)
from formflow.services.sheet_reading import CellError, from_cell

FIELDS = compile_form(CLAIM, None).fields
CHART = OrgChart.build(
    [
        UserInfo(1, "li.na", "李娜"),
        UserInfo(2, "twin.a", "Twin"),
        UserInfo(3, "twin.b", "Twin"),
    ],
    [DepartmentInfo(7, "运营部"), DepartmentInfo(8, "Sales"), DepartmentInfo(9, "Sales")],
)
EN = CellContext(locale="en", timezone="Asia/Shanghai", chart=CHART)
ZH = CellContext(locale="zh-CN", timezone="Asia/Shanghai", chart=CHART)

VALUES: list[tuple[str, Any]] = [
    ("title", "=SUM(A1)"),
    ("title", "'=quoted"),
    ("title", "plain"),
    ("amount", Decimal("12.50")),
    ("amount", Decimal("-0.01")),
    ("rate", Decimal("0.125")),
    ("nights", 3),
    ("distance", Decimal("-3.25")),
    ("category", "meal"),
    ("tags", ["abroad", "urgent"]),
    ("spent_on", "2026-02-28"),
    ("departs", "2026-01-31T23:30:00Z"),
    ("meets", "09:30"),
    ("billable", True),
    ("billable", False),
    ("payee", 1),
    ("payee", 3),
    ("team", 7),
    ("team", 9),
    ("city", ["广东省", "深圳市", "南山区"]),
    ("mail", "a@b.cn"),
    ("note", "two\nlines"),
]


@given(st.text())
def test_escaped_text_reads_back_and_never_starts_a_formula(text: str) -> None:
    escaped = escape_text(text)
    assert unescape_text(escaped) == text
    assert escaped[:1] not in FORMULA_TRIGGERS
    assert escaped == text or escaped == "'" + text


@pytest.mark.parametrize("ctx", [EN, ZH], ids=["en", "zh-CN"])
@pytest.mark.parametrize(("name", "value"), VALUES)
def test_a_value_written_as_text_reads_back_the_same(
    ctx: CellContext, name: str, value: Any
) -> None:
    spec = FIELDS[name]
    cell = to_cell(spec, value, ctx)
    assert from_cell(spec, cell.csv_text, ctx) == value


@pytest.mark.parametrize(("name", "value"), VALUES)
def test_a_value_written_to_a_workbook_reads_back_the_same(name: str, value: Any) -> None:
    spec = FIELDS[name]
    cell = to_cell(spec, value, EN)
    raw: Any = cell.value
    if isinstance(raw, Decimal):  # a workbook keeps numbers as binary floats
        raw = float(raw)
    assert from_cell(spec, raw, EN, cell.number_format) == value


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2))
def test_any_amount_reads_back_exactly(amount: Decimal) -> None:
    spec = FIELDS["amount"]
    cell = to_cell(spec, amount, EN)
    assert from_cell(spec, cell.csv_text, EN) == amount
    assert from_cell(spec, float(amount), EN, cell.number_format) == amount


@pytest.mark.parametrize(
    ("name", "raw", "expected", "number_format"),
    [
        ("amount", "1,234.50", Decimal("1234.50"), None),
        ("amount", "¥ 35", Decimal("35.00"), None),
        ("amount", "１２３", Decimal("123.00"), None),
        ("nights", 2.0, 2, None),
        ("rate", "12.5%", Decimal("0.125"), None),
        ("rate", "12.5", Decimal("0.125"), None),
        ("rate", 0.125, Decimal("0.125"), "0.0%"),
        ("rate", 12.5, Decimal("0.125"), "General"),
        ("spent_on", "2026/1/31", "2026-01-31", None),
        ("spent_on", "2026年1月31日", "2026-01-31", None),
        ("spent_on", datetime(2026, 1, 31, 0, 0), "2026-01-31", None),
        ("departs", "2026-01-31 08:00", "2026-01-31T00:00:00Z", None),
        ("departs", "2026-01-31T08:00:00+08:00", "2026-01-31T00:00:00Z", None),
        ("departs", datetime(2026, 1, 31, 8, 0), "2026-01-31T00:00:00Z", None),
        ("meets", "9:05", "09:05", None),
        ("meets", time(17, 45), "17:45", None),
        ("billable", "是", True, None),
        ("billable", "no", False, None),
        ("billable", True, True, None),
        ("category", "差旅", "travel", None),
        ("category", "MEALS", "meal", None),
        ("category", "travel", "travel", None),
        ("tags", "Urgent；境外", ["urgent", "abroad"], None),
        ("payee", "li.na", 1, None),
        ("payee", "Twin (twin.b)", 3, None),
        ("payee", "#2", 2, None),
        ("team", "Sales (#9)", 9, None),
        ("city", "广东省 深圳市", ["广东省", "深圳市"], None),
        ("mail", 13812345678, "13812345678", None),
        ("title", "'@home", "@home", None),
        ("title", "  spaced  ", "  spaced  ", None),
    ],
)
def test_what_people_type_is_read_as_they_mean_it(
    name: str, raw: Any, expected: Any, number_format: str | None
) -> None:
    assert from_cell(FIELDS[name], raw, EN, number_format) == expected


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("amount", "lots", "“lots” is not a number."),
        ("amount", "1e5", "“1e5” is not a number."),
        ("nights", "2.5", "“2.5” is not a whole number."),
        ("rate", "high", "“high” is not a percentage such as 12.5%."),
        ("spent_on", "2026-02-30", "“2026-02-30” is not a date; write it as 2026-01-31."),
        ("departs", "soon", "“soon” is not a date and time; write it as 2026-01-31 08:30."),
        ("meets", "25:00", "“25:00” is not a time of day; write it as 08:30."),
        ("billable", "maybe", "“maybe” is neither Yes nor No."),
        ("category", "Lodging", "“Lodging” is not one of the choices: Travel, Meals."),
        ("payee", "Nobody", "Nobody called “Nobody” was found."),
        ("payee", "Twin", "Several people are called “Twin”"),
        ("team", "Sales", "Several departments are called “Sales”"),
        ("team", "HR", "No department called “HR” was found."),
    ],
)
def test_a_cell_that_cannot_be_read_says_why(name: str, raw: Any, message: str) -> None:
    with pytest.raises(CellError) as caught:
        from_cell(FIELDS[name], raw, EN)
    assert caught.value.message.render("en").startswith(message)


@pytest.mark.parametrize(
    ("name", "value", "text"),
    [
        ("amount", Decimal("1234.5"), "1234.50"),
        ("rate", Decimal("0.06"), "6%"),
        ("category", "travel", "差旅"),
        ("tags", ["urgent", "abroad"], "加急、境外"),
        ("billable", True, "是"),
        ("payee", 1, "李娜"),
        ("payee", 2, "Twin (twin.a)"),
        ("team", 8, "Sales (#8)"),
        ("departs", "2026-01-31T16:30:00Z", "2026-02-01 00:30"),
        ("spent_on", "2026-01-31", "2026-01-31"),
    ],
)
def test_values_are_written_for_people(name: str, value: Any, text: str) -> None:
    assert to_cell(FIELDS[name], value, ZH).text == text


def test_dates_and_moments_are_typed_cells_in_a_workbook() -> None:
    assert to_cell(FIELDS["spent_on"], "2026-01-31", EN).value == date(2026, 1, 31)
    moment = to_cell(FIELDS["departs"], "2026-01-31T16:30:00Z", EN)
    assert moment.value == datetime(2026, 2, 1, 0, 30) and moment.number_format
