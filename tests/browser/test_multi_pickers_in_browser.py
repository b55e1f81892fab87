"""In a real browser: several people and departments picked in one field (chips added and
removed), money shown in the currency the record names, and a field only the flow fills left
out of the page where the request is filled in."""

from __future__ import annotations

import re
from typing import Any

import pytest
from browserkit import log_in
from playwright.sync_api import Browser, expect

from formflow.services import forms, org
from formflow.services.actor import SYSTEM
from formflow.storage.db import Database

pytestmark = pytest.mark.browser

NOTICE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "x-label": {"zh-CN": "标题", "en": "Title"}},
        "readers": {"x-type": "users", "x-label": {"zh-CN": "知会人", "en": "Readers"}},
        "depts": {"x-type": "departments", "x-label": {"zh-CN": "部门", "en": "Departments"}},
        "currency": {"type": "string", "x-label": {"zh-CN": "币种", "en": "Currency"}},
        "budget": {
            "x-type": "money",
            "x-currency": {"field": "currency"},
            "x-label": {"zh-CN": "预算", "en": "Budget"},
        },
        "paid_on": {"x-type": "date", "x-label": {"zh-CN": "付款日期", "en": "Paid on"}},
    },
    "required": ["title"],
    "x-display": "title",
    "x-flow-only": ["paid_on"],
}


@pytest.fixture
def notice_form(database: Database, make_user: Any) -> None:
    make_user("li.na", display_name="李娜", locale="zh-CN")
    make_user("wang.fang", display_name="王芳")
    make_user("wang.qiang", display_name="王强")
    with database.session(write=True) as session:
        org.create_department(session, SYSTEM, name="销售部")
        org.create_department(session, SYSTEM, name="财务部")
        forms.create_form(
            session, SYSTEM, key="notice", title={"zh-CN": "知会", "en": "Notice"}, schema=NOTICE
        )


def test_pick_several_people_and_departments_and_submit(
    chromium: Browser, live_server: str, notice_form: None
) -> None:
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        log_in(page, live_server, "li.na", "/forms/notice/new")
        expect(page.locator("#f-title")).to_be_visible()
        assert page.locator("[data-field=paid_on]").count() == 0  # only the flow fills it

        page.fill("#f-title", "月度例会")
        readers = page.locator("[data-field=readers]")
        for name in ("王芳", "王强", "李娜"):
            page.fill("#f-readers", "wang" if name != "李娜" else "li")
            page.locator("[role=option]", has_text=name).click()
        expect(readers.locator(".chip")).to_have_count(3)
        readers.locator(".chip", has_text="王强").locator("button").click()
        expect(readers.locator(".chip")).to_have_count(2)
        page.fill("#f-depts", "财务")
        page.locator("[role=option]", has_text="财务部").click()
        expect(page.locator("[data-field=depts] .chip span")).to_have_text(["财务部"])
        page.fill("#f-currency", "JPY")
        page.fill("#f-budget", "120000")

        page.click("#record-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/records/\d+\?submitted=1$"))
        shown = page.locator("main")
        expect(shown).to_contain_text("王芳")
        expect(shown).to_contain_text("李娜")
        expect(shown).not_to_contain_text("王强")
        expect(shown).to_contain_text("财务部")
        expect(shown).to_contain_text("120,000")
        expect(shown).not_to_contain_text("120,000.00")
        assert problems == []
    finally:
        context.close()
