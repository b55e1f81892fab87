"""Validating submissions: every problem at once, exact paths, messages in zh-CN and en."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

import pytest
from formkit import CONTEXT, codes, make_form, paths
from formsamples import benchmark_record, benchmark_schema
from hypothesis import given, settings
from hypothesis import strategies as st

from formflow.errors import Issue
from formflow.forms import CompiledForm, compile_form

D = Decimal


def leave_form() -> CompiledForm:
    return make_form(
        {
            "applicant": {"x-type": "user", "x-label": {"zh-CN": "申请人", "en": "Applicant"}},
            "leave_type": {
                "x-type": "select",
                "x-label": {"zh-CN": "假期类型", "en": "Leave type"},
                "x-options": [
                    {"value": "annual", "label": {"zh-CN": "年假", "en": "Annual"}},
                    {"value": "sick", "label": {"zh-CN": "病假", "en": "Sick"}},
                ],
            },
            "start": {
                "type": "string",
                "format": "date",
                "x-label": {"zh-CN": "开始日期", "en": "Start date"},
            },
            "end": {
                "type": "string",
                "format": "date",
                "x-label": {"zh-CN": "结束日期", "en": "End date"},
            },
            "days": {
                "type": "number",
                "minimum": D("0.5"),
                "maximum": 30,
                "x-label": {"zh-CN": "天数", "en": "Days"},
            },
            "certificate": {
                "x-type": "attachments",
                "x-label": {"zh-CN": "病假证明", "en": "Certificate"},
            },
            "reason": {
                "type": "string",
                "maxLength": 200,
                "x-label": {"zh-CN": "事由", "en": "Reason"},
            },
        },
        ["applicant", "leave_type", "start", "end", "days", "reason"],
        ui={
            "fields": {
                "certificate": {"visible_if": "leave_type = 'sick'", "required_if": "days > 2"},
                "reason": {"visible_if": "leave_type != 'sick'"},
            }
        },
        root={
            "x-constraints": [
                {
                    "key": "dates_in_order",
                    "check": "end >= start",
                    "message": {
                        "zh-CN": "结束日期不能早于开始日期",
                        "en": "The end date cannot be before the start",
                    },
                    "path": "end",
                }
            ]
        },
    )


VALID = {
    "applicant": 7,
    "leave_type": "annual",
    "start": "2026-02-02",
    "end": "2026-02-03",
    "days": 2,
    "reason": "家中有事",
}


def test_valid_data_has_no_issues() -> None:
    assert leave_form().validate(VALID, context=CONTEXT) == []


def test_every_problem_is_reported_at_once_with_its_path() -> None:
    bad = {
        "applicant": "me",
        "leave_type": "holiday",
        "start": "2026-02-30",
        "days": 40,
        "reason": "x" * 201,
        "note": "?",
    }
    issues = leave_form().validate(bad, context=CONTEXT)
    assert sorted(zip(paths(issues), codes(issues), strict=True)) == [
        ("$.applicant", "type"),
        ("$.days", "maximum"),
        ("$.end", "required"),
        ("$.leave_type", "enum"),
        ("$.note", "additionalProperties"),
        ("$.reason", "maxLength"),
        ("$.start", "format"),
    ]


@pytest.mark.parametrize(
    ("data", "path", "english", "chinese"),
    [
        (
            {**VALID, "days": 40},
            "$.days",
            "Days must be at most 30; 40 is too large.",
            "天数不能大于 30；40 太大了。",
        ),
        (
            {key: value for key, value in VALID.items() if key != "start"},
            "$.start",
            "Start date is required; please fill it in.",
            "开始日期为必填项，请填写。",
        ),
        (
            {**VALID, "leave_type": "holiday"},
            "$.leave_type",
            "“holiday” is not one of the choices of Leave type; choose one of: Annual, Sick.",
            "“holiday” 不是假期类型的可选项；请从以下选项中选择：年假、病假。",
        ),
        (
            {**VALID, "start": "31/01/2026"},
            "$.start",
            "“31/01/2026” in Start date is not a date such as 2026-01-31.",
            "开始日期中的 “31/01/2026” 不是有效的日期（例如 2026-01-31）。",
        ),
        (
            {**VALID, "applicant": "me"},
            "$.applicant",
            "Applicant must be a whole number, not “me”.",
            "申请人必须是整数，而不是 “me”。",
        ),
        (
            {**VALID, "end": "2026-02-01"},
            "$.end",
            "The end date cannot be before the start",
            "结束日期不能早于开始日期",
        ),
    ],
)
def test_messages_name_the_field_by_its_label_in_the_readers_language(
    data: dict[str, Any], path: str, english: str, chinese: str
) -> None:
    issues = leave_form().validate(data, context=CONTEXT)
    assert paths(issues) == [path]
    assert issues[0].message.render("en") == english
    assert issues[0].message.render("zh-CN") == chinese


def test_the_librarys_own_english_never_reaches_the_user() -> None:
    bad = {"applicant": "me", "leave_type": 1, "start": [], "days": "x", "note": "?"}
    for issue in leave_form().validate(bad, context=CONTEXT):
        for locale in ("en", "zh-CN"):
            text = issue.message.render(locale)
            assert "is not of type" not in text
            assert "Additional properties" not in text
            assert "'" not in text


def test_a_draft_checks_types_only() -> None:
    form = leave_form()
    draft = {"leave_type": "annual", "reason": ""}
    assert form.validate(draft, draft=True) == []
    assert codes(form.validate({"days": "two"}, draft=True)) == ["type"]
    assert (
        codes(
            form.validate(
                {
                    "end": "2026-01-01",
                    "start": "2026-02-01",
                    "applicant": 1,
                    "leave_type": "annual",
                    "days": 1,
                    "reason": "x",
                },
                draft=True,
                context=CONTEXT,
            )
        )
        == []
    )  # no constraints


def test_a_draft_still_refuses_money_with_more_places_than_its_scale() -> None:
    form = make_form({"amount": {"x-type": "money"}}, ["amount"])
    assert codes(form.validate({"amount": D("1.005")}, draft=True)) == ["scale"]
    assert form.validate({}, draft=True) == []


def test_a_hidden_field_is_never_required_even_when_the_schema_requires_it() -> None:
    sick = {**{k: v for k, v in VALID.items() if k != "reason"}, "leave_type": "sick", "days": 1}
    assert leave_form().validate(sick, context=CONTEXT) == []


def test_required_if_requires_a_visible_field_when_its_condition_holds() -> None:
    sick = {**{k: v for k, v in VALID.items() if k != "reason"}, "leave_type": "sick", "days": 3}
    issues = leave_form().validate(sick, context=CONTEXT)
    assert [(issue.path, issue.code) for issue in issues] == [("$.certificate", "required")]
    assert issues[0].message.render("zh-CN") == "病假证明为必填项，请填写。"


def test_constraints_are_checked_only_once_the_data_fits_the_schema() -> None:
    data = {**VALID, "end": "2026-02-01", "days": "x"}
    assert codes(leave_form().validate(data, context=CONTEXT)) == ["type"]


def test_a_constraint_with_an_empty_operand_passes_like_a_sql_check() -> None:
    form = make_form(
        {"a": {"type": "number"}, "b": {"type": "number"}},
        root={"x-constraints": [{"key": "a_below_b", "check": "a < b"}]},
    )
    assert form.validate({"a": 1}) == []
    issue = form.validate({"a": 2, "b": 1})[0]
    assert (issue.path, issue.code) == ("$", "constraint:a_below_b")
    assert issue.message.render("en") == "The rule a_below_b is not met."


def test_sub_table_problems_name_the_table_the_row_and_the_column() -> None:
    form = make_form(
        {
            "items": {
                "x-type": "subtable",
                "x-label": {"zh-CN": "明细", "en": "Lines"},
                "items": {
                    "properties": {
                        "qty": {
                            "type": "integer",
                            "minimum": 1,
                            "x-label": {"zh-CN": "数量", "en": "Quantity"},
                        }
                    },
                    "required": ["qty"],
                },
            }
        }
    )
    issues = form.validate({"items": [{"qty": 1}, {"qty": 0}, {}]})
    assert paths(issues) == ["$.items[1].qty", "$.items[2].qty"]
    assert (
        issues[0].message.render("en")
        == "Lines › row 2 › Quantity must be at least 1; 0 is too small."
    )
    assert issues[1].message.render("zh-CN") == "明细 › 第 3 行 › 数量为必填项，请填写。"


def test_data_that_is_not_an_object_is_one_issue() -> None:
    assert codes(leave_form().validate(["not", "an", "object"])) == ["type"]


def test_prepare_removes_empty_values_normalises_times_computes_and_drops_hidden_values() -> None:
    form = make_form(
        {
            "kind": {"x-type": "select", "x-options": [{"value": "a"}, {"value": "b"}]},
            "secret": {"type": "string"},
            "at": {"x-type": "datetime"},
            "note": {"type": "string"},
            "qty": {"type": "integer"},
            "double": {"type": "integer", "x-formula": "qty * 2"},
        },
        ui={"fields": {"secret": {"visible_if": "kind = 'b'"}}},
    )
    clean, issues = form.prepare(
        {
            "kind": "a",
            "secret": "s",
            "note": "",
            "at": "2026-01-31T16:00:00+08:00",
            "qty": 4,
            "double": 99,
        },
        context=CONTEXT,
    )
    assert issues == []
    assert clean == {"kind": "a", "at": "2026-01-31T08:00:00Z", "qty": 4, "double": D("8")}


def test_prepare_keeps_hidden_values_in_a_draft() -> None:
    form = make_form(
        {"kind": {"type": "string"}, "secret": {"type": "string"}},
        ui={"fields": {"secret": {"visible_if": "kind = 'b'"}}},
    )
    clean, issues = form.prepare({"kind": "a", "secret": "s"}, draft=True)
    assert (clean, issues) == ({"kind": "a", "secret": "s"}, [])


def test_prepare_makes_an_empty_required_text_missing() -> None:
    form = make_form({"title": {"type": "string"}}, ["title"])
    assert codes(form.prepare({"title": ""})[1]) == ["required"]
    assert form.validate({"title": ""}) == []


def test_references_lists_every_user_department_and_record_id_with_its_path() -> None:
    form = make_form(
        {
            "owner": {"x-type": "user"},
            "dept": {"x-type": "department"},
            "customer": {"x-type": "link", "x-link": {"form": "customer"}},
            "lines": {
                "x-type": "subtable",
                "items": {"properties": {"approver": {"x-type": "user"}}},
            },
        },
    )
    refs = form.references(
        {"owner": 1, "dept": 2, "customer": 3, "lines": [{"approver": 4}, {}, {"approver": D("5")}]}
    )
    assert [(r.kind, r.id, r.path, r.form) for r in refs] == [
        ("user", 1, "$.owner", None),
        ("department", 2, "$.dept", None),
        ("record", 3, "$.customer", "customer"),
        ("user", 4, "$.lines[0].approver", None),
        ("user", 5, "$.lines[2].approver", None),
    ]


def test_a_compiled_form_is_reused_across_many_validations() -> None:
    form = leave_form()
    results = [form.validate({**VALID, "days": day}, context=CONTEXT) for day in range(1, 40)]
    assert [bool(result) for result in results] == [False] * 30 + [True] * 9


def test_an_entry_of_a_list_field_is_named_an_entry_not_a_row() -> None:
    form = make_form(
        {
            "tags": {
                "x-type": "multiselect",
                "x-label": {"zh-CN": "标签", "en": "Tags"},
                "x-options": [{"value": "vip", "label": {"zh-CN": "重要客户", "en": "VIP"}}],
            }
        }
    )
    issue = form.validate({"tags": ["vip", "gold"]})[0]
    assert issue.path == "$.tags[1]"
    assert issue.message.render("en") == (
        "“gold” is not one of the choices of Tags › entry 2; choose one of: VIP."
    )
    assert issue.message.render("zh-CN") == (
        "“gold” 不是标签 › 第 2 项的可选项；请从以下选项中选择：重要客户。"
    )


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.decimals(allow_nan=False, allow_infinity=False, places=3)
    | st.sampled_from(["", "x", "2026-01-31", "13812345678", "广东省", "https://a.cn", "AB-0001"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["sku", "qty", "price", "lat", "lng", "id", "name", "size", "x"]),
            inner,
            max_size=4,
        )
    ),
    max_leaves=15,
)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([*benchmark_schema()["properties"], "zzz"]), JSON_VALUES, max_size=12
    )
)
def test_any_json_data_gets_issues_never_an_exception(data: dict[str, Any]) -> None:
    form = _benchmark_form()
    for issues in (
        form.validate(data, context=CONTEXT),
        form.validate(data, draft=True),
        form.prepare(data, context=CONTEXT)[1],
    ):
        assert all(isinstance(issue, Issue) and issue.path.startswith("$") for issue in issues)
        for issue in issues:
            issue.message.render("zh-CN")
            issue.message.render("en")


@functools.cache
def _benchmark_form() -> CompiledForm:
    supplier = make_form({"name": {"type": "string"}}).info("supplier")
    return compile_form(benchmark_schema(), known_forms={"supplier": supplier})


def test_a_generated_benchmark_record_is_valid() -> None:
    form = _benchmark_form()
    for seed in range(20):
        assert form.validate(benchmark_record(seed), context=CONTEXT) == []
