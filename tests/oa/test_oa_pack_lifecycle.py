"""Installing and uninstalling the OA pack on the demo company, through the API and the command
line: a round trip keeps the data until it is purged, and a pack that fails anywhere in its
installation leaves the database exactly as it was.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from oakit import Office, leave
from sqlalchemy import func, select

from formflow.cli import cli
from formflow.commands.base import Context
from formflow.errors import DefinitionInvalid, Diagnostic, SourceError, ValidationFailed
from formflow.i18n import _
from formflow.packs import read_pack
from formflow.packs.library import find_pack
from formflow.services import packs
from formflow.services.actor import SYSTEM
from formflow.storage.db import Database
from formflow.storage.models import Base

OA_FORMS = [
    "oa.announcement",
    "oa.business_trip",
    "oa.contract_approval",
    "oa.document",
    "oa.expense_claim",
    "oa.leave_request",
    "oa.overtime",
    "oa.purchase_request",
    "oa.seal_request",
]
OA_FLOWS = sorted(set(OA_FORMS) - {"oa.document"})
#: The condition the broken copy misspells, and where it is in the flow file.
CONDITION = "if total > expense_finance_amount"


@pytest.fixture
def preload() -> str:
    return "org"


def _row_counts(database: Database) -> dict[str, int]:
    """Rows per table: equal before and after means nothing was left behind."""
    with database.session() as session:
        return {
            table.name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


def _broken_copy(tmp_path: Path) -> tuple[Path, int, int]:
    """A copy of the OA pack whose expense flow names a field that does not exist; returns
    the folder and the line and column of the misspelt name."""
    folder = tmp_path / "packs" / "oa"
    shutil.copytree(find_pack("oa").root, folder)
    flow = folder / "flows" / "expense_claim.flow"
    text = flow.read_text("utf-8")
    assert text.count(CONDITION) == 1
    flow.write_text(text.replace(CONDITION, "if totl > expense_finance_amount"), "utf-8")
    before = text[: text.index(CONDITION)]
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + len("if ") + 1
    return folder, line, column


def _oa_forms(office: Office, username: str = "admin") -> list[str]:
    response = office[username].get("/api/forms")
    assert response.status_code == 200, response.payload
    items = response.payload["items"] if isinstance(response.payload, dict) else response.payload
    return sorted(f["key"] for f in items if f["key"].startswith("oa."))


def _oa_flows(office: Office) -> list[tuple[str, bool]]:
    response = office["admin"].get("/api/flows")
    assert response.status_code == 200, response.payload
    items = response.payload["items"] if isinstance(response.payload, dict) else response.payload
    return sorted((f["key"], f["active"]) for f in items if f["key"].startswith("oa."))


def _status(office: Office) -> str:
    (oa,) = [p for p in office["admin"].get("/api/packs").payload if p["name"] == "oa"]
    status: str = oa["status"]
    return status


def test_install_uninstall_and_reinstall_through_the_api_keep_the_requests_until_purged(
    office: Office,
) -> None:
    admin = office["admin"]
    assert office["zhang.wei"].post("/api/packs", {"name": "oa"}).status_code == 403
    assert _status(office) == "available"
    installed = admin.post("/api/packs", {"name": "oa"})
    assert installed.status_code == 201, installed.payload
    assert installed.payload == {"installed": ["oa"]}
    assert _oa_forms(office) == OA_FORMS
    assert _oa_flows(office) == [(key, True) for key in OA_FLOWS]

    done = office.submit("zhang.wei", "leave_request", leave("2026-12-01", "2026-12-02"))
    office.run_through(done["id"], [{"manager": {"li.na"}}])
    waiting = office.submit("zhang.wei", "leave_request", leave("2026-12-07", "2026-12-07"))
    assert admin.post("/api/packs", {"name": "oa"}).payload == {"installed": []}
    assert [v["version"] for v in admin.get("/api/flows/oa.leave_request").payload["versions"]] == [
        1
    ]

    impact = admin.get("/api/packs/oa/impact").payload
    assert impact["records"] == {key: 2 if key == "oa.leave_request" else 0 for key in OA_FORMS}
    archived = admin.delete("/api/packs/oa")
    assert archived.status_code == 200, archived.payload
    assert archived.payload["total"] == 2
    assert _status(office) == "archived"
    assert _oa_forms(office, "zhang.wei") == []
    assert _oa_flows(office) == [(key, False) for key in OA_FLOWS]
    assert office.record(done["id"])["status"] == "approved"
    assert office.record(waiting["id"])["data"]["days"] == 1
    refused = office.post_request("zhang.wei", "leave_request", leave("2026-12-08", "2026-12-08"))
    assert refused.status_code == 404, refused.payload

    assert admin.post("/api/packs", {"name": "oa"}).payload == {"installed": ["oa"]}
    assert _status(office) == "installed"
    assert admin.get("/api/forms/oa.leave_request/records").payload["total"] == 2
    office.run_through(waiting["id"], [{"manager": {"li.na"}}])
    again = office.submit("zhang.wei", "leave_request", leave("2026-12-08", "2026-12-08"))
    office.run_through(again["id"], [{"manager": {"li.na"}}])

    purged = admin.delete("/api/packs/oa?purge=true")
    assert purged.status_code == 200, purged.payload
    assert purged.payload["total"] == 3
    assert admin.get(f"/api/records/{done['id']}").status_code == 404
    assert _oa_forms(office) == [] and _oa_flows(office) == []
    assert _status(office) == "available"
    assert admin.post("/api/packs", {"name": "oa"}).payload == {"installed": ["oa"]}
    assert admin.get("/api/forms/oa.leave_request/records").payload["total"] == 0


def test_a_copy_of_the_pack_with_a_broken_flow_installs_nothing(
    database: Database, tmp_path: Path
) -> None:
    folder, line, column = _broken_copy(tmp_path)
    before = _row_counts(database)
    with pytest.raises(DefinitionInvalid) as caught, database.session(write=True) as session:
        packs.install_pack(session, SYSTEM, read_pack(folder))
    assert f"flows/expense_claim.flow:{line}:{column}" in [i.path for i in caught.value.issues]
    assert "totl" in " ".join(i.message.render("en") for i in caught.value.issues)
    assert _row_counts(database) == before


def test_a_refused_setting_installs_nothing(database: Database) -> None:
    before = _row_counts(database)
    with pytest.raises(ValidationFailed) as caught, database.session(write=True) as session:
        packs.install_pack(session, SYSTEM, find_pack("oa"), settings={"leave_hr_days": "three"})
    assert caught.value.issues[0].path == "$.settings.leave_hr_days"
    assert _row_counts(database) == before


def test_a_failure_after_the_forms_were_created_rolls_the_whole_installation_back(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_flow(*args: Any, **kwargs: Any) -> None:
        raise SourceError([Diagnostic(_("The flow broke while it was installed."))])

    monkeypatch.setattr("formflow.services.pack_flows.flows.create_flow", broken_flow)
    before = _row_counts(database)
    with pytest.raises(SourceError), database.session(write=True) as session:
        packs.install_pack(session, SYSTEM, find_pack("oa"))
    assert _row_counts(database) == before


# -- the command line -------------------------------------------------------------------------


@pytest.fixture
def formflow(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run ``formflow --database <this test's database> ...``; returns click's result.

    The command leaves its database engine open when it returns (a process exits then);
    here each invocation's engine is disposed so no pooled connection outlives it.
    """
    url = database.url.render_as_string(hide_password=False)
    runner = CliRunner(env={"FORMFLOW_LANG": "en"})
    made: list[Context] = []

    class Tracked(Context):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr("formflow.cli.Context", Tracked)

    def run(*args: str, input: str | None = None) -> Any:
        try:
            return runner.invoke(
                cli,
                ["--database", url, "--instance", str(tmp_path / "instance"), *args],
                input=input,
            )
        finally:
            while made:
                made.pop().database.dispose()

    return run


