"""Serial numbers (``x-serial``): the pattern, its counter period, and rendering.

``{"pattern": "BX-{YYYY}{MM}-{seq:4}", "reset": "monthly"}`` numbers expense claims
``BX-202601-0001``, ``BX-202601-0002`` ... and starts again at 1 each month. Placeholders:

* ``{YYYY}`` year, ``{YY}`` two-digit year, ``{MM}`` month, ``{DD}`` day (of the date the
  services pass, normally the submission date in the organisation's time zone);
* ``{seq}`` or ``{seq:N}`` the counter, zero-padded to N digits (1-12). A counter that
  outgrows N digits is written in full, so numbers stay unique.

``reset`` is ``never`` (default), ``yearly``, ``monthly`` or ``daily``. A pattern must show
the date parts its reset period needs (a monthly counter needs year and month), otherwise two
periods would produce the same numbers.

The services keep one counter per (form, field, :meth:`SerialPattern.period_key`) row,
increment it inside the writing transaction and call :meth:`SerialPattern.render`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from formflow.errors import Issue
from formflow.forms.paths import child
from formflow.forms.quoting import quote
from formflow.i18n import _

MAX_WIDTH = 12
_TOKEN = re.compile(r"\{([^{}]*)\}")
_LITERAL = re.compile(r"^[^{}\s]*$")
_DATE_PARTS = {"YYYY", "YY", "MM", "DD"}


class SerialReset(StrEnum):
    """When the counter starts again at 1."""

    NEVER = "never"
    YEARLY = "yearly"
    MONTHLY = "monthly"
    DAILY = "daily"


@dataclass(frozen=True)
class SerialPattern:
    """A parsed ``x-serial``: literal pieces and placeholders, plus the reset period."""

    pattern: str
    reset: SerialReset
    parts: tuple[tuple[str, str], ...]  # ("text", "BX-") | ("YYYY", "") | ("seq", "4")

    def period_key(self, day: date) -> str:
        """The counter's period for ``day``: ``""``, ``"2026"``, ``"2026-01"``, ``"2026-01-31"``."""
        if self.reset is SerialReset.YEARLY:
            return f"{day.year:04d}"
        if self.reset is SerialReset.MONTHLY:
            return f"{day.year:04d}-{day.month:02d}"
        if self.reset is SerialReset.DAILY:
            return day.isoformat()
        return ""

    def render(self, counter: int, day: date) -> str:
        """The serial number for the ``counter``-th record of ``day``'s period."""
        pieces: list[str] = []
        for kind, value in self.parts:
            if kind == "text":
                pieces.append(value)
            elif kind == "YYYY":
                pieces.append(f"{day.year:04d}")
            elif kind == "YY":
                pieces.append(f"{day.year % 100:02d}")
            elif kind == "MM":
                pieces.append(f"{day.month:02d}")
            elif kind == "DD":
                pieces.append(f"{day.day:02d}")
            else:
                pieces.append(str(counter).zfill(int(value or "1")))
        return "".join(pieces)


def parse_serial(raw: Any, path: str) -> tuple[SerialPattern | None, list[Issue]]:
    """Parse an ``x-serial`` value found at JSON path ``path`` (the ``x-serial`` key)."""
    example = '{"pattern": "BX-{YYYY}{MM}-{seq:4}", "reset": "monthly"}'
    if not isinstance(raw, Mapping) or not isinstance(raw.get("pattern"), str):
        return None, [
            Issue(
                path,
                _("x-serial needs a pattern, for example {example}.", example=example),
                "serial_invalid",
            )
        ]
    issues: list[Issue] = []
    for key in sorted(set(raw) - {"pattern", "reset"}):
        issues.append(
            Issue(
                child(path, key),
                _("Unknown key {key} in x-serial; it takes pattern and reset.", key=quote(key)),
                "serial_invalid",
            )
        )
    text: str = raw["pattern"]
    reset_raw = raw.get("reset", "never")
    try:
        reset = SerialReset(reset_raw)
    except ValueError:
        issues.append(
            Issue(
                child(path, "reset"),
                _(
                    "{value} is not a reset period; use never, yearly, monthly or daily.",
                    value=quote(reset_raw),
                ),
                "serial_invalid",
            )
        )
        reset = SerialReset.NEVER
    pattern_path = child(path, "pattern")
    parts: list[tuple[str, str]] = []
    position = 0
    for match in _TOKEN.finditer(text):
        literal = text[position : match.start()]
        if literal:
            parts.append(("text", literal))
        parts.append(_placeholder(match.group(1), pattern_path, issues))
        position = match.end()
    if text[position:]:
        parts.append(("text", text[position:]))
    literals = "".join(value for kind, value in parts if kind == "text")
    if not _LITERAL.match(literals):
        issues.append(
            Issue(
                pattern_path,
                _(
                    "The serial pattern {pattern} has a stray brace "
                    "or a space; placeholders look like {{YYYY}}.",
                    pattern=quote(text),
                ),
                "serial_invalid",
            )
        )
    kinds = [kind for kind, _value in parts]
    if kinds.count("seq") != 1:
        issues.append(
            Issue(
                pattern_path,
                _(
                    "The serial pattern {pattern} must contain the "
                    "counter exactly once, as {{seq}} or {{seq:4}}.",
                    pattern=quote(text),
                ),
                "serial_invalid",
            )
        )
    needed = {
        SerialReset.YEARLY: _("the year"),
        SerialReset.MONTHLY: _("the year and the month"),
        SerialReset.DAILY: _("the year, the month and the day"),
    }
    has_year = "YYYY" in kinds or "YY" in kinds
    shows = {
        SerialReset.NEVER: True,
        SerialReset.YEARLY: has_year,
        SerialReset.MONTHLY: has_year and "MM" in kinds,
        SerialReset.DAILY: has_year and "MM" in kinds and "DD" in kinds,
    }
    if not shows[reset]:
        issues.append(
            Issue(
                pattern_path,
                _(
                    "A counter that resets {reset} would repeat numbers unless the pattern "
                    "shows {parts}; add them, e.g. {{YYYY}}{{MM}}{{DD}}.",
                    reset=reset.value,
                    parts=needed[reset],
                ),
                "serial_reset",
            )
        )
    if issues:
        return None, issues
    return SerialPattern(text, reset, tuple(parts)), []


def _placeholder(token: str, path: str, issues: list[Issue]) -> tuple[str, str]:
    if token in _DATE_PARTS:
        return (token, "")
    name, _sep, width = token.partition(":")
    if name == "seq" and (not width or (width.isdigit() and 1 <= int(width) <= MAX_WIDTH)):
        return ("seq", width)
    issues.append(
        Issue(
            path,
            _(
                "Unknown placeholder {token}; use {{YYYY}}, {{YY}}, {{MM}}, {{DD}} or "
                "{{seq:N}} with N from 1 to 12.",
                token=quote("{" + token + "}"),
            ),
            "serial_invalid",
        )
    )
    return ("text", "")
