"""Form definitions shared by API tests (plain data, as a designer would POST them)."""

from __future__ import annotations

from typing import Any

EXPENSE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "maxLength": 50, "x-label": {"zh-CN": "标题", "en": "Title"}},
        "amount": {
            "type": "number",
            "x-type": "money",
            "x-index": True,
            "x-label": {"zh-CN": "金额", "en": "Amount"},
        },
        "category": {
            "type": "string",
            "x-type": "select",
            "enum": ["travel", "meal", "office"],
            "x-index": True,
        },
        "spent_on": {"type": "string", "format": "date", "x-index": True},
        "approver": {"type": "integer", "x-type": "user"},
        "items": {
            "type": "array",
            "x-type": "subtable",
            "items": {
                "type": "object",
                "properties": {
                    "qty": {"type": "integer", "minimum": 1},
                    "price": {"type": "number", "x-type": "money"},
                },
                "required": ["qty", "price"],
            },
        },
        "total": {"type": "number", "x-type": "money", "x-formula": "sum(items, qty * price)"},
        "no": {
            "type": "string",
            "x-type": "serial",
            "x-serial": {"pattern": "BX-{YYYY}-{seq:4}", "reset": "yearly"},
        },
    },
    "required": ["title", "amount"],
}


def create_form(
    caller: Any, key: str = "expense", schema: dict[str, Any] | None = None, **extra: Any
) -> Any:
    response = caller.post(
        "/api/forms",
        {
            "key": key,
            "title": {"zh-CN": "报销", "en": "Expense"},
            "schema": schema or EXPENSE,
            **extra,
        },
    )
    assert response.status_code == 201, response.payload
    return response.payload
