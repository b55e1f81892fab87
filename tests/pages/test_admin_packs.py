"""The packs admin page: admins only, install and uninstall with a confirmation."""

from __future__ import annotations

from typing import Any

from pagekit import text_of

from formflow.services import forms
from formflow.storage.db import Database


def _form_keys(database: Database) -> list[str]:
    with database.session() as session:
        return [view.key for view in forms.list_forms(session)]


def test_only_admins_see_the_packs_page(browser_for: Any) -> None:
    assert browser_for("zhang.wei").get("/admin/packs").status_code == 403


def test_an_admin_installs_and_archives_the_oa_pack(browser_for: Any, database: Database) -> None:
    admin = browser_for("boss", role="admin")
    page = admin.get("/admin/packs")
    assert page.status_code == 200
    assert "Office automation" in text_of(page)
    assert admin.post("/admin/packs/oa/install", {}).status_code == 303
    assert "oa.leave_request" in _form_keys(database)
    confirm = admin.get("/admin/packs/oa/uninstall")
    assert confirm.status_code == 200
    assert "oa.leave_request" in text_of(confirm)
    refused = admin.post("/admin/packs/oa/uninstall", {"mode": "purge", "confirm": "o"})
    assert refused.status_code == 303
    assert "oa.leave_request" in _form_keys(database)
    assert admin.post("/admin/packs/oa/uninstall", {"mode": "archive"}).status_code == 303
    assert _form_keys(database) == []


def test_installing_without_the_csrf_token_is_refused(browser_for: Any, database: Database) -> None:
    admin = browser_for("boss", role="admin")
    assert admin.post("/admin/packs/oa/install", {}, csrf=False).status_code == 403
    assert _form_keys(database) == []
