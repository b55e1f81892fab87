"""Timing an operation the way ``timeit`` does: warm up, size a loop, keep the best repeat.

The best (minimum) of several repeats is the figure least disturbed by whatever else the
machine was doing; the mean would mostly measure the noise. Garbage collection stays on (the
code under test allocates, and real requests pay for collection) but each repeat starts
after a full collection, so one repeat does not pay for the garbage of the previous one.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

#: Do not time loops shorter than this; the clock's resolution would show.
MIN_LOOP_SECONDS = 0.2
DEFAULT_REPEAT = 5


@dataclass(frozen=True)
class TimingPlan:
    """How hard to try: timed repeats per figure and the shortest loop worth timing."""

    repeat: int = DEFAULT_REPEAT
    min_time: float = MIN_LOOP_SECONDS

    def lighter(self, repeat: int) -> TimingPlan:
        """The same plan with at most ``repeat`` repeats (for operations that take seconds)."""
        return TimingPlan(repeat=max(1, min(self.repeat, repeat)), min_time=self.min_time)


def _loop(operation: Callable[[], object], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        operation()
    return time.perf_counter() - start


def _loop_length(operation: Callable[[], object], plan: TimingPlan) -> int:
    """Calls per timed loop: run 1, 2, 4 ... calls until a loop lasts ``plan.min_time``.

    This search is the warm-up: caches fill, compiled forms and prepared statements exist.
    """
    number = 1
    while True:
        elapsed = _loop(operation, number)
        if elapsed >= plan.min_time:
            return number
        per_call = max(elapsed / number, 1e-9)
        number = max(number * 2, math.ceil(plan.min_time / per_call))


def _timed(operation: Callable[[], object], number: int) -> float:
    gc.collect()
    return _loop(operation, number) / number


def measure(operation: Callable[[], object], plan: TimingPlan) -> float:
    """Seconds per call of ``operation``: the best of ``plan.repeat`` timed loops.

    The loop length is found first (:func:`_loop_length`); then every timed loop calls the
    operation that many times.
    """
    number = _loop_length(operation, plan)
    return min(_timed(operation, number) for _ in range(max(1, plan.repeat)))


def measure_pair(
    ours: Callable[[], object], baseline: Callable[[], object], plan: TimingPlan
) -> tuple[float, float]:
    """Seconds per call of ``ours`` and of ``baseline``, their timed loops taken in turns.

    Each repeat times a loop of ours, then a loop of the baseline, so both sides are measured
    in the same minutes: a slow spell of the machine (a busy disk flushing the database's
    write-ahead log, another job) then costs both, not only whichever was timed during it.
    Work on a database depends on such spells far more than computations do: writes (the
    write-ahead log), and reads right after a big load (autovacuum, checkpoints).
    """
    ours_number = _loop_length(ours, plan)
    baseline_number = _loop_length(baseline, plan)
    best_ours = best_baseline = math.inf
    for _ in range(max(1, plan.repeat)):
        best_ours = min(best_ours, _timed(ours, ours_number))
        best_baseline = min(best_baseline, _timed(baseline, baseline_number))
    return best_ours, best_baseline
