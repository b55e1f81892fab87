"""The record pages use the one read filter: a field a step hides never shows on the record
page, its print view or its history for the people of that step."""

from __future__ import annotations

from typing import Any

from pagekit import text_of

SCHEMA = {
    "type": "object",
    "properties": {"title": {"type": "string"}, "bank_account": {"type": "string"}},
    "required": ["title"],
    "x-display": "title",
}
FLOW = 'flow pay on claim { step manager "审批" { approve by user(boss) hide bank_account } }'


def test_the_approver_sees_the_record_page_without_the_hidden_field(
    make_form: Any, make_user: Any, make_record: Any, browser_for: Any, admin_api: Any
) -> None:
    make_user("boss")
    make_user("clerk")
    make_form("claim", SCHEMA)
    assert admin_api.post("/api/flows", {"source": FLOW}).status_code == 201
    record_id = make_record("clerk", "claim", {"title": "差旅", "bank_account": "6222999988887777"})
    pages = {}
    for username in ("boss", "clerk"):
        browser = browser_for(username)
        shown = [browser.get(f"/records/{record_id}"), browser.get(f"/records/{record_id}/print")]
        assert [page.status_code for page in shown] == [200, 200]
        pages[username] = "".join(text_of(page) for page in shown)
    assert "差旅" in pages["boss"]
    assert "6222999988887777" not in pages["boss"]
    assert "6222999988887777" in pages["clerk"]


def test_the_entry_page_leaves_out_flow_only_fields_and_the_record_page_names_people(
    make_form: Any, make_user: Any, make_record: Any, browser_for: Any
) -> None:
    boss = make_user("boss", display_name="王老板")
    clerk = make_user("clerk", display_name="李文员")
    schema = {
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            "readers": {"x-type": "users"},
            "currency": {"type": "string"},
            "budget": {"x-type": "money", "x-currency": {"field": "currency"}},
            "paid_on": {"x-type": "date"},
        },
        "x-display": "title",
        "x-flow-only": ["paid_on"],
    }
    make_form("memo", schema)
    browser = browser_for("clerk")
    entry = text_of(browser.get("/forms/memo/new"))
    assert 'data-field="readers"' in entry
    assert 'data-control="users"' in entry
    assert 'data-field="paid_on"' not in entry
    record_id = make_record(
        "clerk",
        "memo",
        {"title": "例会", "readers": [boss, clerk], "currency": "JPY", "budget": 5000},
    )
    shown = text_of(browser.get(f"/records/{record_id}"))
    assert "王老板" in shown and "李文员" in shown
    assert "5,000" in shown and "5,000.00" not in shown
