"""OA forms use the platform's checks: a contract's amount in its own currency, the
counterparty's unified social credit code, and a trip allowance within the company's standard
(a pack setting read by a formula)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from oakit import Office, contract, trip


@pytest.mark.parametrize(
    ("extra", "errors"),
    [
        ({}, []),
        ({"counterparty_credit_code": "91310115MA1K4ABC1X"}, ["$.counterparty_credit_code"]),
        (
            {"currency": "JPY", "amount": Decimal("1500000.50"), "exchange_rate": Decimal("0.048")},
            ["$.amount"],
        ),
        ({"currency": "JPY", "amount": Decimal("1500000"), "exchange_rate": Decimal("0.048")}, []),
    ],
)
def test_a_contract_checks_its_credit_code_and_its_amount_in_its_currency(
    office: Office, extra: dict[str, Any], errors: list[str]
) -> None:
    extra = dict(extra)
    amount = extra.pop("amount", Decimal("50000"))
    data = contract(str(amount), [office.upload("zhang.wei")], **extra)
    response = office.post_request("zhang.wei", "contract_approval", data)
    if errors:
        assert response.status_code == 422, response.payload
        assert [e["path"] for e in response.payload["errors"]] == errors
    else:
        assert response.status_code == 201, response.payload


@pytest.mark.parametrize(
    ("trip_type", "allowance", "standard", "accepted"),
    [
        ("domestic", "300", "300", True),  # 3 days at 100 a day
        ("domestic", "300.01", "300", False),
        ("international", "900", "900", True),  # 3 days at 300 a day abroad
    ],
)
def test_a_trip_allowance_is_at_most_the_daily_standard_times_the_days(
    office: Office, trip_type: str, allowance: str, standard: str, accepted: bool
) -> None:
    data = trip("2000", trip_type=trip_type, allowance=Decimal(allowance))
    response = office.post_request("zhang.wei", "business_trip", data)
    if accepted:
        assert response.status_code == 201, response.payload
        assert response.payload["data"]["allowance_standard"] == Decimal(standard)
    else:
        assert response.status_code == 422
        assert [e["path"] for e in response.payload["errors"]] == ["$.allowance"]