def test_a_consultant_lints_the_pack_and_a_broken_copy_from_the_command_line(
    formflow: Any, tmp_path: Path
) -> None:
    good = formflow("pack", "lint", "oa")
    assert good.exit_code == 0, good.output
    assert "oa: 0 error(s)" in good.output
    folder, line, column = _broken_copy(tmp_path)
    bad = formflow("pack", "lint", str(folder))
    assert bad.exit_code == 1, bad.output
    assert f"oa/flows/expense_claim.flow:{line}:{column}: error:" in bad.output
    assert "oa: 1 error(s)" in bad.output


def test_a_consultant_installs_and_uninstalls_the_pack_from_the_command_line(
    formflow: Any, office: Office, database: Database, tmp_path: Path
) -> None:
    folder, _line, _column = _broken_copy(tmp_path)
    before = _row_counts(database)
    broken = formflow("pack", "install", str(folder))
    assert broken.exit_code == 1
    assert "nothing was installed" in broken.output
    assert "flows/expense_claim.flow" in broken.output
    assert _row_counts(database) == before

    installed = formflow("pack", "install", "oa", "--setting", "leave_hr_days=1")
    assert installed.exit_code == 0, installed.output
    assert "installed: oa" in installed.output
    again = formflow("pack", "install", "oa")
    assert again.exit_code == 0 and "nothing to do" in again.output
    listed = formflow("pack", "list")
    assert listed.exit_code == 0 and "installed" in listed.output.split("oa", 1)[1]

    record = office.submit("zhang.wei", "leave_request", leave("2026-12-01", "2026-12-02"))
    office.run_through(record["id"], [{"manager": {"li.na"}}, {"hr": {"wang.fang"}}])

    archived = formflow("pack", "uninstall", "oa")
    assert archived.exit_code == 0, archived.output
    assert "oa.leave_request: 1" in archived.output and "archived (data kept)" in archived.output
    assert office.record(record["id"])["status"] == "approved"
    declined = formflow("pack", "uninstall", "oa", "--purge", input="n\n")
    assert declined.exit_code == 1
    assert office.record(record["id"])["status"] == "approved"
    purged = formflow("pack", "uninstall", "oa", "--purge", "--yes")
    assert purged.exit_code == 0, purged.output
    assert "purged" in purged.output
    assert office["admin"].get(f"/api/records/{record['id']}").status_code == 404
