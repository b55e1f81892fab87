"""Regular expressions written by form designers, matched with a time limit.

A ``pattern`` in a form is untrusted: ``^(a+)+$`` against ``"aaaa…b"`` takes exponential time in
a backtracking engine. On the fast path ``jsonschema_rs`` matches patterns with Rust's regex
engines (linear time, or a backtrack limit for look-around); on the explaining path python
``jsonschema`` would use :mod:`re` without any limit, so Formflow replaces its ``pattern``
keyword with :func:`search`, which runs the :mod:`regex` module with a timeout.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import time
from collections.abc import Iterator

import jsonschema_rs
import regex

#: Seconds one designer pattern may run against one value before it is given up.
PATTERN_TIMEOUT = 0.25
#: Seconds all pattern matching of one explanation (one invalid submission) may take: a
#: submission with a thousand rows must not cost a thousand timeouts.
PATTERN_BUDGET = 1.0
#: Backtracking steps the Rust engine may take for a pattern with look-around.
RUST_BACKTRACK_LIMIT = 1_000_000


class PatternTimeout(Exception):
    """Matching a designer pattern took longer than :data:`PATTERN_TIMEOUT`."""


def rust_pattern_options() -> jsonschema_rs.FancyRegexOptions:
    """The bounded regex options every ``jsonschema_rs`` validator of a form is built with."""
    return jsonschema_rs.FancyRegexOptions(backtrack_limit=RUST_BACKTRACK_LIMIT)


@functools.lru_cache(maxsize=1024)
def compile_pattern(source: str) -> regex.Pattern[str]:
    """Compile a designer pattern once (raises :class:`regex.error` when it is malformed)."""
    return regex.compile(source)


def pattern_error(source: str) -> str | None:
    """Why ``source`` is not usable as a pattern by both engines, or None when it is.

    Returns the engine's own explanation (for the designer's diagnostics, wrapped in a
    translated message by the caller).
    """
    try:
        compile_pattern(source)
    except (regex.error, TypeError, ValueError, OverflowError) as exc:
        return str(exc)
    try:
        jsonschema_rs.validator_for(
            {"type": "string", "pattern": source}, pattern_options=rust_pattern_options()
        )
    except (jsonschema_rs.ValidationError, ValueError) as exc:
        return str(exc).splitlines()[0]
    return None


def search(source: str, text: str, timeout: float = PATTERN_TIMEOUT) -> bool:
    """True when ``source`` matches somewhere in ``text`` (JSON Schema ``pattern`` semantics).

    Raises :class:`PatternTimeout` when matching takes longer than ``timeout`` seconds, or at
    once when the budget opened with :func:`pattern_budget` is spent.
    """
    deadline = _DEADLINE.get()
    if deadline is not None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise PatternTimeout(source)
        timeout = min(timeout, remaining)
    try:
        return compile_pattern(source).search(text, timeout=timeout) is not None
    except TimeoutError as exc:
        raise PatternTimeout(source) from exc


_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "formflow_pattern_deadline", default=None
)


@contextlib.contextmanager
def pattern_budget(seconds: float = PATTERN_BUDGET) -> Iterator[None]:
    """Bound the total time of every :func:`search` inside the block (per thread/task)."""
    token = _DEADLINE.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(token)
