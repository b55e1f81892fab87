"""The registry of benchmark suites: ``formflow bench <suite>`` looks its suite up here.

A suite is anything with a ``name``, an ``availability()`` (``None`` when it can run, else the
reason it cannot) and a ``run(options)`` that returns its results. Suites whose subject is
still being built are registered as :class:`PlannedSuite`, so ``formflow bench flow`` says so
plainly today; the real suite replaces the placeholder by registering under the same name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from formflow.bench.results import BenchReport, BenchResult, Unavailable
from formflow.bench.timing import TimingPlan
from formflow.errors import BenchmarkFailed
from formflow.i18n import Msg, _

#: The default size of the record store for list benchmarks (issue 2 asks for a million).
DEFAULT_RECORDS = 1_000_000
ALL = "all"


def _quiet(_message: Msg) -> None:
    """Progress sink that drops messages (the default outside the command line)."""


@dataclass(frozen=True)
class BenchOptions:
    """What one run is asked to do.

    ``database_url`` is ``None`` for a temporary SQLite file; ``progress`` receives short
    messages about long set-up steps (the command prints them on stderr).
    """

    records: int = DEFAULT_RECORDS
    database_url: str | None = None
    plan: TimingPlan = field(default_factory=TimingPlan)
    progress: Callable[[Msg], None] = _quiet


class Suite(Protocol):
    """A named group of figures."""

    @property
    def name(self) -> str: ...

    def availability(self) -> Msg | None:
        """``None`` when the suite can run here, else why not (shown to the user)."""
        ...

    def run(self, options: BenchOptions) -> list[BenchResult]:
        """Measure every figure of the suite."""
        ...


@dataclass(frozen=True)
class PlannedSuite:
    """A suite whose subject is not built yet: it never runs and says why."""

    name: str
    reason: Msg

    def availability(self) -> Msg | None:
        return self.reason

    def run(self, options: BenchOptions) -> list[BenchResult]:
        raise BenchmarkFailed(self.reason)


_SUITES: dict[str, Suite] = {}


def register_suite(suite: Suite) -> Suite:
    """Add ``suite`` to the registry, replacing one of the same name (a placeholder)."""
    _SUITES[suite.name] = suite
    return suite


def suite_names() -> list[str]:
    """Every registered suite, in registration order."""
    return list(_SUITES)


def get_suite(name: str) -> Suite:
    try:
        return _SUITES[name]
    except KeyError:
        raise BenchmarkFailed(
            _(
                "There is no benchmark suite {name!r}; choose one of: {choices}.",
                name=name,
                choices=", ".join([*_SUITES, ALL]),
            )
        ) from None


def run_benchmarks(name: str, options: BenchOptions) -> BenchReport:
    """Run the suite ``name`` (or every available suite for ``all``) and collect the report.

    Asking for one suite that is not available raises :class:`BenchmarkFailed` with the
    reason; ``all`` runs what is available and lists the rest in the report.
    """
    chosen: Sequence[Suite] = list(_SUITES.values()) if name == ALL else [get_suite(name)]
    results: list[BenchResult] = []
    unavailable: list[Unavailable] = []
    for suite in chosen:
        reason = suite.availability()
        if reason is not None:
            if name != ALL:
                raise BenchmarkFailed(reason)
            unavailable.append(Unavailable(suite.name, reason))
            continue
        results.extend(suite.run(options))
    return BenchReport(tuple(results), tuple(unavailable))
