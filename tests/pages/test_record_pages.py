"""The record page and the print view: values as people read them, history as a diff,
attachments as downloads, and the approval timeline once a flow runs."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

import pytest
import simplejson
from pagekit import EXPENSE, main_of, text_of

from formflow.services import org, records
from formflow.services.auth import actor_for
from formflow.storage.db import Database


@pytest.fixture
def claim(make_form: Any, browser_for: Any, make_user: Any, database: Database) -> Any:
    make_form("expense", EXPENSE)
    approver = make_user("wang.fang", display_name="王芳")
    browser = browser_for("li.na", language="zh-CN", display_name="李娜")
    upload = browser.client.post(
        "/api/attachments",
        data={"file": (io.BytesIO("出租车票".encode()), "票据.txt")},
        headers={"X-CSRF-Token": browser.token()},
    )
    assert upload.status_code == 201
    file = simplejson.loads(upload.get_data(as_text=True))
    created = browser.api(
        "POST",
        "/api/forms/expense/records",
        simplejson.dumps(
            {
                "data": {
                    "title": "上海出差",
                    "amount": Decimal("1234.5"),
                    "category": "travel",
                    "approver": approver,
                    "lines": [{"qty": 2, "price": Decimal("3.10")}],
                    "receipt": [{"id": file["id"]}],
                },
                "draft": True,
            },
            use_decimal=True,
        ),
    )
    assert created.status_code == 201
    record = simplejson.loads(created.get_data(as_text=True))
    with database.session(write=True) as session:
        actor = actor_for(session, org.find_user(session, "li.na"))
        records.update_record(
            session,
            actor,
            record["id"],
            {"amount": Decimal("99"), "lines": [{"qty": 3, "price": Decimal("3.10")}]},
            version=record["version"],
            submit=True,
        )
    return browser, record["id"], file["id"]


def test_the_record_page_shows_values_as_people_read_them(claim: Any) -> None:
    browser, record_id, file_id = claim
    body = main_of(browser.get(f"/records/{record_id}"))
    assert "上海出差" in body
    assert "¥99.00" in body  # money with its currency and scale
    assert "差旅" in body  # the option's label, not its value
    assert "王芳" in body  # the user's name, not the id
    assert "¥9.30" in body  # the computed total
    assert f'href="/api/attachments/{file_id}" download>票据.txt</a>' in body
    assert "BX-0001" in body
    assert "已提交" in body


def test_the_history_shows_each_change_with_labels_and_readable_values(claim: Any) -> None:
    browser, record_id, _file = claim
    body = main_of(browser.get(f"/records/{record_id}"))
    history = body[body.index('id="history-title"') :]
    assert "保存为草稿" in history and "已提交" in history
    assert "李娜" in history
    assert '<th scope="row">金额</th>' in history
    assert "<del>¥1,234.50</del>" in history and "<ins>¥99.00</ins>" in history
    assert "明细 › 第 1 行 › 数量" in history


def test_the_print_view_is_a_clean_sheet_with_its_print_styles(claim: Any) -> None:
    browser, record_id, _file = claim
    response = browser.get(f"/records/{record_id}/print")
    body = text_of(response)
    assert response.status_code == 200
    assert "/static/css/print.css?v=" in body
    assert '<article class="sheet">' in body
    assert 'data-action="print"' in body
    assert "BX-0001" in main_of(response)
    assert 'id="history-title"' not in body


def test_only_the_owner_of_a_draft_is_offered_to_continue_it(
    make_form: Any, browser_for: Any, make_record: Any, make_user: Any
) -> None:
    make_form("expense", EXPENSE, grants={"everyone": ["create", "read_all"]})
    owner = browser_for("li.na")
    draft = make_record("li.na", "expense", {"title": "trip"}, draft=True)
    assert f'href="/records/{draft}/edit"' in text_of(owner.get(f"/records/{draft}"))
    reader = browser_for("zhou.min")
    page = text_of(reader.get(f"/records/{draft}"))
    assert "trip" in page
    assert f'href="/records/{draft}/edit"' not in page


FLOW = """
flow expense_flow "报销审批" on expense {
  step manager "主管审批" { approve by user("wang.fang") }
}
"""


def test_a_record_in_a_flow_shows_its_approval_timeline(
    make_form: Any, browser_for: Any, admin_api: Any, make_user: Any
) -> None:
    make_form("expense", EXPENSE)
    make_user("wang.fang", display_name="王芳")
    published = admin_api.post("/api/flows", {"source": FLOW})
    assert published.status_code == 201, published.payload
    browser = browser_for("li.na", language="zh-CN")
    created = browser.api(
        "POST", "/api/forms/expense/records", '{"data": {"title": "出差", "amount": 10}}'
    )
    record_id = simplejson.loads(created.get_data(as_text=True))["id"]
    for suffix in ("", "/print"):
        body = main_of(browser.get(f"/records/{record_id}{suffix}"))
        assert "报销审批" in body
        assert 'aria-current="step"' in body
        assert "主管审批" in body
        assert "等待：王芳" in body
        assert "提交了申请" in body
    approver = browser_for("wang.fang", language="zh-CN")
    assert approver.get(f"/records/{record_id}").status_code == 200  # a participant reads it
    home = main_of(approver.get("/"))
    assert re.search(r"data-open-tasks>(<a [^>]*>)?1<", home)
