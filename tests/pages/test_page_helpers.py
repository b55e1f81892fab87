"""The pages' pure helpers: showing values, reading audit paths, safe redirects."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from formflow.forms import compile_form
from formflow.orgchart import OrgChart, UserInfo
from formflow.web.pages.display import DisplayContext, format_money, format_timestamp, show
from formflow.web.pages.formlayout import build_layout
from formflow.web.pages.history import split_path
from formflow.web.pages.pagecall import safe_next

SCHEMA = {
    "type": "object",
    "properties": {
        "price": {"x-type": "money", "x-currency": "USD", "x-scale": 3},
        "share": {"x-type": "percent"},
        "done": {"type": "boolean"},
        "owner": {"x-type": "user"},
        "tags": {
            "x-type": "multiselect",
            "x-options": [
                {"value": "a", "label": {"zh-CN": "甲", "en": "A"}},
                {"value": "b", "label": {"zh-CN": "乙", "en": "B"}},
            ],
        },
        "stars": {"x-type": "rating"},
        "place": {"x-type": "region"},
    },
}


def _ctx(locale: str) -> DisplayContext:
    chart = OrgChart.build([UserInfo(id=7, username="li.na", display_name="李娜")])
    return DisplayContext(locale=locale, timezone="Asia/Shanghai", chart=chart)


@pytest.mark.parametrize(
    ("field", "value", "locale", "expected"),
    [
        ("price", Decimal("1234.5"), "en", "$1,234.500"),
        ("price", Decimal("0.1") + Decimal("0.2"), "zh-CN", "US$0.300"),
        ("share", Decimal("0.125"), "en", "12.5 %"),
        ("done", True, "zh-CN", "是"),
        ("owner", 7, "en", "李娜"),
        ("owner", 99, "en", "#99"),
        ("tags", ["a", "b"], "zh-CN", "甲、乙"),
        ("tags", ["a", "zz"], "en", "A, zz"),
        ("stars", 3, "en", "★★★☆☆ (3/5)"),
        ("place", ["广东省", "深圳市"], "zh-CN", "广东省 深圳市"),
    ],
)
def test_values_are_shown_as_people_read_them(
    field: str, value: object, locale: str, expected: str
) -> None:
    layout = build_layout(compile_form(SCHEMA), "f", "F", locale)
    assert show(layout.fields[field], value, _ctx(locale)).text == expected


def test_money_is_formatted_from_the_exact_decimal() -> None:
    huge = Decimal("12345678901234567.89")
    assert format_money(huge, "CNY", 2, _ctx("en")) == "CN¥12,345,678,901,234,567.89"


def test_moments_are_shown_in_the_readers_time_zone() -> None:
    moment = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)
    assert "2026年2月1日" in format_timestamp(moment, _ctx("zh-CN"))
    assert format_timestamp("2026-01-31T23:30:00Z", _ctx("en")).startswith("Feb 1, 2026")


def test_a_value_of_an_unexpected_shape_is_still_shown() -> None:
    layout = build_layout(compile_form(SCHEMA), "f", "F", "en")
    assert show(layout.fields["price"], "not a number", _ctx("en")).text == "not a number"
    assert show(layout.fields["owner"], "x", _ctx("en")).text == "x"


@pytest.mark.parametrize(
    ("path", "parts"),
    [
        ("$", []),
        ("$.amount", ["amount"]),
        ("$.items[2].qty", ["items", 2, "qty"]),
        ('$["odd key"]', ["odd key"]),
        ("amount", None),
        ("$.items[x]", None),
    ],
)
def test_audit_paths_are_read_into_their_parts(path: str, parts: object) -> None:
    assert split_path(path) == parts


names = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)


@given(st.lists(st.one_of(names, st.integers(min_value=0, max_value=999)), max_size=6))
def test_any_written_path_reads_back_to_its_parts(parts: list[str | int]) -> None:
    path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)
    assert split_path(path) == parts


@given(st.text(max_size=40))
def test_a_redirect_target_is_always_a_path_on_this_site(value: str) -> None:
    target = safe_next(value)
    assert target.startswith("/")
    assert not target.startswith("//")
    assert "\\" not in target
    assert all(ord(ch) >= 32 for ch in target)
