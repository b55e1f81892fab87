"""Designer input cannot hang or reach out from the server: bounded regexes, no fetching."""

from __future__ import annotations

import time

import pytest
from formkit import make_form

from formflow.forms.patterns import PatternTimeout, search

CATASTROPHIC = "^(a+)+$"
ATTACK = "a" * 5000 + "b"
#: Exponential in a backtracking engine, even in ``regex`` (which defuses ``^(a+)+$``).
EXPONENTIAL = "^(a|aa)+$"


def test_a_catastrophic_pattern_times_out_in_the_python_engine() -> None:
    started = time.perf_counter()
    with pytest.raises(PatternTimeout):
        search(EXPONENTIAL, "a" * 60 + "b", timeout=0.05)
    assert time.perf_counter() - started < 5


def test_validating_against_a_catastrophic_pattern_answers_quickly_and_refuses_the_value() -> None:
    form = make_form(
        {"code": {"type": "string", "pattern": CATASTROPHIC}, "n": {"type": "integer"}}
    )
    started = time.perf_counter()
    issues = form.validate({"code": ATTACK, "n": "not a number"})
    assert time.perf_counter() - started < 5
    by_path = {issue.path: issue.code for issue in issues}
    assert by_path["$.n"] == "type"
    assert by_path["$.code"] in {"pattern", "pattern_timeout"}


def test_a_value_that_times_out_is_refused_with_a_message_saying_what_to_do() -> None:
    form = make_form({"code": {"type": "string", "pattern": EXPONENTIAL}})
    started = time.perf_counter()
    issues = form.validate({"code": "a" * 60 + "b"})
    assert time.perf_counter() - started < 5
    assert [(issue.path, issue.code) for issue in issues] == [("$.code", "pattern_timeout")]
    assert "simplify the pattern" in issues[0].message.render("en")
    assert "简化校验规则" in issues[0].message.render("zh-CN")


def test_the_pattern_is_matched_with_search_semantics_like_json_schema() -> None:
    form = make_form({"postcode": {"type": "string", "pattern": "[0-9]{6}"}})
    assert form.validate({"postcode": "PC 518000"}) == []
    assert [issue.code for issue in form.validate({"postcode": "51800"})] == ["pattern"]


def test_a_designer_message_replaces_the_generic_pattern_message() -> None:
    form = make_form(
        {
            "postcode": {
                "type": "string",
                "pattern": "^[0-9]{6}$",
                "x-pattern-message": {
                    "zh-CN": "请输入 6 位邮政编码",
                    "en": "Enter a 6-digit postcode",
                },
            }
        }
    )
    issue = form.validate({"postcode": "51800"})[0]
    assert issue.message.render("en") == "postcode: Enter a 6-digit postcode"
    assert issue.message.render("zh-CN") == "postcode：请输入 6 位邮政编码"


def test_the_fast_engine_never_fetches_a_remote_reference() -> None:
    import jsonschema_rs

    from formflow.forms.engines import SchemaEngines

    with pytest.raises(jsonschema_rs.ValidationError, match="never fetches"):
        SchemaEngines({"$ref": "https://example.com/schema.json"})


def test_many_values_that_time_out_share_one_time_budget() -> None:
    form = make_form(
        {
            "rows": {
                "x-type": "subtable",
                "items": {"properties": {"code": {"type": "string", "pattern": EXPONENTIAL}}},
            }
        }
    )
    started = time.perf_counter()
    issues = form.validate({"rows": [{"code": "a" * 60 + "b"} for _ in range(40)]})
    assert time.perf_counter() - started < 5
    assert len(issues) == 40
    assert {issue.code for issue in issues} == {"pattern_timeout"}
