"""Every OA flow, every threshold branch, through the API as the demo company's people.

Each case submits one request as a demo user, then at every stage checks that the request
waits for exactly the people the pack's README names (in the instance view and in their
inboxes), has one of them approve, and finally checks the status the request ends with.
Thresholds are the pack's default settings; each is tried just below, at and just above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from oakit import (
    DEMO_USERS,
    Asked,
    Office,
    announcement,
    contract,
    expense,
    leave,
    overtime,
    purchase,
    seal,
    trip,
)

from formflow.packs.library import find_pack

Data = Callable[[Office], dict[str, Any]]


@dataclass(frozen=True)
class Route:
    """One request and the way it must go."""

    name: str
    initiator: str
    form: str
    data: Data
    stages: list[Asked]
    status: str = "approved"
    computed: dict[str, Any] = field(default_factory=dict)


def _pdf(office: Office, username: str) -> list[dict[str, Any]]:
    return [office.upload(username, "草稿.pdf")]


MANAGER = {"manager": {"li.na"}}
HR = {"hr": {"wang.fang"}}
GM = {"gm": {"liu.yang"}}

LEAVE = [
    Route(
        "2.5 days (just below the HR threshold of 3) stay with the manager",
        "zhang.wei",
        "leave_request",
        lambda o: leave("2026-11-30", "2026-12-02", half_day="start_afternoon"),
        [MANAGER],
        computed={"days": Decimal("2.5")},
    ),
    Route(
        "exactly 3 days stay with the manager",
        "zhang.wei",
        "leave_request",
        lambda o: leave("2026-11-30", "2026-12-02"),
        [MANAGER],
        computed={"days": 3},
    ),
    Route(
        "3.5 days (just above 3) go to HR after the manager",
        "zhang.wei",
        "leave_request",
        lambda o: leave("2026-11-30", "2026-12-03", half_day="start_afternoon"),
        [MANAGER, HR],
        computed={"days": Decimal("3.5")},
    ),
    Route(
        "9.5 days (just below the GM threshold of 10) go to the manager and HR",
        "zhang.wei",
        "leave_request",
        lambda o: leave("2026-11-30", "2026-12-11", half_day="end_morning"),
        [MANAGER, HR],
        computed={"days": Decimal("9.5")},
    ),
    Route(
        "exactly 10 days go to the manager and HR only",
        "zhang.wei",
        "leave_request",
        lambda o: leave("2026-11-30", "2026-12-11"),
        [MANAGER, HR],
        computed={"days": 10},
    ),
    Route(
        "10.5 days (just above 10) go to the manager, HR and the general manager",
        "zhang.wei",
        "leave_request",
        lambda o: leave("2026-11-30", "2026-12-14", half_day="end_morning"),
        [MANAGER, HR, GM],
        computed={"days": Decimal("10.5")},
    ),
    Route(
        "a department head's leave goes to the general manager as her manager",
        "li.na",
        "leave_request",
        lambda o: leave("2026-12-01", "2026-12-01"),
        [{"manager": {"liu.yang"}}],
    ),
    Route(
        "HR's own long leave is approved by her manager; she does not approve it at HR",
        "wang.fang",
        "leave_request",
        lambda o: leave("2026-11-30", "2026-12-04"),
        [{"manager": {"liu.yang"}}],
    ),
    Route(
        "the general manager has no manager, so HR approves his leave",
        "liu.yang",
        "leave_request",
        lambda o: leave("2026-12-01", "2026-12-01"),
        [{"manager": {"wang.fang"}}],
    ),
]

EXPENSE = [
    Route(
        f"a claim of {total} goes {'via the finance manager ' if finance else ''}to the cashier",
        "zhang.wei",
        "expense_claim",
        lambda o, lines=lines: expense(*lines),  # type: ignore[misc]
        [MANAGER, *([{"finance": {"chen.jing"}}] if finance else []), {"pay": {"zhao.lei"}}],
        status="paid",
        computed={"total": Decimal(total)},
    )
    for total, lines, finance in [
        ("4999.99", ("4000", "999.99"), False),
        ("5000", ("4000", "1000"), False),
        ("5000.01", ("4000", "1000.01"), True),
    ]
] + [
    Route(
        "the finance manager's own large claim skips her own finance step",
        "chen.jing",
        "expense_claim",
        lambda o: expense("6000"),
        [{"manager": {"liu.yang"}}, {"pay": {"zhao.lei"}}],
        status="paid",
    ),
    Route(
        "the general manager's claim goes to the finance manager, who stands in as manager",
        "liu.yang",
        "expense_claim",
        lambda o: expense("800"),
        [{"manager": {"chen.jing"}}, {"pay": {"zhao.lei"}}],
        status="paid",
    ),
]

PURCHASE = [
    Route(
        f"a purchase of {total} needs {' and '.join(steps)}",
        "zhang.wei",
        "purchase_request",
        lambda o, lines=lines: purchase(*lines),  # type: ignore[misc]
        [
            {"dept_head": {"li.na"}},
            *([{"finance": {"chen.jing"}}] if "finance" in steps else []),
            *([{"gm": {"liu.yang"}}] if "gm" in steps else []),
        ],
        computed={"total": Decimal(total)},
    )
    for total, lines, steps in [
        ("1999.99", [("1", "1999.99")], ["dept_head"]),
        ("2000", [("2", "1000")], ["dept_head"]),
        ("2000.01", [("3", "666.67")], ["dept_head", "finance"]),
        ("19999.99", [("1", "19999.99")], ["dept_head", "finance"]),
        ("20000", [("1", "12000"), ("4", "2000")], ["dept_head", "finance"]),
        ("20000.01", [("3", "6666.67")], ["dept_head", "finance", "gm"]),
    ]
] + [
    Route(
        "a department head's own purchase goes to her manager",
        "li.na",
        "purchase_request",
        lambda o: purchase(("1", "300")),
        [{"dept_head": {"liu.yang"}}],
    )
]

REVIEWS = {"legal_review": {"zhou.min"}, "finance_review": {"chen.jing"}}
CONTRACT = [
    Route(
        f"a contract of {amount} {currency} reviewed in parallel"
        + (" then by the general manager" if gm else ""),
        "zhang.wei",
        "contract_approval",
        lambda o, amount=amount, currency=currency, rate=rate: contract(  # type: ignore[misc]
            amount,
            _pdf(o, "zhang.wei"),
            currency=currency,
            **({"exchange_rate": Decimal(rate)} if rate else {}),
        ),
        [REVIEWS, *([{"gm_approval": {"liu.yang"}}] if gm else [])],
        computed={"amount_cny": Decimal(cny)},
    )
    for amount, currency, rate, cny, gm in [
        ("99999.99", "CNY", None, "99999.99", False),
        ("100000", "CNY", None, "100000", False),
        ("100000.01", "CNY", None, "100000.01", True),
        ("14044.94", "USD", "7.12", "99999.97", False),
        ("14045", "USD", "7.12", "100000.40", True),
    ]
]

TRIP = [
    Route(
        f"a {kind} trip costing {cost}" + (" needs the general manager" if gm else ""),
        "zhang.wei",
        "business_trip",
        lambda o, cost=cost, kind=kind: trip(cost, trip_type=kind),  # type: ignore[misc]
        [MANAGER, *([{"gm_approval": {"liu.yang"}}] if gm else [])],
        computed={"estimated_total": Decimal(cost)},
    )
    for cost, kind, gm in [
        ("9999.99", "domestic", False),
        ("10000", "domestic", False),
        ("10000.01", "domestic", True),
        ("3000", "international", True),
    ]
] + [
    Route(
        "a requested advance is paid by the cashier after the manager",
        "zhang.wei",
        "business_trip",
        lambda o: trip("3000", advance="2000"),
        [MANAGER, {"advance_payment": {"zhao.lei"}}],
    ),
    Route(
        "an expensive trip with an advance needs the manager, the GM and the cashier",
        "zhang.wei",
        "business_trip",
        lambda o: trip("12000", advance="5000"),
        [MANAGER, {"gm_approval": {"liu.yang"}}, {"advance_payment": {"zhao.lei"}}],
    ),
]

HEAD = {"dept_head": {"li.na"}}
KEEPER = {"stamp": {"wang.fang"}}
LEGAL = {"legal": {"zhou.min"}}
SEAL = [
    Route(
        f"the {kind} seal used on site" + (" also needs legal" if legal else ""),
        "zhang.wei",
        "seal_request",
        lambda o, kind=kind: seal(kind, _pdf(o, "zhang.wei")),  # type: ignore[misc]
        [HEAD, *([LEGAL] if legal else []), KEEPER],
    )
    for kind, legal in [
        ("contract", False),
        ("finance", False),
        ("company", True),
        ("legal_rep", True),
    ]
] + [
    Route(
        "a seal taken out comes back to the keeper, who records its return",
        "zhang.wei",
        "seal_request",
        lambda o: seal(
            "contract", _pdf(o, "zhang.wei"), usage="take_out", carrier=o.ids["zhang.wei"]
        ),
        [HEAD, KEEPER, {"return_check": {"wang.fang"}}],
    ),
    Route(
        "a department head's own company-seal request goes to her manager, then legal",
        "li.na",
        "seal_request",
        lambda o: seal("company", _pdf(o, "li.na")),
        [{"dept_head": {"liu.yang"}}, LEGAL, KEEPER],
    ),
]

OVERTIME = [
    Route(
        "overtime is approved by the manager",
        "zhang.wei",
        "overtime",
        lambda o: overtime(),
        [MANAGER],
        computed={"hours": 3, "pay_ratio": Decimal("1.5")},
    )
]

ANNOUNCEMENT = [
    Route(
        "a notice is reviewed by the head of the publishing department",
        "zhang.wei",
        "announcement",
        lambda o: announcement("notice", o.departments["sales"]),
        [HEAD],
    ),
    Route(
        "a policy is also reviewed by legal and signed off by the general manager",
        "zhang.wei",
        "announcement",
        lambda o: announcement("policy", o.departments["sales"]),
        [HEAD, LEGAL, {"gm": {"liu.yang"}}, {"acknowledge_all": set(DEMO_USERS)}],
    ),
    Route(
        "a department head's own notice is reviewed by her manager",
        "li.na",
        "announcement",
        lambda o: announcement("notice", o.departments["sales"]),
        [{"dept_head": {"liu.yang"}}],
    ),
]

ROUTES = LEAVE + EXPENSE + PURCHASE + CONTRACT + TRIP + SEAL + OVERTIME + ANNOUNCEMENT


@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.form}: {r.name}" for r in ROUTES])
def test_each_request_asks_exactly_the_people_the_readme_names_and_ends_as_it_says(
    office: Office, route: Route
) -> None:
    record = office.submit(route.initiator, route.form, route.data(office))
    for name, value in route.computed.items():
        assert record["data"][name] == value
    office.run_through(record["id"], route.stages)
    assert office.record(record["id"])["status"] == route.status
    (started, *_rest, ended) = office.history(record["id"])
    assert (started[0], started[2]) == ("started", route.initiator)
    assert ended[0] == "ended"
    mine = office.inbox(route.initiator, "initiated")
    assert [i["record"]["status"] for i in mine if i["record"]["id"] == record["id"]] == [
        route.status
    ]


def test_every_flow_of_the_pack_is_covered_by_a_route() -> None:
    flows = {Path(flow.name).stem for flow in find_pack("oa").flows}
    assert {route.form for route in ROUTES} == flows
