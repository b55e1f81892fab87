"""The form page: every field type gets its control, sections and columns follow the UI
schema, drafts resume with their values, and the script gets what it needs."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
import simplejson
from pagekit import ALL_TYPES, EXPENSE, all_types_schema, main_of, text_of


def config_of(body: str) -> dict[str, Any]:
    match = re.search(
        r'<script type="application/json" id="form-config">(.*?)</script>', body, re.S
    )
    assert match is not None
    loaded: dict[str, Any] = simplejson.loads(match.group(1), use_decimal=True)
    return loaded


@pytest.fixture
def all_types_page(make_form: Any, browser_for: Any) -> str:
    make_form("everything", all_types_schema())
    return text_of(browser_for("li.na").get("/forms/everything/new"))


@pytest.mark.parametrize("name", sorted(ALL_TYPES))
def test_every_field_type_is_shown_with_its_control(all_types_page: str, name: str) -> None:
    control = ALL_TYPES[name][1]
    marker = f'data-field="{name}" data-control="{control}"'
    assert marker in all_types_page


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("amount", 'inputmode="decimal"'),  # money is typed as text, never parsed to a float
        ("amount", 'data-symbol="$"'),
        ("amount", "(USD)"),
        ("quantity", 'inputmode="numeric"'),
        ("discount", '<span class="suffix" aria-hidden="true">%</span>'),
        ("day", 'type="date"'),
        ("moment", 'type="datetime-local"'),
        ("clock", 'type="time"'),
        ("mail", 'type="email"'),
        ("mobile", 'type="tel"'),
        ("site", 'type="url"'),
        ("id_no", 'maxlength="18"'),
        ("person", 'role="combobox"'),
        ("team", 'data-picker="department"'),
        ("files", 'data-max-size="1000"'),
        ("photos", 'accept="image/*"'),
        ("sign", '<canvas class="signature-pad"'),
        ("stars", 'value="7"'),
        ("place", "广东省"),
        ("spot", 'data-action="locate"'),
        ("lines", 'data-action="add-row"'),
        ("code", "Assigned when you submit"),
        ("kind", '<option value="a">Alpha</option>'),
    ],
)
def test_controls_carry_what_the_field_needs(all_types_page: str, name: str, fragment: str) -> None:
    start = all_types_page.index(f'data-field="{name}"')
    end = all_types_page.find('<div class="field ', start + 1)
    assert fragment in all_types_page[start : end if end > 0 else None]


def test_every_top_level_input_has_a_label(all_types_page: str) -> None:
    inputs = re.findall(r'<[^>]*data-part="input"[^>]*>', all_types_page)
    ids = [re.search(r' id="([^"]+)"', tag) for tag in inputs]
    top_level = [match.group(1) for match in ids if match is not None]
    tables = sum(1 for _spec, control in ALL_TYPES.values() if control == "table")
    assert len(top_level) == len(ALL_TYPES) - tables  # row fields get ids in the browser
    for ident in top_level:
        labelled = f'for="{ident}"' in all_types_page or f'id="{ident}-label"' in all_types_page
        assert labelled, ident


def test_sections_columns_and_help_follow_the_ui_schema(make_form: Any, browser_for: Any) -> None:
    make_form(
        "expense",
        EXPENSE,
        ui={
            "layout": [
                {
                    "title": {"zh-CN": "基本信息", "en": "Basics"},
                    "columns": 3,
                    "fields": ["title", "amount"],
                },
                {"title": "Details", "fields": ["lines"], "collapsed": True},
            ],
            "fields": {"title": {"help": {"zh-CN": "简短", "en": "Keep it short"}, "width": 2}},
        },
    )
    body = main_of(browser_for("li.na").get("/forms/expense/new"))
    assert '<section class="form-section" data-section="0">' in body
    assert "<h2>Basics</h2>" in body
    assert 'class="field-grid cols-3"' in body
    assert '<details class="form-section" data-section="1">' in body
    assert "Keep it short" in body
    assert 'class="field control-text w-2"' in body
    # Fields not placed in a section come last.
    assert body.index('data-field="receipt"') > body.index('data-field="lines"')


def test_the_page_is_in_the_users_language(make_form: Any, browser_for: Any) -> None:
    make_form("expense", EXPENSE)
    body = text_of(browser_for("li.na", language="zh-CN").get("/forms/expense/new"))
    assert '<html lang="zh-CN">' in body
    assert "保存草稿" in body and "提交" in body
    assert ">标题<" in body
    config = config_of(body)
    assert config["locale"] == "zh-CN"
    assert config["messages"]["offline"].startswith("无法连接服务器")


def test_a_draft_resumes_with_its_values_and_the_names_of_what_it_refers_to(
    make_form: Any, browser_for: Any, make_record: Any, make_user: Any, database: Any
) -> None:
    make_form("expense", EXPENSE)
    approver = make_user("wang.fang", display_name="王芳")
    browser = browser_for("li.na")
    draft = make_record(
        "li.na",
        "expense",
        {"title": "trip", "amount": Decimal("12.30"), "approver": approver, "lines": [{"qty": 2}]},
        draft=True,
    )
    body = text_of(browser.get(f"/records/{draft}/edit"))
    config = config_of(body)
    assert config["mode"] == "edit"
    assert config["record"] == draft
    assert config["version"] == 1
    assert config["data"]["title"] == "trip"
    assert str(config["data"]["amount"]) == "12.30"  # exact, as stored
    assert config["refs"] == {f"user:{approver}": "王芳"}
    assert "Draft no. " in body


def test_a_submitted_record_is_not_edited_on_the_draft_page(
    make_form: Any, browser_for: Any, make_record: Any
) -> None:
    make_form("expense", EXPENSE)
    browser = browser_for("li.na")
    record_id = make_record("li.na", "expense", {"title": "trip", "amount": 1})
    response = browser.get(f"/records/{record_id}/edit")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/records/{record_id}"
    assert "can no longer be edited here" in text_of(browser.get(f"/records/{record_id}"))


def test_the_script_saves_drafts_and_submits_through_the_api_with_the_session(
    make_form: Any, browser_for: Any
) -> None:
    make_form("expense", EXPENSE)
    browser = browser_for("li.na")
    draft = browser.api(
        "POST", "/api/forms/expense/records", '{"data": {"title": "trip"}, "draft": true}'
    )
    assert draft.status_code == 201
    record = simplejson.loads(draft.get_data(as_text=True))
    submitted = browser.api(
        "PATCH",
        f"/api/records/{record['id']}",
        simplejson.dumps(
            {"data": {"title": "trip", "amount": 5}, "version": record["version"], "submit": True}
        ),
    )
    assert submitted.status_code == 200
    page = text_of(browser.get(f"/records/{record['id']}?submitted=1"))
    assert "Your form is submitted." in page
    assert "BX-0001" in page


def test_validation_from_the_page_answers_in_the_users_language(
    make_form: Any, browser_for: Any
) -> None:
    make_form("expense", EXPENSE)
    browser = browser_for("li.na", language="zh-CN")
    answer = browser.api("POST", "/api/forms/expense/validate", '{"data": {"amount": 1.234}}')
    result = simplejson.loads(answer.get_data(as_text=True))
    messages = {error["path"]: error["message"] for error in result["errors"]}
    assert "标题" in messages["$.title"]
    assert "金额" in messages["$.amount"]
