"""In a real browser: approve as another user from the inbox on a phone and see the timeline;
filter a list with the builder, export it and import the file again; an import with one bad
row changes nothing and names the row and the column."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from browserkit import log_in
from playwright.sync_api import Browser, Page, expect

from formflow.services import flows, forms, org, record_lists, records
from formflow.services.actor import SYSTEM
from formflow.services.auth import actor_for
from formflow.storage.db import Database

pytestmark = pytest.mark.browser

CLAIM: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "x-label": {"zh-CN": "标题", "en": "Title"}},
        "amount": {"x-type": "money", "x-label": {"zh-CN": "金额", "en": "Amount"}},
        "category": {
            "x-type": "select",
            "x-label": {"zh-CN": "类别", "en": "Category"},
            "x-options": [
                {"value": "travel", "label": {"zh-CN": "差旅", "en": "Travel"}},
                {"value": "meal", "label": {"zh-CN": "招待", "en": "Meals"}},
            ],
        },
        "tags": {
            "x-type": "multiselect",
            "x-label": {"zh-CN": "标签", "en": "Tags"},
            "x-options": [{"value": "urgent", "label": {"zh-CN": "加急", "en": "Urgent"}}],
        },
        "spent_on": {"x-type": "date", "x-label": {"zh-CN": "日期", "en": "Spent on"}},
        "departs": {"x-type": "datetime", "x-label": {"zh-CN": "出发", "en": "Departs"}},
        "billable": {"type": "boolean", "x-label": {"zh-CN": "可计费", "en": "Billable"}},
        "code": {"x-type": "serial", "x-serial": {"pattern": "BX-{seq:4}"}},
    },
    "required": ["title", "amount"],
    "x-display": "title",
}
REQUEST: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "x-label": {"zh-CN": "事由", "en": "Purpose"}},
        "amount": {"x-type": "money", "x-label": {"zh-CN": "金额", "en": "Amount"}},
        "bank_account": {"type": "string", "x-label": {"zh-CN": "银行账号", "en": "Bank account"}},
        "approval_note": {"type": "string", "x-label": {"zh-CN": "审批备注", "en": "Note"}},
        "lines": {
            "x-type": "subtable",
            "items": {"properties": {"item": {"type": "string"}, "checked": {"type": "string"}}},
        },
    },
    "required": ["title", "amount"],
    "x-display": "title",
}
REQUEST_FLOW = """
flow request_flow "报销审批" on request {
  step manager "主管审批" {
    approve by manager(initiator)
    edit approval_note, lines.checked
    hide bank_account
  }
  step finance "财务审批" { approve by role(finance) }
}
"""
PHONE: dict[str, Any] = {
    "viewport": {"width": 375, "height": 740},
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}}


def create(database: Database, username: str, form: str, data: dict[str, Any]) -> int:
    with database.session(write=True) as session:
        actor = actor_for(session, org.find_user(session, username))
        return records.create_record(session, actor, form, data).record.id


def stored(database: Database, username: str, form: str) -> list[dict[str, Any]]:
    with database.session() as session:
        actor = actor_for(session, org.find_user(session, username))
        page = record_lists.list_records(session, actor, form, sort="id", limit=100)
        return [dict(record.data) for record in page.items]


def fits_the_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > 376)
        .map(e => e.tagName + ' ' + Math.round(e.getBoundingClientRect().right))"""
    )
    assert width <= 375, f"the page is {width} px wide on a 375 px phone: {wide[:8]}"
    small = page.evaluate(
        """() => [...document.querySelectorAll('main :is(button, a.button, select, textarea)')]
        .filter(e => e.offsetParent && e.getBoundingClientRect().height < 44)
        .map(e => e.outerHTML.slice(0, 80))"""
    )
    assert small == [], "every button is at least 44 px high"


@pytest.fixture
def approval(database: Database, make_user: Any) -> int:
    ids = {
        "li": make_user("li", display_name="李四", locale="zh-CN"),
        "zhang": make_user("zhang", display_name="张三", locale="zh-CN"),
        "zhao": make_user("zhao", display_name="赵六", roles=["finance"]),
    }
    with database.session(write=True) as session:
        sales = org.create_department(session, SYSTEM, name="销售部", head_id=ids["li"])
        for name in ("li", "zhang"):
            org.update_user(session, SYSTEM, ids[name], {"department_id": sales.id})
        forms.create_form(
            session,
            SYSTEM,
            key="request",
            title={"zh-CN": "费用申请", "en": "Request"},
            schema=REQUEST,
        )
        flows.create_flow(session, SYSTEM, source=REQUEST_FLOW)
    return create(
        database,
        "zhang",
        "request",
        {
            "title": "上海出差",
            "amount": Decimal("880.00"),
            "bank_account": "6222-0000-SECRET",
            "lines": [{"item": "高铁"}],
        },
    )


