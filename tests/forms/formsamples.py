"""A generated purchase-order form and records for the validation tests.

About 30 fields of every common type (a link, a serial number, formulas) plus a 5-row
sub-table with row formulas. (``formflow bench core`` has its own form in
``formflow/bench/workload.py``, without links, so it needs no second form.)
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def benchmark_schema() -> dict[str, Any]:
    """The definition of the benchmark form (30 top-level fields, one sub-table)."""
    return {
        "type": "object",
        "properties": {
            "title": {
                "type": "string",
                "maxLength": 100,
                "x-label": {"zh-CN": "标题", "en": "Title"},
            },
            "order_no": {
                "x-type": "serial",
                "x-serial": {"pattern": "PO-{YYYY}{MM}-{seq:4}", "reset": "monthly"},
            },
            "supplier": {"x-type": "link", "x-link": {"form": "supplier"}},
            "buyer": {"x-type": "user"},
            "department": {"x-type": "department"},
            "order_date": {"type": "string", "format": "date"},
            "delivery_date": {"type": "string", "format": "date"},
            "delivery_time": {"x-type": "time"},
            "submitted_at": {"type": "string", "format": "date-time"},
            "currency": {
                "x-type": "select",
                "x-options": [
                    {"value": "CNY", "label": "人民币"},
                    {"value": "USD", "label": "美元"},
                ],
            },
            "payment_terms": {
                "x-type": "select",
                "x-options": [
                    {"value": "prepaid", "label": "预付"},
                    {"value": "net30", "label": "月结30天"},
                    {"value": "net60", "label": "月结60天"},
                ],
            },
            "tags": {
                "x-type": "multiselect",
                "x-options": [
                    {"value": "urgent", "label": "加急"},
                    {"value": "import", "label": "进口"},
                    {"value": "sample", "label": "样品"},
                ],
            },
            "urgent": {"type": "boolean"},
            "contact_name": {"type": "string", "minLength": 1, "maxLength": 40},
            "contact_phone": {"x-type": "phone"},
            "contact_email": {"type": "string", "format": "email"},
            "website": {"x-type": "url"},
            "region": {"x-type": "region"},
            "address": {"x-type": "textarea", "maxLength": 500},
            "postcode": {"type": "string", "pattern": "^[0-9]{6}$"},
            "discount": {"x-type": "percent", "minimum": 0, "maximum": 1},
            "freight": {"x-type": "money", "minimum": 0},
            "tax_rate": {"x-type": "percent", "minimum": 0, "maximum": 1},
            "priority": {"type": "integer", "minimum": 1, "maximum": 5},
            "rating": {"x-type": "rating"},
            "location": {"x-type": "location"},
            "attachments": {"x-type": "attachments", "x-max-files": 10},
            "remark": {"x-type": "textarea"},
            "items": {
                "x-type": "subtable",
                "minItems": 1,
                "items": {
                    "properties": {
                        "sku": {"type": "string", "pattern": "^[A-Z]{2}-[0-9]{4}$"},
                        "name": {"type": "string", "maxLength": 100},
                        "qty": {"type": "integer", "minimum": 1},
                        "unit": {
                            "x-type": "select",
                            "x-options": [
                                {"value": "pcs", "label": "个"},
                                {"value": "kg", "label": "千克"},
                            ],
                        },
                        "price": {"x-type": "money", "minimum": 0},
                        "amount": {"x-type": "money", "x-formula": "qty * price"},
                    },
                    "required": ["sku", "qty", "price"],
                },
            },
            "total": {"x-type": "money", "x-formula": "sum(items.amount)"},
        },
        "required": ["title", "supplier", "buyer", "order_date", "items"],
    }


def benchmark_record(seed: int = 0, rows: int = 5) -> dict[str, Any]:
    """A valid record of the benchmark form (numbers as ``Decimal``, as parsed JSON is)."""
    items: list[dict[str, Any]] = [
        {
            "sku": f"AB-{(seed + row) % 10000:04d}",
            "name": f"零件 {row}",
            "qty": 1 + (seed + row) % 7,
            "unit": "pcs",
            "price": Decimal(f"{10 + row}.{seed % 100:02d}"),
            "amount": (1 + (seed + row) % 7) * Decimal(f"{10 + row}.{seed % 100:02d}"),
        }
        for row in range(rows)
    ]
    return {
        "title": f"采购订单 {seed}",
        "supplier": 1 + seed % 50,
        "buyer": 7,
        "department": 3,
        "order_date": "2026-01-31",
        "delivery_date": "2026-02-15",
        "delivery_time": "09:30",
        "submitted_at": "2026-01-31T08:00:00Z",
        "currency": "CNY",
        "payment_terms": "net30",
        "tags": ["urgent", "import"],
        "urgent": seed % 2 == 0,
        "contact_name": "王小明",
        "contact_phone": "13812345678",
        "contact_email": "wang@example.com",
        "website": "https://example.com/supplier",
        "region": ["广东省", "深圳市", "南山区"],
        "address": "科技园南区 1 号",
        "postcode": "518000",
        "discount": Decimal("0.05"),
        "freight": Decimal("120.00"),
        "tax_rate": Decimal("0.13"),
        "priority": 3,
        "rating": 4,
        "location": {"lat": Decimal("22.54"), "lng": Decimal("113.95"), "address": "深圳"},
        "attachments": [
            {"id": 1, "name": "quote.pdf", "size": 20480, "content_type": "application/pdf"}
        ],
        "remark": "请按时交货",
        "items": items,
        "total": sum((item["amount"] for item in items), Decimal(0)),
    }
