"""``setting('name')`` in a pack's formulas: checked by lint against settings.json, and
evaluated with the values of the installed pack (what an admin set, else the default)."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from packkit import LEAVE_FORM, write_pack

from formflow.packs import lint_pack, read_pack
from formflow.services import packs, record_lists, records
from formflow.services.actor import SYSTEM
from formflow.storage.db import Database


def _form(formula: str) -> dict[str, Any]:
    form = copy.deepcopy(LEAVE_FORM)
    form["schema"]["properties"]["weight"] = {
        "type": "number",
        "x-formula": formula,
        "x-label": {"en": "Weight", "zh-CN": "权重"},
    }
    return form


@pytest.mark.parametrize(
    ("formula", "fragment"),
    [
        ("days * setting('lnog')", "there is no setting `lnog`"),
        ("days * if(setting('long') = 'three', 1, 2)", "compare"),
    ],
)
def test_lint_checks_setting_names_and_types_against_the_packs_settings(
    tmp_path: Path, formula: str, fragment: str
) -> None:
    folder = write_pack(tmp_path, form=_form(formula))
    problems = [p for p in lint_pack(read_pack(folder)) if p.file == "forms/leave.json"]
    assert [p.severity for p in problems] == ["error"]
    assert fragment in problems[0].message.render("en").lower()


@pytest.mark.parametrize(("chosen", "expected"), [({}, Decimal(6)), ({"long": 5}, Decimal(10))])
def test_a_formula_reads_the_installed_packs_setting(
    database: Database, tmp_path: Path, chosen: dict[str, Any], expected: Decimal
) -> None:
    folder = write_pack(tmp_path, form=_form("days * setting('long')"))
    with database.session(write=True) as session:
        packs.install_pack(session, SYSTEM, read_pack(folder), library={}, settings=chosen)
    with database.session(write=True) as session:
        view = records.create_record(session, SYSTEM, "tiny.leave", {"days": 2}, draft=True)
        assert view.record.data["weight"] == expected


def test_a_list_filter_may_compare_with_a_setting(database: Database, tmp_path: Path) -> None:
    folder = write_pack(tmp_path, form=_form("days * 2"))
    with database.session(write=True) as session:
        packs.install_pack(session, SYSTEM, read_pack(folder), library={}, settings={"long": 5})
        for days in (2, 4, 6):
            records.create_record(session, SYSTEM, "tiny.leave", {"days": days}, draft=True)
    with database.session() as session:
        page = record_lists.list_records(
            session, SYSTEM, "tiny.leave", filter_text="days > setting('long')"
        )
        assert [record.data["days"] for record in page.items] == [6]
