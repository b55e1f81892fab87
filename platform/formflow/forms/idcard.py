"""Checks for the 18-character resident identity number of China (GB 11643-1999).

The number is six digits of region, eight digits of birth date (``YYYYMMDD``), three digits of
sequence and one check character computed with ISO 7064 MOD 11-2 (``0``-``9`` or ``X``). A
typo almost always breaks the check character, so checking it catches most wrong entries
before they reach payroll or social insurance.
"""

from __future__ import annotations

from datetime import date

from formflow.i18n import Msg, _

_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
#: First two digits in use: provinces, Taiwan (71), Hong Kong/Macau (81, 82), permanent
#: residence of Hong Kong/Macau/Taiwan residents (83) and foreigners (91, 93).
_REGION_PREFIXES = frozenset(
    {
        11,
        12,
        13,
        14,
        15,
        21,
        22,
        23,
        31,
        32,
        33,
        34,
        35,
        36,
        37,
        41,
        42,
        43,
        44,
        45,
        46,
        50,
        51,
        52,
        53,
        54,
        61,
        62,
        63,
        64,
        65,
        71,
        81,
        82,
        83,
        91,
        93,
    }
)
EARLIEST_BIRTH = date(1900, 1, 1)


def check_character(first17: str) -> str:
    """The check character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def birth_date(number: str) -> date | None:
    """The birth date encoded in a well-formed number, or None if it is not a real date."""
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def idcard_problem(number: str, today: date | None = None) -> Msg | None:
    """Why ``number`` is not a valid ID-card number, or None when it is.

    ``today`` bounds the birth date from above when known (the pure core has no clock).
    """
    if len(number) != 18 or not number[:17].isascii() or not number[:17].isdigit():
        return _(
            "{value} is not an 18-character ID-card number; it has 17 digits followed by a "
            "digit or X.",
            value=_quote(number),
        )
    last = number[17]
    if last == "x":
        return _("Write the last character of the ID-card number as a capital X.")
    if last not in "0123456789X":
        return _("The last character of an ID-card number is a digit or X.")
    if int(number[:2]) not in _REGION_PREFIXES:
        return _(
            "{value} does not start with a valid region code; check the first six digits.",
            value=_quote(number),
        )
    born = birth_date(number)
    if born is None or born < EARLIEST_BIRTH or (today is not None and born > today):
        return _(
            "The birth date in {value} ({digits}) is not a real date; check digits 7 to 14.",
            value=_quote(number),
            digits=number[6:14],
        )
    if check_character(number[:17]) != last:
        return _(
            "{value} fails the ID-card check; one of the digits is probably mistyped.",
            value=_quote(number),
        )
    return None


def _quote(value: str) -> str:
    return f"“{value[:40]}”"
