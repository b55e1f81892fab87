"""The pieces of ``formflow bench``: workload, verdict check, timing, results, suite registry."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from formflow.bench import suites
from formflow.bench.results import BenchReport, BenchResult, Unavailable
from formflow.bench.suites import BenchOptions, PlannedSuite, run_benchmarks
from formflow.bench.timing import TimingPlan, measure, measure_pair
from formflow.bench.validation import check_verdicts, plain_schema
from formflow.bench.workload import (
    AMOUNT_RANGE,
    BAD_VALUES,
    SELECTIVE_AMOUNT,
    invalid_document,
    order_document,
    order_schema,
)
from formflow.errors import BenchmarkFailed
from formflow.forms import CompiledForm, compile_form
from formflow.i18n import _


@pytest.fixture(scope="module")
def form() -> CompiledForm:
    return compile_form(order_schema(), form_key="bench_order")


@pytest.fixture(scope="module")
def plain(form: CompiledForm) -> Any:
    return Draft202012Validator(plain_schema(form.schema))


# -- workload and verdicts -------------------------------------------------------------------


def test_the_benchmark_form_has_about_thirty_fields_a_sub_table_and_an_indexed_amount(
    form: CompiledForm,
) -> None:
    assert 28 <= len(form.fields) <= 32
    assert form.fields["items"].type.name == "subtable"
    assert set(form.indexed_fields) == {"amount"}
    assert len(order_document(1)["items"]) == 5


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(min_value=0, max_value=10**9))
def test_both_validators_accept_every_generated_document(
    form: CompiledForm, plain: Any, seed: int
) -> None:
    document = order_document(seed)
    assert form.validate(document) == []
    assert list(plain.iter_errors(document)) == []


@pytest.mark.parametrize("index", range(len(BAD_VALUES)), ids=[b.what for b in BAD_VALUES])
def test_both_validators_refuse_each_kind_of_bad_value(
    form: CompiledForm, plain: Any, index: int
) -> None:
    document = invalid_document(index)
    assert form.validate(document) != []
    assert list(plain.iter_errors(document)) != []


def test_the_same_seed_gives_the_same_document() -> None:
    assert order_document(42) == order_document(42)
    assert order_document(42) != order_document(43)


def test_about_one_percent_of_amounts_pass_the_list_filter() -> None:
    amounts = [order_document(seed)["amount"] for seed in range(20_000)]
    assert all(Decimal(0) <= amount < AMOUNT_RANGE for amount in amounts)
    share = sum(amount > SELECTIVE_AMOUNT for amount in amounts) / len(amounts)
    assert 0.007 < share < 0.013


def test_plain_schema_drops_platform_keywords_at_every_depth_and_keeps_the_rest() -> None:
    schema = {
        "type": "object",
        "x-constraints": [],
        "properties": {
            "rows": {
                "type": "array",
                "x-type": "subtable",
                "items": {"properties": {"a": {"x-formula": "1", "type": "number"}}},
            }
        },
        "allOf": [{"x-label": "x", "required": ["rows"]}],
    }
    assert plain_schema(schema) == {
        "type": "object",
        "properties": {
            "rows": {"type": "array", "items": {"properties": {"a": {"type": "number"}}}}
        },
        "allOf": [{"required": ["rows"]}],
    }


def test_validators_that_disagree_stop_the_benchmark_with_a_message(form: CompiledForm) -> None:
    accepts_anything = Draft202012Validator({})
    with pytest.raises(BenchmarkFailed) as caught:
        check_verdicts(form, accepts_anything, count=20)
    assert "disagree" in str(caught.value)
    assert "invalid" in str(caught.value)


def test_agreeing_validators_pass_the_verdict_check(form: CompiledForm, plain: Any) -> None:
    check_verdicts(form, plain, count=40)


# -- timing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("repeat", [1, 3])
def test_measure_warms_up_then_runs_every_repeat_with_the_same_loop_length(repeat: int) -> None:
    calls = itertools.count()
    seconds = measure(lambda: next(calls), TimingPlan(repeat=repeat, min_time=0.001))
    assert seconds > 0
    # at least one warm-up call, then `repeat` loops that each lasted min_time
    assert next(calls) > repeat


def test_measure_reports_seconds_per_call_not_per_loop() -> None:
    seconds = measure(lambda: time.sleep(0.002), TimingPlan(repeat=2, min_time=0.01))
    assert seconds >= 0.002  # sleep never returns early; a per-loop figure would be >= 0.01
    assert seconds < 0.01 + 0.002 * 10


@pytest.mark.parametrize("repeat", [1, 3])
def test_a_pair_is_timed_in_turns_after_both_sides_warmed_up(repeat: int) -> None:
    calls: list[str] = []
    measure_pair(
        lambda: calls.append("ours"),
        lambda: calls.append("baseline"),
        TimingPlan(repeat=repeat, min_time=0.001),
    )
    runs = [side for side, _group in itertools.groupby(calls)]
    # each side's warm-up, then one timed loop of each side per repeat
    assert runs == ["ours", "baseline"] * (repeat + 1)


def test_a_pair_reports_seconds_per_call_of_each_side() -> None:
    ours, baseline = measure_pair(
        lambda: time.sleep(0.004), lambda: time.sleep(0.001), TimingPlan(repeat=2, min_time=0.01)
    )
    assert 0.004 <= ours < 0.004 * 10
    assert 0.001 <= baseline < ours


# -- results ---------------------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(
    ours=st.floats(min_value=1e-9, max_value=100, allow_nan=False),
    baseline=st.floats(min_value=1e-9, max_value=100, allow_nan=False),
)
def test_the_ratio_in_the_json_is_ours_divided_by_the_baseline(
    ours: float, baseline: float
) -> None:
    item = BenchResult("x", "s/op", ours, baseline).to_json("en")
    assert item["ratio"] == ours / baseline
    assert (item["ours"], item["baseline"]) == (ours, baseline)


@pytest.mark.parametrize(
    ("ours", "target", "met"), [(1.0, 2.0, True), (3.0, 2.0, False), (3.0, None, None)]
)
def test_a_result_knows_whether_it_meets_its_target(
    ours: float, target: float | None, met: bool | None
) -> None:
    assert BenchResult("x", "s/op", ours, 1.0, target=target).meets_target is met


def test_notes_and_parameters_are_added_to_the_json_and_the_table() -> None:
    result = BenchResult(
        "list_x", "s/list", 2.0, 1.0, note=_("a note"), target=1.5, params={"records": 7}
    )
    report = BenchReport((result,), (Unavailable("flow", _("not yet")),))
    data = report.to_json("en")
    assert data["results"][0]["note"] == "a note"
    assert data["results"][0]["records"] == 7
    assert data["results"][0]["target"] == 1.5
    assert data["unavailable"] == [{"suite": "flow", "reason": "not yet"}]
    table = report.render_table("en")
    assert "list_x" in table
    assert "MISSED" in table
    assert "records=7" in table
    assert "flow: not run: not yet" in table


def test_the_json_has_no_unavailable_key_when_everything_ran() -> None:
    report = BenchReport((BenchResult("x", "s/op", 1.0, 1.0),))
    assert set(report.to_json("en")) == {"results"}


# -- the suite registry ----------------------------------------------------------------------


class _FakeSuite:
    name = "fake"

    def __init__(self) -> None:
        self.runs = 0

    def availability(self) -> Any:
        return None

    def run(self, options: BenchOptions) -> list[BenchResult]:
        self.runs += 1
        return [BenchResult("fake_figure", "s/op", 1.0, 2.0, params={"records": options.records})]


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[_FakeSuite]:
    fake = _FakeSuite()
    monkeypatch.setattr(suites, "_SUITES", {})
    suites.register_suite(fake)
    suites.register_suite(PlannedSuite("later", _("not built yet")))
    yield fake


def test_all_runs_every_available_suite_and_lists_the_others(registry: _FakeSuite) -> None:
    report = run_benchmarks("all", BenchOptions(records=123))
    assert [r.name for r in report.results] == ["fake_figure"]
    assert report.results[0].params == {"records": 123}
    assert [(u.suite, str(u.reason)) for u in report.unavailable] == [("later", "not built yet")]
    assert registry.runs == 1


def test_asking_for_a_planned_suite_raises_its_reason(registry: _FakeSuite) -> None:
    with pytest.raises(BenchmarkFailed, match="not built yet"):
        run_benchmarks("later", BenchOptions())
    assert registry.runs == 0


def test_a_real_suite_replaces_its_placeholder_under_the_same_name(registry: _FakeSuite) -> None:
    replacement = _FakeSuite()
    replacement.name = "later"
    suites.register_suite(replacement)
    assert suites.suite_names() == ["fake", "later"]
    report = run_benchmarks("later", BenchOptions())
    assert [r.name for r in report.results] == ["fake_figure"]
    assert replacement.runs == 1


def test_an_unknown_suite_name_lists_the_known_ones(registry: _FakeSuite) -> None:
    with pytest.raises(BenchmarkFailed) as caught:
        suites.get_suite("nope")
    assert "fake, later, all" in str(caught.value)


def test_the_shipped_registry_has_core_flow_and_reports() -> None:
    assert suites.suite_names()[:3] == ["core", "flow", "reports"]
    assert suites.get_suite("core").availability() is None
    assert suites.get_suite("reports").availability() is not None
