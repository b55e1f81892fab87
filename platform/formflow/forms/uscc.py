"""Checks for the unified social credit code of China (统一社会信用代码, GB 32100-2015).

Every company, public institution and social organisation has one 18-character code: a
registration authority (1 character), an organisation category (1), the region (6 digits),
the organisation code (9) and a check character computed with weights over an alphabet of
31 characters (the digits and the capital letters without I, O, S, V, Z). A typo almost
always breaks the check character, so contracts, invoices and supplier masters catch wrong
codes when they are entered.
"""

from __future__ import annotations

from formflow.forms.quoting import quote
from formflow.i18n import Msg, _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUES = {char: index for index, char in enumerate(ALPHABET)}
_WEIGHTS: tuple[int, ...] = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


def check_character(first17: str) -> str:
    """The check character for the first 17 characters (which must be in :data:`ALPHABET`)."""
    total = sum(_VALUES[char] * weight for char, weight in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> Msg | None:
    """Why ``code`` is not a valid unified social credit code, or None when it is."""
    if len(code) != LENGTH:
        return _(
            "A unified social credit code has 18 characters; {value} has {count}. Copy it "
            "from the business licence.",
            value=quote(code),
            count=len(code),
        )
    if code.upper() != code and all(char in _VALUES for char in code.upper()):
        return _(
            "Write the unified social credit code in capital letters: {value}.",
            value=quote(code.upper()),
        )
    wrong = sorted({char for char in code if char not in _VALUES})
    if wrong:
        return _(
            "{value} contains {chars}, which a unified social credit code never holds (only "
            "digits and capital letters other than I, O, S, V and Z); check the code.",
            value=quote(code),
            chars=" ".join(wrong),
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        return _(
            "{value} is not a valid unified social credit code: its last character should "
            "be {expected}; check the code for a typing mistake.",
            value=quote(code),
            expected=expected,
        )
    return None
