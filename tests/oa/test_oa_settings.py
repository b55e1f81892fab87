"""The OA thresholds are pack settings: another value changes the route, the flow text stays.

There is no service that changes the settings of an installed pack in place (see the report
of this area); an admin changes them by installing with other values — on a fresh
installation, or after archiving the pack (``DELETE /api/packs/oa``), which keeps its data.
Requests already running finish on the flow version they started on.
"""

from __future__ import annotations

from typing import Any

import pytest
from oakit import Office, expense, leave, purchase, trip

from formflow.packs.library import available_packs
from formflow.services import packs
from formflow.services.actor import SYSTEM
from formflow.storage.db import Database

#: A setting, its new value, a request and the first stages of its route under each value.
CHANGES = [
    (
        "leave_hr_days",
        5,
        "leave_request",
        leave("2026-11-30", "2026-12-03"),  # 4 days
        [{"manager": {"li.na"}}, {"hr": {"wang.fang"}}],
        [{"manager": {"li.na"}}],
    ),
    (
        "leave_gm_days",
        3,
        "leave_request",
        leave("2026-11-30", "2026-12-03"),
        [{"manager": {"li.na"}}, {"hr": {"wang.fang"}}],
        [{"manager": {"li.na"}}, {"hr": {"wang.fang"}}, {"gm": {"liu.yang"}}],
    ),
    (
        "expense_finance_amount",
        8000,
        "expense_claim",
        expense("6000"),
        [{"manager": {"li.na"}}, {"finance": {"chen.jing"}}, {"pay": {"zhao.lei"}}],
        [{"manager": {"li.na"}}, {"pay": {"zhao.lei"}}],
    ),
    (
        "purchase_gm_amount",
        5000,
        "purchase_request",
        purchase(("1", "6000")),
        [{"dept_head": {"li.na"}}, {"finance": {"chen.jing"}}],
        [{"dept_head": {"li.na"}}, {"finance": {"chen.jing"}}, {"gm": {"liu.yang"}}],
    ),
    (
        "trip_gm_abroad",
        False,
        "business_trip",
        trip("3000", trip_type="international"),
        [{"manager": {"li.na"}}, {"gm_approval": {"liu.yang"}}],
        [{"manager": {"li.na"}}],
    ),
]


class TestOnAFreshInstallation:
    @pytest.fixture
    def preload(self) -> str:
        return "org"

    @pytest.mark.parametrize(
        ("setting", "value", "form", "data", "_default", "changed"),
        CHANGES,
        ids=[c[0] for c in CHANGES],
    )
    def test_installing_with_another_setting_changes_the_route(
        self,
        database: Database,
        office: Office,
        setting: str,
        value: Any,
        form: str,
        data: dict[str, Any],
        _default: list[Any],
        changed: list[Any],
    ) -> None:
        with database.session(write=True) as session:
            packs.install_pack(session, SYSTEM, available_packs()["oa"], settings={setting: value})
        record = office.submit("zhang.wei", form, data)
        office.run_through(record["id"], changed)


def _flow(office: Office, form: str) -> dict[str, Any]:
    response = office["admin"].get(f"/api/flows/oa.{form}")
    assert response.status_code == 200, response.payload
    payload: dict[str, Any] = response.payload
    return payload


@pytest.mark.parametrize(
    ("setting", "value", "form", "data", "default", "changed"),
    CHANGES,
    ids=[c[0] for c in CHANGES],
)
def test_an_admin_reinstalls_with_another_setting_and_running_requests_keep_their_route(
    office: Office,
    setting: str,
    value: Any,
    form: str,
    data: dict[str, Any],
    default: list[Any],
    changed: list[Any],
) -> None:
    admin = office["admin"]
    before = office.submit("zhang.wei", form, data)
    source = _flow(office, form)["source"]
    assert admin.delete("/api/packs/oa").status_code == 200
    again = admin.post("/api/packs", {"name": "oa", "settings": {setting: value}})
    assert again.status_code == 201, again.payload
    assert again.payload["installed"] == ["oa"]
    flow = _flow(office, form)
    assert flow["source"] == source
    assert flow["settings"][setting] == value
    assert [(v["version"], v["running"]) for v in flow["versions"]] == [(1, 1), (2, 0)]
    after = office.submit("zhang.wei", form, data)
    office.run_through(after["id"], changed)
    office.run_through(before["id"], default)