def test_approve_from_the_inbox_on_a_phone_and_see_the_timeline(
    chromium: Browser, live_server: str, database: Database, approval: int
) -> None:
    context = chromium.new_context(locale="zh-CN", **PHONE)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        log_in(page, live_server, "li", "/")
        badge = page.locator("a.inbox-bell")
        expect(badge.locator("[data-task-badge]")).to_have_text("1")
        badge.click()
        page.wait_for_url(live_server + "/inbox")
        item = page.locator(".inbox-item", has_text="上海出差")
        expect(item).to_contain_text("主管审批")
        fits_the_phone(page)
        item.locator("a.inbox-link").click()
        page.wait_for_url(re.compile(r".*/tasks/\d+$"))
        expect(page.locator("main")).not_to_contain_text("6222-0000-SECRET")
        timeline = page.locator("section.timeline")
        expect(timeline).to_contain_text("报销审批")
        expect(timeline.locator("[aria-current=step]")).to_contain_text("主管审批")
        fits_the_phone(page)
        page.fill("#f-approval_note", "票据齐全")
        page.locator("[data-edit-row=lines] [data-field=checked] input").fill("已核对")
        page.fill("#comment-approve", "同意报销")
        page.click("#decide-form button[type=submit]")
        page.wait_for_url(live_server + "/inbox")
        expect(page.locator(".notice-success")).to_have_text("已同意。")
        expect(page.locator("a.inbox-bell [data-task-badge]")).to_have_count(0)
        page.goto(f"{live_server}/records/{approval}")
        events = page.locator("section.timeline .events")
        expect(events).to_contain_text("李四")
        expect(events).to_contain_text("同意报销")
        expect(page.locator("section.timeline [aria-current=step]")).to_contain_text("财务审批")
        fits_the_phone(page)
        assert problems == []
    finally:
        context.close()
    data = stored(database, "zhang", "request")[0]
    assert data["approval_note"] == "票据齐全"
    assert data["lines"] == [{"item": "高铁", "checked": "已核对"}]


@pytest.fixture
def claims(database: Database, make_user: Any) -> None:
    make_user("li.na", display_name="李娜")
    with database.session(write=True) as session:
        forms.create_form(
            session,
            SYSTEM,
            key="claim",
            title={"zh-CN": "报销", "en": "Claims"},
            schema=CLAIM,
            grants={"everyone": ["create", "read_own", "export"]},
        )
    for title, amount, category in [("Taxi", "35.50", "travel"), ("Dinner", "120.00", "meal")]:
        create(
            database,
            "li.na",
            "claim",
            {
                "title": title,
                "amount": Decimal(amount),
                "category": category,
                "tags": ["urgent"],
                "spent_on": "2026-01-31",
                "departs": "2026-01-31T08:00:00Z",
                "billable": True,
            },
        )


def test_filter_with_the_builder_export_and_import_again(
    chromium: Browser, live_server: str, database: Database, claims: None, tmp_path: Path
) -> None:
    context = chromium.new_context(locale="en", accept_downloads=True, **DESKTOP)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        every = "&".join(f"col={name}" for name in CLAIM["properties"])
        log_in(page, live_server, "li.na", "/forms/claim/records?" + every)
        page.click(".list-tools > summary")
        page.click("#filter-builder [data-add]")
        row = page.locator(".filter-row").first
        row.locator("select").nth(0).select_option("category")
        row.locator("select").nth(2).select_option("travel")
        expect(page.locator("#filter-text")).to_have_value("category = 'travel'")
        page.click("#list-form button[type=submit]")
        expect(page.locator(".record-table tbody tr")).to_have_count(1)
        expect(page.locator(".record-table")).to_contain_text("Taxi")
        with page.expect_download() as download:
            page.click("a[data-export=xlsx]")
        exported = tmp_path / "claims.xlsx"
        download.value.save_as(exported)

        page.goto(live_server + "/forms/claim/import")
        page.set_input_files("#import-file", str(exported))
        page.click("#import-form button[type=submit]")
        report = page.locator("#import-report")
        expect(report).to_contain_text("1 row(s), no problems")
        page.click("#commit-form button[type=submit]")
        page.wait_for_url(live_server + "/forms/claim/records?imported=1")
        expect(page.locator(".notice-success")).to_have_text("1 record(s) imported.")
        expect(page.locator(".record-table tbody tr")).to_have_count(3)
        assert problems == []
    finally:
        context.close()
    taxi, _dinner, again = stored(database, "li.na", "claim")
    assert {k: v for k, v in again.items() if k != "code"} == {
        k: v for k, v in taxi.items() if k != "code"
    }


