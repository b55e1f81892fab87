"""The JSON text the stores keep: exact decimals, readable text, and the slow path's cases."""

from __future__ import annotations

import decimal
from decimal import Decimal

import pytest
import simplejson
from hypothesis import given
from hypothesis import strategies as st

from formflow.storage.db import dumps, loads

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.decimals(allow_nan=False, allow_infinity=False, places=4)
    | st.text(max_size=20)
)
_DOCUMENTS = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)


def test_decimals_are_written_as_their_exact_digits() -> None:
    text = dumps({"amount": Decimal("1234567890.123456789"), "rate": Decimal("0.10")})
    assert text == '{"amount":1234567890.123456789,"rate":0.10}'
    assert loads(text)["amount"] == Decimal("1234567890.123456789")


def test_text_stays_readable_utf8() -> None:
    assert dumps({"名称": "采购订单"}) == '{"名称":"采购订单"}'


def test_values_the_fast_encoder_refuses_take_the_exact_slow_path() -> None:
    big = 2**70
    assert dumps({"n": big}) == f'{{"n":{big}}}'
    with pytest.raises(ValueError, match="not JSON compliant"):
        dumps([Decimal("NaN")])  # refused, as it always was: NaN is no JSON number


def test_non_string_keys_become_strings_as_before() -> None:
    assert loads(dumps({1: "a", None: "b"})) == {"1": "a", "null": "b"}


@given(_DOCUMENTS)
def test_documents_read_back_as_written(document: object) -> None:
    with decimal.localcontext() as context:
        context.prec = 60
        assert loads(dumps(document)) == simplejson.loads(
            simplejson.dumps(document, use_decimal=True), use_decimal=True
        )


@given(_DOCUMENTS)
def test_stored_text_reads_as_the_exact_reference_parser_reads_it(document: object) -> None:
    """The fast decoder and ``simplejson`` (``use_decimal``) agree on value *and* type."""
    text = simplejson.dumps(document, use_decimal=True)
    ours, reference = loads(text), simplejson.loads(text, use_decimal=True)
    assert _typed(ours) == _typed(reference)
    assert loads(text.encode()) == reference


def _typed(value: object) -> object:
    if isinstance(value, dict):
        return {key: _typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_typed(item) for item in value]
    return (type(value).__name__, str(value))


def test_text_the_fast_decoder_refuses_takes_the_old_path() -> None:
    # A lone surrogate escape and a byte-order mark: msgspec refuses, simplejson reads.
    assert loads('{"x": "\\ud800"}') == {"x": "\ud800"}
    assert loads("\ufeff[1]") == [1]
    assert loads('{"n": 1e400, "m": 1.50}') == {"n": Decimal("1E+400"), "m": Decimal("1.50")}
    with pytest.raises(ValueError, match="Expecting value"):
        loads('{"x": NaN}')  # no JSON number, refused as it always was
