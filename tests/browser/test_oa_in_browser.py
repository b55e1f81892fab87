"""The OA story of the demo, in a real browser: zhang.wei requests leave on a desktop in
Chinese; li.na, his manager, approves it from her inbox on a phone; a long leave goes on to
wang.fang (HR), who approves it on a phone in English. The company, calendar and pack are the
ones `formflow serve --demo` loads."""

from __future__ import annotations

import re
from typing import Any

import pytest
from browserkit import log_in
from playwright.sync_api import Browser, expect

from formflow.packs.library import available_packs
from formflow.services import demo, packs
from formflow.services.actor import SYSTEM
from formflow.storage.db import Database

pytestmark = pytest.mark.browser

PASSWORD = "demo-password-for-browser-tests"
PHONE: dict[str, Any] = {"viewport": {"width": 375, "height": 740}, "is_mobile": True}
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def office(database: Database) -> None:
    """The demo company, its working-day calendar and the OA pack."""
    with database.session(write=True) as session:
        demo.load_demo_org(session, PASSWORD)
        demo.load_demo_calendar(session)
        packs.install_pack(session, SYSTEM, available_packs()["oa"])


def request_leave(browser: Browser, base: str, start: str, end: str, days: str) -> str:
    """zhang.wei fills in a leave request from the home page; returns the record's address."""
    context = browser.new_context(locale="zh-CN", **DESKTOP)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        log_in(page, base, "zhang.wei", password=PASSWORD)
        page.locator("#app-oa a.tile-new", has_text="请假").click()
        page.wait_for_url(base + "/forms/oa.leave_request/new")
        expect(page.locator("h1")).to_have_text("请假申请")
        page.select_option("#f-leave_type", "annual")
        page.fill("#f-start_date", start)
        page.fill("#f-end_date", end)
        # Working days on the org calendar (one decimal: half days), computed by the server
        # while the user types.
        expect(page.locator("[data-field=days] output")).to_have_text(days)
        page.fill("#f-reason", "回老家探亲")
        page.click("#record-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/records/\d+\?submitted=1$"))
        expect(page.locator(".notice-success")).to_contain_text("表单已提交")
        expect(page.locator("section.timeline [aria-current=step]")).to_contain_text("李娜")
        assert problems == []
        return page.url.split("?", 1)[0]
    finally:
        context.close()


def approve_on_a_phone(
    browser: Browser, base: str, username: str, locale: str, record_url: str, done: str
) -> None:
    """``username`` opens the request from the inbox on a phone and approves it, after
    choosing ``locale`` as their language on their profile (demo users start in Chinese)."""
    context = browser.new_context(locale=locale, **PHONE)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        log_in(page, base, username, password=PASSWORD)
        page.goto(base + "/profile")
        page.select_option("#locale", locale)
        page.click("form[action='/profile'] button[type=submit]")
        expect(page.locator("html")).to_have_attribute("lang", locale)
        page.locator("a.inbox-bell").click()
        page.wait_for_url(base + "/inbox")
        items = page.locator(".inbox-item")
        expect(items).to_have_count(1)  # each test starts with an empty inbox
        items.locator("a.inbox-link").click()
        page.wait_for_url(re.compile(r".*/tasks/\d+$"))
        expect(page.locator("main")).to_contain_text("回老家探亲")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the task page is {width} px wide on a 375 px phone"
        page.fill("#comment-approve", "同意")
        page.click("#decide-form button[type=submit]")
        page.wait_for_url(base + "/inbox")
        expect(page.locator(".notice-success")).to_have_text(done)
        page.goto(record_url)
        expect(page.locator("section.timeline .events")).to_contain_text("同意")
        assert problems == []
    finally:
        context.close()


def status_of(browser: Browser, base: str, record_url: str) -> str:
    """The request's status as zhang.wei sees it (in Chinese, his language)."""
    context = browser.new_context(locale="zh-CN", **DESKTOP)
    page = context.new_page()
    try:
        log_in(page, base, "zhang.wei", password=PASSWORD)
        page.goto(record_url)
        return page.locator(".statuses .status").first.inner_text().strip()
    finally:
        context.close()


def test_a_short_leave_is_approved_by_the_manager_on_a_phone(
    chromium: Browser, live_server: str, office: None
) -> None:
    # 2027-03-01 is a Monday; March 2027 has no public holiday.
    record = request_leave(chromium, live_server, "2027-03-01", "2027-03-02", "2.0")
    approve_on_a_phone(chromium, live_server, "li.na", "zh-CN", record, "已同意。")
    assert status_of(chromium, live_server, record) == "已通过"


def test_a_long_leave_goes_on_to_hr_who_approves_in_english(
    chromium: Browser, live_server: str, office: None
) -> None:
    record = request_leave(chromium, live_server, "2027-03-08", "2027-03-12", "5.0")
    approve_on_a_phone(chromium, live_server, "li.na", "zh-CN", record, "已同意。")
    assert status_of(chromium, live_server, record) == "审批中"
    approve_on_a_phone(chromium, live_server, "wang.fang", "en", record, "Approved.")
    assert status_of(chromium, live_server, record) == "已通过"