def test_an_import_with_one_bad_row_changes_nothing_and_names_the_cell(
    chromium: Browser, live_server: str, database: Database, claims: None, tmp_path: Path
) -> None:
    before = stored(database, "li.na", "claim")
    bad = tmp_path / "claims.csv"
    bad.write_text(
        "Title,Amount,Category\r\nHotel,480,Travel\r\nLunch,a lot,Meals\r\nBus,3,Travel\r\n",
        encoding="utf-8",
    )
    context = chromium.new_context(locale="en", **DESKTOP)
    page = context.new_page()
    try:
        log_in(page, live_server, "li.na", "/forms/claim/import")
        page.set_input_files("#import-file", str(bad))
        page.click("#import-form button[type=submit]")
        report = page.locator("#import-report")
        expect(report).to_contain_text("1 problem(s) in 1 row(s)")
        problem = report.locator("tr[data-row='3'][data-column='B']")
        expect(problem).to_contain_text("“a lot” is not a number.")
        expect(problem).to_contain_text("Amount")
        expect(page.locator("#commit-form")).to_have_count(0)
    finally:
        context.close()
    assert stored(database, "li.na", "claim") == before


@pytest.mark.parametrize(
    "target", ["/forms/claim/records", "/forms/claim/import", "/inbox", "/inbox?tab=initiated"]
)
def test_lists_and_the_import_fit_a_phone(
    chromium: Browser, live_server: str, claims: None, target: str
) -> None:
    context = chromium.new_context(locale="zh-CN", **PHONE)
    page = context.new_page()
    try:
        log_in(page, live_server, "li.na", target)
        fits_the_phone(page)
        if target == "/forms/claim/records":
            card = page.locator(".record-table tbody tr").first
            label = (
                card.locator("td").nth(1).evaluate("e => getComputedStyle(e, '::before').content")
            )
            assert label == '"标题"', "each value shows its column's name on a phone"
    finally:
        context.close()


def test_transfer_a_task_by_picking_the_person(
    chromium: Browser, live_server: str, database: Database, approval: int
) -> None:
    context = chromium.new_context(locale="en", **DESKTOP)
    page = context.new_page()
    try:
        log_in(page, live_server, "li", "/inbox")
        page.locator(".inbox-item a.inbox-link").first.click()
        page.wait_for_url(re.compile(r".*/tasks/\d+$"))
        page.click("details.action-panel:has(form[action$='/transfer']) > summary")
        form = page.locator("form[action$='/transfer']")
        form.locator("button[type=submit]").click()
        expect(form.locator(".field-error")).to_have_text("Choose a person first.")
        form.locator("input[role=combobox]").fill("zhao")
        page.locator("[role=option]", has_text="赵六").click()
        form.locator("textarea[name=comment]").fill("finance knows this one")
        form.locator("button[type=submit]").click()
        page.wait_for_url(live_server + "/inbox")
        expect(page.locator(".notice-success")).to_have_text("Transferred.")
        expect(page.locator(".inbox-item")).to_have_count(0)
    finally:
        context.close()


def test_a_filter_mistake_is_selected_where_it_is(
    chromium: Browser, live_server: str, claims: None
) -> None:
    context = chromium.new_context(locale="en", **DESKTOP)
    page = context.new_page()
    try:
        log_in(
            page,
            live_server,
            "li.na",
            "/forms/claim/records?filter=title+%3D+%27x%27+and+amout+%3E+1",
        )
        expect(page.locator("#filter-problems")).to_contain_text("Line 1, column 17")
        expect(page.locator("#filter-builder")).to_contain_text("written by hand")
        selected = page.evaluate(
            "() => { const t = document.getElementById('filter-text');"
            " return [document.activeElement === t, t.selectionStart]; }"
        )
        assert selected == [True, 16]
    finally:
        context.close()
