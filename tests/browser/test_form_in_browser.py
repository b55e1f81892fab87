"""In a real browser: log in, fill a form with a sub-table and an attachment, see a field error
in Chinese and fix it, submit, see the record — on a desktop and on a 375 px phone."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from browserkit import log_in
from playwright.sync_api import Browser, FilePayload, expect
from pngcheck import dark_share

from formflow.services import forms
from formflow.services.actor import SYSTEM
from formflow.storage.db import Database

pytestmark = pytest.mark.browser

EXPENSE: dict[str, Any] = {
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
        "approver": {"x-type": "user", "x-label": {"zh-CN": "审批人", "en": "Approver"}},
        "lines": {
            "x-type": "subtable",
            "x-label": {"zh-CN": "明细", "en": "Lines"},
            "items": {
                "properties": {
                    "qty": {
                        "type": "integer",
                        "minimum": 1,
                        "x-label": {"zh-CN": "数量", "en": "Qty"},
                    },
                    "price": {"x-type": "money", "x-label": {"zh-CN": "单价", "en": "Price"}},
                },
                "required": ["qty", "price"],
            },
        },
        "receipt": {"x-type": "attachments", "x-label": {"zh-CN": "收据", "en": "Receipt"}},
        "total": {
            "x-type": "money",
            "x-formula": "sum(lines, qty * price)",
            "x-label": {"zh-CN": "合计", "en": "Total"},
        },
        "no": {
            "x-type": "serial",
            "x-serial": {"pattern": "BX-{seq:4}"},
            "x-label": {"zh-CN": "单号", "en": "No."},
        },
    },
    "required": ["title", "amount", "lines"],
    "x-display": "title",
}
VIEWPORTS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True},
}


@pytest.fixture
def expense_form(database: Database, make_user: Any) -> None:
    make_user("li.na", display_name="李娜", locale="zh-CN")
    make_user("wang.fang", display_name="王芳")
    with database.session(write=True) as session:
        forms.create_form(
            session,
            SYSTEM,
            key="expense",
            title={"zh-CN": "费用报销", "en": "Expense claim"},
            schema=EXPENSE,
            ui={
                "layout": [
                    {
                        "title": {"zh-CN": "基本信息", "en": "Basics"},
                        "columns": 2,
                        "fields": ["no", "title", "amount", "category", "approver"],
                    }
                ],
                # Big claims need a named approver: shown and required live.
                "fields": {
                    "approver": {"visible_if": "amount > 1000", "required_if": "amount > 1000"}
                },
            },
        )


@pytest.mark.parametrize("device", sorted(VIEWPORTS))
def test_fill_fix_a_chinese_error_attach_and_submit(
    chromium: Browser, live_server: str, expense_form: None, device: str
) -> None:
    context = chromium.new_context(locale="zh-CN", **VIEWPORTS[device])
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        log_in(page, live_server, "li.na", "/forms/expense/new")
        expect(page.locator("h1")).to_have_text("费用报销")

        # Submitting an empty form: nothing is saved, the summary lists the problems in Chinese.
        page.click("#record-form button[type=submit]")
        summary = page.locator("#error-summary")
        expect(summary).to_be_visible()
        expect(summary).to_have_attribute("role", "alert")
        expect(summary).to_contain_text("标题")
        expect(page.locator("#f-title")).to_have_attribute("aria-invalid", "true")

        page.fill("#f-title", "上海出差")
        approver = page.locator("[data-field=approver]")
        expect(approver).to_be_hidden()
        page.fill("#f-amount", "1234.50")
        expect(approver).to_be_visible()  # the server's rule, applied while typing
        expect(approver.locator("[data-part=required]")).to_be_visible()
        page.select_option("#f-category", "travel")
        page.fill("#f-approver", "wang")
        page.locator("[role=option]", has_text="王芳").click()
        expect(page.locator("#f-approver")).to_have_value("王芳")

        # A sub-table row with a bad quantity: the error appears next to it, in Chinese.
        page.click("[data-action=add-row]")
        row = page.locator("[data-row]").first
        quantity = row.locator("[data-field=qty] input")
        quantity.fill("0")
        error = row.locator("[data-field=qty] .field-error")
        expect(error).to_be_visible()
        expect(error).to_contain_text("数量")
        assert re.search(r"[\u4e00-\u9fff]", error.inner_text())
        expect(quantity).to_have_attribute("aria-invalid", "true")
        described = quantity.get_attribute("aria-describedby") or ""
        assert error.get_attribute("id") in described.split()

        quantity.fill("2")
        row.locator("[data-field=price] input").fill("3.10")
        expect(error).to_be_hidden()
        expect(quantity).not_to_have_attribute("aria-invalid", "true")
        expect(page.locator("[data-field=total] output")).to_have_text("¥ 6.20")
        expect(page.locator("td[data-total=price]")).to_have_text("3.10")

        receipt: FilePayload = {
            "name": "收据.txt",
            "mimeType": "text/plain",
            "buffer": "出租车".encode(),
        }
        page.set_input_files("#f-receipt", files=[receipt])
        expect(page.locator("[data-field=receipt] .file-list a")).to_have_text("收据.txt")

        if device == "phone":
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, f"the form is {width} px wide on a 375 px phone"
            small = page.evaluate(
                """() => [...document.querySelectorAll('#record-form :is(button, input, select)')]
                .filter(e => e.offsetParent && e.type !== 'checkbox' && e.type !== 'radio'
                && e.getBoundingClientRect().height < 44).map(e => e.outerHTML)"""
            )
            assert small == [], "every button and input is at least 44 px high"

        page.click("#record-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/records/\d+\?submitted=1$"))
        expect(page.locator(".notice-success")).to_contain_text("表单已提交")
        expect(page.locator(".serial")).to_have_text("BX-0001")
        shown = page.locator("main")
        expect(shown).to_contain_text("上海出差")
        expect(shown).to_contain_text("差旅")
        expect(shown).to_contain_text("王芳")
        expect(shown).to_contain_text("¥6.20")
        expect(page.locator(".record-section a[download]", has_text="收据.txt")).to_be_visible()
        assert problems == []
    finally:
        context.close()


def test_a_chinese_page_is_drawn_with_a_cjk_font(
    chromium: Browser, live_server: str, expense_form: None, tmp_path: Path
) -> None:
    context = chromium.new_context(locale="zh-CN", viewport={"width": 800, "height": 600})
    page = context.new_page()
    try:
        log_in(page, live_server, "li.na", "/")
        expect(page.locator("h1")).to_contain_text("你好")
        shot = tmp_path / "home-zh-CN.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 0
        assert dark_share(shot.read_bytes()) > 0.002, "the screenshot is blank"
        # Missing CJK fonts draw every character as the same empty box: two different
        # characters must come out as two different pictures.
        page.evaluate(
            """() => { for (const [id, ch] of [['g1', '审'], ['g2', '批']]) {
                const span = document.createElement('span');
                span.id = id; span.textContent = ch; span.className = 'page-title';
                document.querySelector('main').prepend(span); } }"""
        )
        first = page.locator("#g1").screenshot()
        second = page.locator("#g2").screenshot()
        assert dark_share(first) > 0.01
        assert first != second, "Chinese characters render as identical boxes: no CJK font"
    finally:
        context.close()


def test_a_draft_is_saved_resumed_after_a_reload_and_submitted(
    chromium: Browser, live_server: str, expense_form: None
) -> None:
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1024, "height": 800})
    page = context.new_page()
    try:
        log_in(page, live_server, "li.na", "/forms/expense/new")
        page.fill("#f-title", "草稿测试")
        page.fill("#f-amount", "88.8")
        page.click("[data-action=save-draft]")
        page.wait_for_url(re.compile(r".*/records/\d+/edit$"))
        expect(page.locator("#form-status")).to_contain_text("草稿已于")
        page.reload()
        expect(page.locator("#f-title")).to_have_value("草稿测试")
        expect(page.locator("#f-amount")).to_have_value("88.8")
        page.click("[data-action=add-row]")
        row = page.locator("[data-row]").first
        row.locator("[data-field=qty] input").fill("1")
        row.locator("[data-field=price] input").fill("2")
        page.click("#record-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/records/\d+\?submitted=1$"))
        expect(page.locator(".serial")).to_have_text("BX-0001")
    finally:
        context.close()


def test_the_page_script_keeps_numbers_exact(
    chromium: Browser, live_server: str, expense_form: None
) -> None:
    context = chromium.new_context()
    page = context.new_page()
    try:
        log_in(page, live_server, "li.na", "/")
        results = page.evaluate(
            """async () => {
              const d = await import('/static/js/lib/decimal.js');
              const j = await import('/static/js/lib/exactjson.js');
              const data = j.parse('{"a": 12345678901234567890.125, "b": 0.1, "n": 7}');
              return [d.add('0.1', '0.2'), d.add('-1.05', '1'), d.shift('12.5', -2),
                      d.shift('0.125', 2), d.normalize('１,234.50'), d.normalize('12abc'),
                      j.stringify(data), typeof data.n];
            }"""
        )
        assert results == [
            "0.3",
            "-0.05",
            "0.125",
            "12.5",
            "1234.50",
            None,
            '{"a":12345678901234567890.125,"b":0.1,"n":7}',
            "number",
        ]
    finally:
        context.close()
