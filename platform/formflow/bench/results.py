"""What a benchmark reports: one figure beside its baseline, and the report of a whole run.

The JSON shape is the contract of ``formflow bench --json`` (DESIGN.md, "Quality bar")::

    {"results": [{"name", "unit", "ours", "baseline", "ratio", ...}, ...]}

``ours`` and ``baseline`` are seconds per operation measured in the same run and
``ratio = ours / baseline``: machines are noisy, ratios much less so. A result may add a
short ``note``, the ``target`` ratio it is judged against and its parameters (``records``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from formflow.i18n import Msg, _


@dataclass(frozen=True)
class BenchResult:
    """One measured figure: our code and the plain baseline doing the same work.

    ``target`` is the highest acceptable ratio; ``limit`` the most seconds ours may take,
    for figures judged in absolute time (the inbox must answer within 20 ms whatever the
    baseline does). Neither: the figure is reported for information only. ``params`` are the
    parameters the figure depends on, such as ``{"records": 1000000}``.
    """

    name: str
    unit: str
    ours: float
    baseline: float
    note: Msg | None = None
    target: float | None = None
    limit: float | None = None
    params: Mapping[str, int | str] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        """How many times the baseline's time ours takes (below 1: ours is faster)."""
        return self.ours / self.baseline

    @property
    def meets_target(self) -> bool | None:
        """Whether the ratio and the time are within their targets (``None``: no target)."""
        if self.target is None and self.limit is None:
            return None
        ratio_ok = self.target is None or self.ratio <= self.target
        time_ok = self.limit is None or self.ours <= self.limit
        return ratio_ok and time_ok

    def to_json(self, locale: str | None) -> dict[str, Any]:
        """The result as ``formflow bench --json`` prints it."""
        out: dict[str, Any] = {
            "name": self.name,
            "unit": self.unit,
            "ours": self.ours,
            "baseline": self.baseline,
            "ratio": self.ratio,
        }
        if self.target is not None:
            out["target"] = self.target
        if self.limit is not None:
            out["limit_seconds"] = self.limit
        if self.note is not None:
            out["note"] = self.note.render(locale)
        out.update(self.params)
        return out


@dataclass(frozen=True)
class Unavailable:
    """A suite that was asked for but cannot run yet, and why."""

    suite: str
    reason: Msg


@dataclass(frozen=True)
class BenchReport:
    """Everything one ``formflow bench`` run measured, plus the suites it had to leave out."""

    results: tuple[BenchResult, ...]
    unavailable: tuple[Unavailable, ...] = ()

    def to_json(self, locale: str | None) -> dict[str, Any]:
        out: dict[str, Any] = {"results": [result.to_json(locale) for result in self.results]}
        if self.unavailable:
            out["unavailable"] = [
                {"suite": item.suite, "reason": item.reason.render(locale)}
                for item in self.unavailable
            ]
        return out

    def render_table(self, locale: str | None) -> str:
        """A readable table: one line per figure, times in milliseconds, notes below."""
        headers = [
            _("figure").render(locale),
            _("ours (ms)").render(locale),
            _("baseline (ms)").render(locale),
            _("ratio").render(locale),
            _("target").render(locale),
        ]
        rows = [
            [
                result.name,
                _milliseconds(result.ours),
                _milliseconds(result.baseline),
                f"{result.ratio:.3g}",
                _verdict(result, locale),
            ]
            for result in self.results
        ]
        widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
        lines = [
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
            for line in [headers, *rows]
        ]
        lines.insert(1, "  ".join("-" * width for width in widths))
        for result in self.results:
            details = [f"{key}={value}" for key, value in result.params.items()]
            if result.note is not None:
                details.append(result.note.render(locale))
            if details:
                lines.append(f"{result.name}: {'; '.join(details)}")
        for item in self.unavailable:
            lines.append(
                _("{suite}: not run: {reason}", suite=item.suite, reason=item.reason).render(locale)
            )
        return "\n".join(lines)


def _milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:.4g}"


def _verdict(result: BenchResult, locale: str | None) -> str:
    if result.meets_target is None:
        return _("(for information)").render(locale)
    goals = []
    if result.target is not None:
        goals.append(f"<= {result.target:g}")
    if result.limit is not None:
        goals.append(f"ours <= {_milliseconds(result.limit)} ms")
    mark = _("met") if result.meets_target else _("MISSED")
    return f"{', '.join(goals)} {mark.render(locale)}"
