"""How an allowlisted function is described: typed signatures plus a pure implementation.

A :class:`Function` has one or more :class:`Signature` (distinguished by the number of
arguments), a rule for its result type, and an implementation ``impl(context, *args)``. The
checker picks the signature by argument count and checks every argument type against it; the
evaluator calls ``impl`` with Python values. Unless ``keeps_nulls`` is set, a null argument
gives a null result without calling ``impl`` (SQL's rule for functions).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from formflow.errors import EvaluationFailed
from formflow.expr.typesystem import Type
from formflow.i18n import Msg, _

#: Accepted types of one parameter (a value fits when it fits any of them).
Accepts = tuple[Type, ...]


@dataclass(frozen=True)
class Signature:
    """One way to call a function: fixed parameters, then optional repeated ones."""

    params: tuple[Accepts, ...]
    rest: Accepts | None = None

    def admits(self, count: int) -> bool:
        """True when ``count`` arguments fit this signature."""
        if self.rest is None:
            return count == len(self.params)
        return count >= len(self.params)

    def accepts(self, index: int) -> Accepts:
        """Accepted types of the argument at ``index``."""
        if index < len(self.params):
            return self.params[index]
        assert self.rest is not None
        return self.rest


@dataclass(frozen=True)
class Function:
    """An allowlisted function of the language."""

    name: str
    signatures: tuple[Signature, ...]
    result: Callable[[Sequence[Type]], Type]
    impl: Callable[..., Any]
    summary: Msg
    example: str
    keeps_nulls: bool = False

    def signature_for(self, count: int) -> Signature | None:
        """The signature taking ``count`` arguments, if any."""
        for signature in self.signatures:
            if signature.admits(count):
                return signature
        return None

    def arity_text(self) -> Msg | str:
        """How many arguments it takes, for messages ("1 or 2", "at least 1")."""
        counts = sorted({len(signature.params) for signature in self.signatures})
        if any(signature.rest is not None for signature in self.signatures):
            return _("at least {count}", count=counts[0])
        text: Msg | str = str(counts[-1])
        for count in reversed(counts[:-1]):
            text = _("{first} or {rest}", first=str(count), rest=text)
        return text


def returns(result: Type) -> Callable[[Sequence[Type]], Type]:
    """A result rule for a function that always returns ``result``."""
    return lambda _args: result


def same_as(index: int) -> Callable[[Sequence[Type]], Type]:
    """A result rule: the type of the argument at ``index`` (``add_days(d, n)`` keeps d's type)."""
    return lambda args: args[index]


def whole(value: Decimal, what: Msg) -> int:
    """``value`` as an ``int``, or :class:`EvaluationFailed` when it has a fraction."""
    if value != value.to_integral_value() or abs(value) > 1_000_000:
        raise EvaluationFailed(
            _(
                "{what} must be a whole number (up to a million), but it is {value}.",
                what=what,
                value=str(value),
            )
        )
    return int(value)


def sig(*params: Accepts, rest: Accepts | None = None) -> Signature:
    """Shorthand for a :class:`Signature`."""
    return Signature(tuple(params), rest)
