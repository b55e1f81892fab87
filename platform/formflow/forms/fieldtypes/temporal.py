"""Date and time field types: date, datetime, time.

Values are ISO strings in JSON (``2026-01-31``, ``2026-01-31T08:00:00Z``, ``08:30``); the
formats are enforced by :mod:`formflow.forms.formats` in both validators. Dates and UTC
date-times sort correctly as text, so they are indexed as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from formflow.expr import DATE, DATETIME, TIME, Type
from formflow.forms.fields import FieldSpec, IndexKind
from formflow.forms.fieldtypes.base import FieldType, register


class _Temporal(FieldType):
    json_types: ClassVar[tuple[str, ...]] = ("string",)
    index_kind = IndexKind.TEXT
    computable = True
    check_drafts = True


@register
class DateType(_Temporal):
    """A calendar day, ``YYYY-MM-DD``."""

    name = "date"
    shape: ClassVar[Mapping[str, Any]] = {"format": "date"}
    widgets = ("date",)

    def expr_type(self, spec: FieldSpec) -> Type:
        return DATE


@register
class DatetimeType(_Temporal):
    """A moment, RFC 3339 with an offset; stored in UTC (``...Z``) after ``prepare``."""

    name = "datetime"
    shape: ClassVar[Mapping[str, Any]] = {"format": "date-time"}
    widgets = ("datetime",)

    def expr_type(self, spec: FieldSpec) -> Type:
        return DATETIME


@register
class TimeType(_Temporal):
    """A wall-clock time of day, ``HH:MM`` or ``HH:MM:SS``."""

    name = "time"
    shape: ClassVar[Mapping[str, Any]] = {"format": "time"}
    widgets = ("time",)

    def expr_type(self, spec: FieldSpec) -> Type:
        return TIME
