"""The ``format`` values a form may use, enforced the same way by both validators.

JSON Schema 2020-12 treats ``format`` as an annotation unless a validator is told to assert it,
and python ``jsonschema`` silently skips formats it has no checker for, while ``jsonschema_rs``
has its own implementations. Identical verdicts from the fast path (``jsonschema_rs``) and the
explaining path (python ``jsonschema``) need identical format checks, so both are given the
functions in :data:`FORMAT_CHECKS` and a definition may only use these formats.

Formflow's meanings (documented in docs/forms.md):

* ``date`` — ``YYYY-MM-DD``, a real calendar date;
* ``date-time`` — RFC 3339 with seconds and an offset (``2026-01-31T08:00:00Z``,
  ``2026-01-31T16:00:00+08:00``); ``CompiledForm.prepare`` normalises it to UTC ``Z``;
* ``time`` — a wall-clock time ``HH:MM`` or ``HH:MM:SS`` without an offset (a form's "time of
  day" has no zone; this differs from RFC 3339's ``full-time`` on purpose);
* ``email``, ``uri`` (absolute, with a scheme), ``uuid``, ``ipv4``, ``ipv6``, ``hostname``.

Each check returns True for values that are not strings, as JSON Schema requires.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from typing import Any

import jsonschema

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_DATETIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$", re.ASCII
)
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(:([0-5]\d))?$", re.ASCII)
_EMAIL = re.compile(
    r"^[^@\s\"(),:;<>\[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s\"<>\\^`{|}]+$")
_UUID = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", re.ASCII
)
_HOST_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$", re.ASCII)


def is_date(value: Any) -> bool:
    """``YYYY-MM-DD`` naming a real day."""
    if not isinstance(value, str):
        return True
    if not _DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def is_datetime(value: Any) -> bool:
    """RFC 3339 date-time with seconds and an offset (``Z`` or ``+08:00``)."""
    if not isinstance(value, str):
        return True
    match = _DATETIME.match(value)
    if not match:
        return False
    day, hour, minute, second, _fraction, offset = match.groups()
    if not is_date(day) or int(hour) > 23 or int(minute) > 59 or int(second) > 59:
        return False
    if offset != "Z":
        offset_hours, offset_minutes = int(offset[1:3]), int(offset[4:6])
        if offset_hours > 23 or offset_minutes > 59:
            return False
    return True


def is_time(value: Any) -> bool:
    """Wall-clock ``HH:MM`` or ``HH:MM:SS`` (24-hour, no offset)."""
    if not isinstance(value, str):
        return True
    return bool(_TIME.match(value))


def is_email(value: Any) -> bool:
    """A practical e-mail address check: one ``@``, a dotted domain, no spaces."""
    if not isinstance(value, str):
        return True
    if len(value) > 254 or "@" not in value or len(value.split("@", 1)[0]) > 64:
        return False
    return bool(_EMAIL.match(value))


def is_uri(value: Any) -> bool:
    """An absolute URI: a scheme, a colon and no spaces or forbidden characters."""
    if not isinstance(value, str):
        return True
    return bool(_URI.match(value))


def is_uuid(value: Any) -> bool:
    if not isinstance(value, str):
        return True
    return bool(_UUID.match(value))


def is_ipv4(value: Any) -> bool:
    if not isinstance(value, str):
        return True
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return True


def is_ipv6(value: Any) -> bool:
    if not isinstance(value, str):
        return True
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return True


def is_hostname(value: Any) -> bool:
    if not isinstance(value, str):
        return True
    if not value or len(value) > 253:
        return False
    return all(_HOST_LABEL.match(label) for label in value.rstrip(".").split("."))


FORMAT_CHECKS: Mapping[str, Callable[[Any], bool]] = {
    "date": is_date,
    "date-time": is_datetime,
    "time": is_time,
    "email": is_email,
    "uri": is_uri,
    "uuid": is_uuid,
    "ipv4": is_ipv4,
    "ipv6": is_ipv6,
    "hostname": is_hostname,
}


def format_checker() -> jsonschema.FormatChecker:
    """A python ``jsonschema`` format checker with exactly Formflow's formats."""
    checker = jsonschema.FormatChecker(formats=())
    for name, check in FORMAT_CHECKS.items():
        checker.checks(name)(check)
    return checker


def parse_datetime(value: str) -> datetime:
    """A date-time string (already checked by :func:`is_datetime`) as an aware datetime."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def parse_time(value: str) -> time:
    """A checked ``HH:MM[:SS]`` string as a :class:`datetime.time`."""
    return time.fromisoformat(value)
