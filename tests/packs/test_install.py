"""Installing packs: one transaction, idempotent, conflicts refused, uninstall keeps data."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from packkit import LEAVE_FORM, MANIFEST, write_pack

from formflow.errors import Conflict, DefinitionInvalid, ValidationFailed
from formflow.packs import read_pack
from formflow.services import flows, forms, org, packs
from formflow.services.actor import SYSTEM
from formflow.storage.db import Database
from harness import Caller


def _install(database: Database, folder: Path, **kwargs: Any) -> list[str]:
    with database.session(write=True) as session:
        return packs.install_pack(session, SYSTEM, read_pack(folder), library={}, **kwargs)


def _form_keys(database: Database) -> list[str]:
    with database.session() as session:
        return [view.key for view in forms.list_forms(session)]


def test_install_creates_roles_and_forms_and_a_second_install_does_nothing(
    database: Database, tmp_path: Path
) -> None:
    folder = write_pack(tmp_path)
    assert _install(database, folder) == ["tiny"]
    assert _form_keys(database) == ["tiny.leave"]
    with database.session() as session:
        assert [r.key for r in org.list_roles(session)] == ["hr"]
        assert packs.installed_pack(session, "tiny").settings == {"long": 3}
    assert _install(database, folder) == []
    with database.session() as session:
        assert len(forms.list_versions(session, "tiny.leave")) == 1


def test_a_pack_with_errors_installs_nothing(database: Database, tmp_path: Path) -> None:
    form = copy.deepcopy(LEAVE_FORM)
    form["schema"]["properties"]["days"]["type"] = "numbr"
    folder = write_pack(tmp_path, form=form)
    with pytest.raises(DefinitionInvalid) as caught:
        _install(database, folder)
    assert any(i.path.startswith("forms/leave.json:") for i in caught.value.issues)
    assert _form_keys(database) == []
    with database.session() as session:
        assert org.list_roles(session) == []


def test_a_form_owned_by_someone_else_is_a_conflict_and_nothing_is_installed(
    database: Database, tmp_path: Path
) -> None:
    with database.session(write=True) as session:
        forms.create_form(
            session, SYSTEM, key="tiny.leave", title="mine", schema=LEAVE_FORM["schema"]
        )
    with pytest.raises(Conflict) as caught:
        _install(database, write_pack(tmp_path))
    assert "tiny.leave" in caught.value.issues[0].message.render("en")
    with database.session() as session:
        assert org.list_roles(session) == []
        assert [p.status for p in packs.list_packs(session) if p.name == "tiny"] == []
        assert packs.list_packs(session) == [
            p for p in packs.list_packs(session) if p.name != "tiny"
        ]


def test_uninstall_archives_and_keeps_data_until_purged(
    database: Database, tmp_path: Path, admin_api: Caller
) -> None:
    folder = write_pack(tmp_path)
    _install(database, folder)
    created = admin_api.post("/api/forms/tiny.leave/records", {"data": {"days": 2}})
    assert created.status_code == 201
    with database.session(write=True) as session:
        impact = packs.uninstall_pack(session, SYSTEM, "tiny")
    assert impact.records == {"tiny.leave": 1}
    assert _form_keys(database) == []
    assert admin_api.get(f"/api/records/{created.payload['id']}").status_code == 200
    _install(database, folder)  # reinstalling brings the forms back, data intact
    assert admin_api.get("/api/forms/tiny.leave/records").payload["total"] == 1
    with database.session(write=True) as session:
        packs.uninstall_pack(session, SYSTEM, "tiny", purge=True)
    assert admin_api.get(f"/api/records/{created.payload['id']}").status_code == 404
    with database.session() as session:
        assert "tiny" not in [p.name for p in packs.list_packs(session)]


def test_dependencies_are_installed_first(database: Database, tmp_path: Path) -> None:
    base = write_pack(tmp_path / "lib", folder="tiny")
    manifest = copy.deepcopy(MANIFEST)
    manifest.update(name="extra", depends={"tiny": ">=1.0,<2"})
    form = copy.deepcopy(LEAVE_FORM)
    form["key"] = "extra.leave"
    extra = write_pack(
        tmp_path / "lib",
        folder="extra",
        manifest=manifest,
        form=form,
        flow=None,
        cases=None,
        menus=None,
        i18n=None,
    )
    with database.session(write=True) as session:
        installed = packs.install_pack(
            session, SYSTEM, read_pack(extra), library={"tiny": read_pack(base)}
        )
    assert installed == ["tiny", "extra"]
    assert _form_keys(database) == ["extra.leave", "tiny.leave"]


def test_the_api_lists_packs_and_refuses_non_admins(api_as: Any, admin_api: Caller) -> None:
    user: Caller = api_as("zhang.wei")
    assert user.post("/api/packs", {"name": "oa"}).status_code == 403
    listing = admin_api.get("/api/packs")
    assert listing.status_code == 200
    assert all(item["status"] in {"available", "installed", "archived"} for item in listing.payload)
    missing = admin_api.post("/api/packs", {"name": "nosuchpack"})
    assert missing.status_code == 404


def test_settings_are_checked_and_changing_them_republishes_the_flows(
    database: Database, tmp_path: Path, admin_api: Caller
) -> None:
    folder = write_pack(tmp_path)
    with pytest.raises(ValidationFailed) as caught:
        _install(database, folder, settings={"lnog": 5})
    assert caught.value.issues[0].code == "unknown_setting"
    _install(database, folder, settings={"long": 5})
    with database.session() as session:
        assert flows.get_flow(session, "tiny.leave").version.settings == {"long": 5}
    wrong = admin_api.patch("/api/packs/tiny/settings", {"settings": {"long": "five"}})
    assert wrong.status_code == 422, wrong.payload
    assert wrong.payload["errors"][0]["path"] == "$.settings.long"
    changed = admin_api.patch("/api/packs/tiny/settings", {"settings": {"long": 1}})
    assert changed.status_code == 200, changed.payload
    assert changed.payload == {"settings": {"long": 1}}
    with database.session() as session:
        view = flows.get_flow(session, "tiny.leave")
        assert (view.version.version, view.version.settings) == (2, {"long": 1})
    info = admin_api.get("/api/packs/tiny").payload
    assert info["settings"] == {"long": 1}
    assert info["settings_spec"]["long"]["default"] == 3
