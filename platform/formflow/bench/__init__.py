"""``formflow bench``: measured speed, each figure beside a baseline measured in the same run.

Every figure compares our code with the plain library or hand-written SQL doing the same work
and reports seconds per operation for both, and their ratio (DESIGN.md, "Quality bar";
docs/performance.md says what each figure measures and its target)::

    report = run_benchmarks("core", BenchOptions(records=100_000))
    print(report.to_json("en"))

Suites live in a registry (:mod:`formflow.bench.suites`): ``core`` (issue 2) and ``flow``
(issue 3; available once the flow services exist); ``reports`` is a placeholder that explains
it is not available yet, until a real suite registers under the same name.
"""

from __future__ import annotations

from formflow.bench.core import CoreSuite
from formflow.bench.flow_suite import FlowSuite
from formflow.bench.results import BenchReport, BenchResult, Unavailable
from formflow.bench.suites import (
    ALL,
    DEFAULT_RECORDS,
    BenchOptions,
    PlannedSuite,
    Suite,
    get_suite,
    register_suite,
    run_benchmarks,
    suite_names,
)
from formflow.bench.timing import TimingPlan, measure
from formflow.i18n import _

register_suite(CoreSuite())
register_suite(FlowSuite())
register_suite(
    PlannedSuite(
        "reports",
        _(
            "The reports benchmark is not available yet: reports are not part of the "
            "platform so far. Run `formflow bench core` meanwhile."
        ),
    )
)

__all__ = [
    "ALL",
    "DEFAULT_RECORDS",
    "BenchOptions",
    "BenchReport",
    "BenchResult",
    "PlannedSuite",
    "Suite",
    "TimingPlan",
    "Unavailable",
    "get_suite",
    "measure",
    "register_suite",
    "run_benchmarks",
    "suite_names",
]
