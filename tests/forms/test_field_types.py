"""Every field type accepts its valid values and refuses invalid ones with the right code."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from formkit import CONTEXT, codes, customer_info, make_form, payment_info

from formflow.forms import field_types
from formflow.forms.fieldtypes import EXPECTED_TYPES
from formflow.forms.fieldtypes.base import registry_problems

D = Decimal
OPTIONS = {
    "x-options": [
        {"value": "annual", "label": {"zh-CN": "年假", "en": "Annual leave"}},
        {"value": "sick", "label": "病假"},
    ]
}
PDF = {"id": 1, "name": "quote.pdf", "size": 2048, "content_type": "application/pdf"}
PNG = {"id": "f-2", "name": "photo.png", "size": 4096, "content_type": "image/png"}
XLSX = {
    "id": 3,
    "name": "sheet.xlsx",
    "size": 100,
    "content_type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SERIAL = {"x-serial": {"pattern": "BX-{YYYY}{MM}-{seq:4}", "reset": "monthly"}}
ITEMS = {"items": {"properties": {"qty": {"type": "integer", "minimum": 1}}, "required": ["qty"]}}
ROLLUP = {
    "x-rollup": {"form": "payment", "link": "contract", "aggregate": "sum", "field": "amount"}
}

#: (field type, extra keywords, value, expected issue code or None when valid)
CASES: list[tuple[str, dict[str, Any], Any, str | None]] = [
    ("text", {}, "你好", None),
    ("text", {"maxLength": 3}, "abcd", "maxLength"),
    ("text", {}, 5, "type"),
    ("textarea", {}, "line one\nline two", None),
    ("textarea", {}, ["a"], "type"),
    ("number", {}, D("-1.5"), None),
    ("number", {"x-scale": 1}, D("1.25"), "scale"),
    ("number", {}, "1", "type"),
    ("integer", {}, 3, None),
    ("integer", {}, D("3.0"), None),
    ("integer", {}, D("3.5"), "type"),
    ("money", {}, D("12.34"), None),
    ("money", {}, D("12.340"), None),
    ("money", {}, D("12.345"), "scale"),
    ("money", {"x-scale": 0, "x-currency": "JPY"}, D("12.5"), "scale"),
    ("money", {"minimum": 0}, D("-0.01"), "minimum"),
    ("percent", {}, D("0.125"), None),
    ("percent", {}, "12%", "type"),
    ("date", {}, "2024-02-29", None),
    ("date", {}, "2026-02-29", "format"),
    ("date", {}, "2026/02/28", "format"),
    ("datetime", {}, "2026-01-31T08:00:00Z", None),
    ("datetime", {}, "2026-01-31T16:00:00+08:00", None),
    ("datetime", {}, "2026-01-31 08:00", "format"),
    ("time", {}, "08:30", None),
    ("time", {}, "23:59:59", None),
    ("time", {}, "24:00", "format"),
    ("select", OPTIONS, "annual", None),
    ("select", OPTIONS, "other", "enum"),
    ("multiselect", OPTIONS, ["annual", "sick"], None),
    ("multiselect", OPTIONS, ["annual", "annual"], "uniqueItems"),
    ("multiselect", OPTIONS, ["holiday"], "enum"),
    ("boolean", {}, False, None),
    ("boolean", {}, "yes", "type"),
    ("email", {}, "li.lei@example.com.cn", None),
    ("email", {}, "li.lei@localhost", "format"),
    ("phone", {}, "13812345678", None),
    ("phone", {}, "12812345678", "phone"),
    ("phone", {}, "010-12345678", "phone"),
    ("phone", {"x-landline": True}, "010-12345678", None),
    ("phone", {"x-landline": True}, "12345", "phone"),
    ("url", {}, "https://example.com/a?b=1", None),
    ("url", {}, "javascript:alert(1)", "url"),
    ("url", {}, "not a url", "format"),
    ("idcard", {}, "11010519491231002X", None),
    ("idcard", {}, "110105194912310021", "idcard"),
    ("idcard", {}, "11010519491231002x", "idcard"),
    ("uscc", {}, "91350100M000100Y43", None),
    ("uscc", {}, "91350100M000100Y44", "uscc"),
    ("region", {}, ["广东省", "深圳市", "南山区"], None),
    ("region", {}, ["广东", "深圳市"], "region"),
    ("region", {"x-region-level": 2}, ["广东省", "深圳市", "南山区"], "region"),
    ("region", {}, [], "minItems"),
    ("user", {}, 42, None),
    ("user", {}, 0, "minimum"),
    ("department", {}, 3, None),
    ("department", {}, "3", "type"),
    ("users", {}, [4, 2], None),
    ("users", {}, [4, 4], "uniqueItems"),
    ("departments", {}, [3], None),
    ("departments", {}, 3, "type"),
    ("link", {"x-link": {"form": "customer", "display": "name"}}, 7, None),
    ("link", {"x-link": {"form": "customer"}}, D("7.5"), "type"),
    ("subtable", ITEMS, [{"qty": 1}, {"qty": 2}], None),
    ("subtable", ITEMS, [{"qty": "x"}], "type"),
    ("subtable", ITEMS, [{"qty": 1, "junk": 1}], "additionalProperties"),
    ("subtable", ITEMS, [{}], "required"),
    ("attachments", {"x-max-files": 2}, [PDF, XLSX], None),
    ("attachments", {"x-max-files": 1}, [PDF, XLSX], "file_count"),
    ("attachments", {"x-accept": [".pdf", "image/*"]}, [XLSX], "file_type"),
    ("attachments", {"x-max-size": 1000}, [PDF], "file_size"),
    ("attachments", {}, [{"name": "x.pdf"}], "required"),
    ("images", {}, [PNG], None),
    ("images", {}, [PDF], "file_type"),
    ("signature", {}, PNG, None),
    ("signature", {}, PDF, "file_type"),
    ("rating", {}, 5, None),
    ("rating", {}, 6, "rating"),
    ("rating", {"x-rating-max": 10}, 8, None),
    ("location", {}, {"lat": D("22.54"), "lng": 114, "address": "深圳"}, None),
    ("location", {}, {"lat": 91, "lng": 0}, "maximum"),
    ("location", {}, {"lng": 0}, "required"),
    ("serial", SERIAL, "BX-202601-0001", None),
    ("serial", SERIAL, 5, "type"),
    ("computed", {"type": "number", "x-formula": "1 + 1"}, D("2"), None),
    ("computed", {"type": "number", "x-formula": "1 + 1"}, "two", "type"),
    ("rollup", ROLLUP, D("120.50"), None),
    ("rollup", ROLLUP, "a lot", "type"),
]


def _form(kind: str, extra: dict[str, Any]) -> Any:
    known = {"customer": customer_info(), "payment": payment_info()}
    return make_form({"f": {"x-type": kind, **extra}}, known_forms=known, form_key="contract")


@pytest.mark.parametrize(("kind", "extra", "value", "code"), CASES)
def test_each_field_type_accepts_valid_and_reports_invalid_values(
    kind: str, extra: dict[str, Any], value: Any, code: str | None
) -> None:
    issues = _form(kind, extra).validate({"f": value}, context=CONTEXT)
    if code is None:
        assert issues == []
    else:
        assert issues
        assert set(codes(issues)) == {code}
    assert all(issue.path.startswith("$.f") for issue in issues)


def test_the_cases_cover_every_registered_type_with_a_valid_and_an_invalid_value() -> None:
    valid = {kind for kind, _extra, _value, code in CASES if code is None}
    invalid = {kind for kind, _extra, _value, code in CASES if code is not None}
    assert valid == invalid == set(field_types())


def test_the_registry_holds_exactly_the_promised_types_and_is_consistent() -> None:
    assert set(field_types()) == EXPECTED_TYPES
    assert registry_problems() == []
    for kind in field_types().values():
        assert kind.default_widget == kind.widgets[0]
        assert kind.json_types


@pytest.mark.parametrize(
    ("prop", "inferred"),
    [
        ({"type": "string"}, "text"),
        ({"type": "string", "format": "date"}, "date"),
        ({"type": "string", "format": "date-time"}, "datetime"),
        ({"type": "string", "format": "time"}, "time"),
        ({"type": "string", "format": "email"}, "email"),
        ({"type": "string", "format": "uri"}, "url"),
        ({"type": "string", "enum": ["a", "b"]}, "select"),
        ({"type": "number"}, "number"),
        ({"type": "integer"}, "integer"),
        ({"type": "boolean"}, "boolean"),
        ({"type": "array", "items": {"type": "string", "enum": ["a"]}}, "multiselect"),
        (
            {"type": "array", "items": {"type": "object", "properties": {"a": {"type": "string"}}}},
            "subtable",
        ),
        ({"type": "number", "x-formula": "1"}, "computed"),
    ],
)
def test_a_field_without_x_type_gets_its_type_from_the_json_schema(
    prop: dict[str, Any], inferred: str
) -> None:
    assert make_form({"f": prop}).fields["f"].type_name == inferred


@pytest.mark.parametrize(
    ("kind", "filled"),
    [
        ("money", {"type": "number"}),
        ("user", {"type": "integer", "minimum": 1}),
        ("date", {"type": "string", "format": "date"}),
        ("region", {"type": "array", "minItems": 1, "maxItems": 3}),
        ("multiselect", {"type": "array", "uniqueItems": True}),
    ],
)
def test_a_field_type_fills_in_its_json_schema_defaults(kind: str, filled: dict[str, Any]) -> None:
    extra = OPTIONS if kind == "multiselect" else {}
    schema = make_form({"f": {"x-type": kind, **extra}}).schema["properties"]["f"]
    assert {key: schema[key] for key in filled} == filled


def test_a_money_field_defaults_to_two_places_in_cny() -> None:
    spec = make_form({"price": {"x-type": "money"}}).fields["price"]
    assert (spec.scale, spec.currency) == (2, "CNY")


@pytest.mark.parametrize(
    ("kind", "index"),
    [
        ("text", "text"),
        ("money", "number"),
        ("date", "text"),
        ("user", "number"),
        ("select", "text"),
        ("serial", "text"),
    ],
)
def test_indexed_fields_declare_how_the_database_indexes_them(kind: str, index: str) -> None:
    extra = {**(OPTIONS if kind == "select" else {}), **(SERIAL if kind == "serial" else {})}
    form = make_form({"f": {"x-type": kind, "x-index": True, **extra}})
    assert form.indexed_fields == {"f": index}
