"""The OA forms refuse what their rules forbid, through the API, each problem at its field.

A refused request starts no flow: nobody's inbox changes. Each case names the only fields
that must be reported — a second, misleading message is a defect too.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from oakit import Office, announcement, contract, expense, leave, overtime, seal, trip

PAYEE = ("payee_bank", "payee_account_name", "payee_account_no")


def _without(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key not in names}


#: (form, data, the paths reported)
REFUSED: list[tuple[str, Callable[[Office], dict[str, Any]], list[str]]] = [
    (
        "expense_claim",
        lambda o: _without(expense("300"), PAYEE),
        ["$.payee_account_name", "$.payee_account_no", "$.payee_bank"],
    ),
    (
        "expense_claim",
        lambda o: expense("300", advance_offset=Decimal("300.01")),
        ["$.advance_offset"],
    ),
    ("leave_request", lambda o: leave("2026-12-04", "2026-12-01"), ["$.end_date"]),
    (
        "leave_request",
        lambda o: leave("2026-12-01", "2026-12-01", half_day="both"),
        ["$.half_day"],
    ),
    (
        "seal_request",
        lambda o: {**seal("contract", [o.upload("zhang.wei")]), "usage": "take_out"},
        ["$.carrier", "$.expected_return_date", "$.take_out_date"],
    ),
    (
        "seal_request",
        lambda o: seal(
            "contract",
            [o.upload("zhang.wei")],
            usage="take_out",
            carrier=o.ids["zhang.wei"],
            take_out_date="2026-12-09",
            expected_return_date="2026-12-08",
        ),
        ["$.expected_return_date"],
    ),
    (
        "seal_request",
        lambda o: _without(seal("contract", []), ("document_files",)),
        ["$.document_files"],
    ),
    (
        "overtime",
        lambda o: overtime(day_type="holiday", compensation="time_off"),
        ["$.compensation"],
    ),
    (
        "contract_approval",
        lambda o: contract("1000", [o.upload("zhang.wei")], currency="USD"),
        ["$.exchange_rate"],
    ),
    (
        "business_trip",
        lambda o: {
            **trip("100"),
            "legs": [
                {
                    "travel_date": "2026-12-20",
                    "from_city": "北京",
                    "to_city": "上海",
                    "transport": "train",
                }
            ],
        },
        ["$.legs"],
    ),
    ("business_trip", lambda o: trip("100", advance="200"), ["$.advance_amount"]),
    (
        "announcement",
        lambda o: announcement("notice", o.departments["sales"], audience="departments"),
        ["$.target_departments"],
    ),
]


@pytest.mark.parametrize(
    ("form", "data", "paths"), REFUSED, ids=[f"{r[0]}: {' '.join(r[2])}" for r in REFUSED]
)
def test_a_request_that_breaks_a_form_rule_is_refused_at_the_field_and_starts_nothing(
    office: Office, form: str, data: Callable[[Office], dict[str, Any]], paths: list[str]
) -> None:
    refused = office.post_request("zhang.wei", form, data(office))
    assert refused.status_code == 422, refused.payload
    assert sorted(e["path"] for e in refused.payload["errors"]) == paths
    assert all(e["message"] for e in refused.payload["errors"])
    assert office.inbox("zhang.wei", "initiated") == []
    assert office.inbox("li.na") == []


@pytest.mark.parametrize(
    ("form", "data", "computed"),
    [
        (
            "expense_claim",
            lambda o: _without(expense("300", advance_offset=Decimal("300")), PAYEE),
            {"payable": 0},
        ),
        (
            "overtime",
            lambda o: overtime(start_time="22:00", end_time="01:30"),
            {"hours": Decimal("3.5"), "pay_ratio": Decimal("1.5")},
        ),
        (
            "overtime",
            lambda o: overtime(
                day_type="holiday", start_time="09:00", end_time="18:00", break_minutes=60
            ),
            {"hours": 8, "pay_ratio": 3},
        ),
    ],
    ids=["claim fully offset needs no account", "overtime past midnight", "holiday overtime"],
)
def test_computed_fields_decide_what_is_needed(
    office: Office,
    form: str,
    data: Callable[[Office], dict[str, Any]],
    computed: dict[str, Any],
) -> None:
    record = office.submit("zhang.wei", form, data(office))
    for name, value in computed.items():
        assert record["data"][name] == value
