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


def measure(operation: Callable[[], object], plan: TimingPlan) -> float:
    """Seconds per call of ``operation``: the best of ``plan.repeat`` timed loops.

    The loop length is found first by running the operation 1, 2, 4 ... times until a loop
    lasts ``plan.min_time`` (that search is the warm-up: caches fill, compiled forms and
    prepared statements exist); then every timed loop calls it that many times.
    """
    number = 1
    while True:
        elapsed = _loop(operation, number)
        if elapsed >= plan.min_time:
            break
        per_call = max(elapsed / number, 1e-9)
        number = max(number * 2, math.ceil(plan.min_time / per_call))
    best = math.inf
    for _ in range(max(1, plan.repeat)):
        gc.collect()
        best = min(best, _loop(operation, number) / number)
    return best
