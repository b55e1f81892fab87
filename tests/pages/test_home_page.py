"""Home: apps grouped by pack with the entries I may use, my recent records, the bell."""

from __future__ import annotations

import re
from typing import Any

from pagekit import EXPENSE, main_of, text_of

from formflow.i18n import _
from formflow.services import notices
from formflow.storage.db import Database

SIMPLE = {"type": "object", "properties": {"name": {"type": "string"}}, "x-display": "name"}


def test_apps_group_forms_by_pack_and_hide_forms_i_may_not_fill_in(
    make_form: Any, browser_for: Any
) -> None:
    make_form("oa.leave", SIMPLE, pack="oa", title={"zh-CN": "请假", "en": "Leave"})
    make_form("crm.customer", SIMPLE, pack="crm", title={"zh-CN": "客户", "en": "Customer"})
    make_form("loose", SIMPLE, title="Loose form")
    make_form("oa.secret", SIMPLE, pack="oa", title="Secret", grants={"role:hr": ["create"]})
    body = main_of(browser_for("li.na").get("/"))
    assert 'id="app-oa"' in body and 'id="app-crm"' in body and 'id="app-forms"' in body
    assert "Office (OA)" in body and "Customers (CRM)" in body
    assert body.index('id="app-crm"') < body.index('id="app-oa"') < body.index('id="app-forms"')
    assert 'href="/forms/oa.leave/new"' in body
    assert 'href="/forms/loose/new"' in body
    assert "Secret" not in body


def test_an_installed_packs_menu_and_title_make_the_app(
    browser_for: Any, database: Database
) -> None:
    from formflow.packs.library import find_pack
    from formflow.services import packs
    from formflow.services.actor import SYSTEM

    with database.session(write=True) as session:
        packs.install_pack(session, SYSTEM, find_pack("oa"))
    browser = browser_for("li.na", language="zh-CN")
    body = main_of(browser.get("/"))
    assert "办公自动化" in body
    assert 'href="/forms/oa.leave_request/new"' in body
    assert ">请假</a>" in body
    # Every entry leads to a page that exists (menus never end in a dead end).
    links = re.findall(r'<a class="tile [^"]*" href="([^"]+)"', body)
    assert len(links) >= 7
    for link in links:
        assert browser.get(link).status_code == 200, link
    header = text_of(browser.get("/profile"))
    assert 'href="/#app-oa">办公自动化</a>' in header


def test_my_recent_records_lead_to_the_record_or_the_draft(
    make_form: Any, browser_for: Any, make_record: Any
) -> None:
    make_form("expense", EXPENSE)
    browser = browser_for("li.na")
    submitted = make_record("li.na", "expense", {"title": "Trip to Shanghai", "amount": 5})
    draft = make_record("li.na", "expense", {"title": "Half done"}, draft=True)
    browser_for("wang.fang")
    make_record("wang.fang", "expense", {"title": "Not mine", "amount": 5})
    body = main_of(browser.get("/"))
    assert f'href="/records/{submitted}"' in body
    assert f'href="/records/{draft}/edit"' in body
    assert "Not mine" not in body
    assert body.index("Half done") < body.index("Trip to Shanghai")  # newest first


def test_the_bell_counts_unread_notifications_and_the_page_lists_them(
    browser_for: Any, make_user: Any, database: Database
) -> None:
    user_id = make_user("li.na")
    browser = browser_for("li.na")
    with database.session(write=True) as session:
        notices.notify(
            session,
            [user_id],
            "info",
            _("Welcome"),
            _("<b>Hello</b>"),
            link="/profile",
            email=False,
        )
    home = text_of(browser.get("/"))
    assert 'aria-label="Notifications, 1 unread"' in home
    page = main_of(browser.get("/notifications"))
    assert "Welcome" in page and "&lt;b&gt;Hello&lt;/b&gt;" in page
    assert 'href="/profile"' in page
    browser.post("/notifications/read", {})
    assert 'aria-label="Notifications"' in text_of(browser.get("/"))
