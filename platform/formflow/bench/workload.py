"""The benchmark's form and its data: a purchase order of 31 fields with a 5-row sub-table.

Every figure of ``bench core`` uses this one definition, so the figures describe the same
realistic form: text, dates and times, user and department pickers, selects, a phone number,
e-mail, URL, region, location, money and percentages, two formulas, and an ``items``
sub-table of five rows. ``amount`` carries ``x-index``: the list benchmark filters on it.

Documents are built the way parsed request bodies look inside the platform: whole numbers as
``int``, fractions as ``Decimal`` (bodies are parsed with ``simplejson``'s ``use_decimal``).
Everything is generated from a seed, so a run is repeatable.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

#: ``amount`` values are spread evenly over [0, AMOUNT_RANGE).
AMOUNT_RANGE = 100_000
#: ``amount > SELECTIVE_AMOUNT`` selects about 1% of the records.
SELECTIVE_AMOUNT = 99_000
ROWS = 5

_OPTIONS_UNIT = [{"value": "pcs", "label": "个"}, {"value": "kg", "label": "千克"}]


def order_schema() -> dict[str, Any]:
    """The JSON Schema (with Formflow's ``x-`` keywords) of the benchmark form."""
    return {
        "type": "object",
        "properties": {
            "title": {"type": "string", "maxLength": 100, "x-label": {"zh-CN": "标题"}},
            "order_date": {"type": "string", "format": "date"},
            "delivery_date": {"type": "string", "format": "date"},
            "delivery_time": {"x-type": "time"},
            "confirmed_at": {"type": "string", "format": "date-time"},
            "buyer": {"x-type": "user"},
            "department": {"x-type": "department"},
            "supplier_name": {"type": "string", "maxLength": 100},
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
            "invoice_title": {"type": "string", "maxLength": 100},
            "amount": {"x-type": "money", "minimum": 0, "x-index": True},
            "discount": {"x-type": "percent", "minimum": 0, "maximum": 1},
            "freight": {"x-type": "money", "minimum": 0},
            "tax_rate": {"x-type": "percent", "minimum": 0, "maximum": 1},
            "priority": {"type": "integer", "minimum": 1, "maximum": 5},
            "rating": {"x-type": "rating"},
            "location": {"x-type": "location"},
            "remark": {"x-type": "textarea"},
            "approved": {"type": "boolean"},
            "items": {
                "x-type": "subtable",
                "minItems": 1,
                "maxItems": 50,
                "items": {
                    "properties": {
                        "sku": {"type": "string", "pattern": "^[A-Z]{2}-[0-9]{4}$"},
                        "name": {"type": "string", "maxLength": 100},
                        "qty": {"type": "integer", "minimum": 1},
                        "unit": {"x-type": "select", "x-options": _OPTIONS_UNIT},
                        "price": {"x-type": "money", "minimum": 0},
                        "line_total": {"x-type": "money", "x-formula": "qty * price"},
                    },
                    "required": ["sku", "qty", "price"],
                },
            },
            "total": {"x-type": "money", "x-formula": "sum(items.line_total)"},
        },
        "required": ["title", "order_date", "buyer", "amount", "items"],
    }


def order_title() -> dict[str, str]:
    return {"zh-CN": "采购订单（基准测试）", "en": "Purchase order (benchmark)"}


def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def _items(rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    for row in range(ROWS):
        qty = rng.randint(1, 9)
        price = _money(rng.randrange(100, 100_000))
        rows.append(
            {
                "sku": f"AB-{rng.randrange(10_000):04d}",
                "name": f"零件 {row + 1}",
                "qty": qty,
                "unit": "pcs" if row % 2 == 0 else "kg",
                "price": price,
                "line_total": qty * price,
            }
        )
    return rows


def order_document(
    seed: int, *, buyer: int = 1, department: int = 1, amount: Decimal | None = None
) -> dict[str, Any]:
    """A valid record of the benchmark form; the same ``seed`` gives the same document."""
    rng = random.Random(seed)  # noqa: S311 - repeatable sample data, not a secret
    items = _items(rng)
    ordered = date(2026, 1, 1) + timedelta(days=rng.randrange(365))
    return {
        "title": f"采购订单 {seed}",
        "order_date": ordered.isoformat(),
        "delivery_date": (ordered + timedelta(days=rng.randrange(1, 30))).isoformat(),
        "delivery_time": f"{rng.randrange(8, 18):02d}:30",
        "confirmed_at": f"{ordered.isoformat()}T0{rng.randrange(10)}:15:00Z",
        "buyer": buyer,
        "department": department,
        "supplier_name": f"深圳市供应商 {rng.randrange(500)} 有限公司",
        "currency": rng.choice(["CNY", "USD"]),
        "payment_terms": rng.choice(["prepaid", "net30", "net60"]),
        "tags": rng.sample(["urgent", "import", "sample"], rng.randrange(4)),
        "urgent": rng.random() < 0.2,
        "contact_name": "王小明",
        "contact_phone": f"138{rng.randrange(100_000_000):08d}",
        "contact_email": f"buyer{rng.randrange(1000)}@example.com",
        "website": "https://example.com/supplier",
        "region": ["广东省", "深圳市", "南山区"],
        "address": "科技园南区 1 号",
        "postcode": f"{rng.randrange(100_000, 1_000_000)}",
        "invoice_title": "深圳示例科技有限公司",
        "amount": amount if amount is not None else random_amount(rng),
        "discount": _money(rng.randrange(0, 30)),
        "freight": _money(rng.randrange(0, 50_000)),
        "tax_rate": Decimal("0.13"),
        "priority": rng.randint(1, 5),
        "rating": rng.randint(1, 5),
        "location": {"lat": Decimal("22.54"), "lng": Decimal("113.95"), "address": "深圳"},
        "remark": "请按时交货",
        "approved": False,
        "items": items,
        "total": sum((row["line_total"] for row in items), Decimal(0)),
    }


def random_amount(rng: random.Random) -> Decimal:
    """An amount spread evenly over [0, AMOUNT_RANGE), in cents."""
    return _money(rng.randrange(AMOUNT_RANGE * 100))


# -- invalid documents ---------------------------------------------------------------------

Mutation = Callable[[dict[str, Any]], None]


def _set(name: str, value: Any) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        document[name] = copy.deepcopy(value)

    return mutate


def _drop(name: str) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        document.pop(name, None)

    return mutate


def _set_row(name: str, value: Any) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        document["items"][2][name] = value

    return mutate


def _drop_row(name: str) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        document["items"][1].pop(name, None)

    return mutate


@dataclass(frozen=True)
class BadValue:
    """One way to break a valid document in a single field."""

    what: str
    mutate: Mutation


#: Single-field mistakes that plain JSON Schema can see too (no formats, no platform
#: checks), so both validators must call every one of them invalid.
BAD_VALUES: tuple[BadValue, ...] = (
    BadValue("title is a number", _set("title", 123)),
    BadValue("title too long", _set("title", "长" * 101)),
    BadValue("title missing", _drop("title")),
    BadValue("buyer missing", _drop("buyer")),
    BadValue("buyer is zero", _set("buyer", 0)),
    BadValue("buyer is text", _set("buyer", "张三")),
    BadValue("amount is text", _set("amount", "一千")),
    BadValue("amount negative", _set("amount", Decimal("-0.01"))),
    BadValue("currency unknown", _set("currency", "EUR")),
    BadValue("tags unknown option", _set("tags", ["vip"])),
    BadValue("tags repeated", _set("tags", ["urgent", "urgent"])),
    BadValue("urgent is text", _set("urgent", "yes")),
    BadValue("contact name empty", _set("contact_name", "")),
    BadValue("postcode too short", _set("postcode", "51800")),
    BadValue("discount above 100%", _set("discount", Decimal("1.5"))),
    BadValue("priority too high", _set("priority", 9)),
    BadValue("priority fractional", _set("priority", Decimal("2.5"))),
    BadValue("region empty", _set("region", [])),
    BadValue("location without lng", _set("location", {"lat": Decimal(22)})),
    BadValue("location lat out of range", _set("location", {"lat": 91, "lng": 0})),
    BadValue("unknown field", _set("colour", "red")),
    BadValue("items empty", _set("items", [])),
    BadValue("items not a list", _set("items", {"sku": "AB-0001"})),
    BadValue("row qty zero", _set_row("qty", 0)),
    BadValue("row sku lower case", _set_row("sku", "ab-0001")),
    BadValue("row unit unknown", _set_row("unit", "box")),
    BadValue("row unknown column", _set_row("colour", "red")),
    BadValue("row price missing", _drop_row("price")),
)


def invalid_document(seed: int) -> dict[str, Any]:
    """A document with exactly one bad field (which one depends on ``seed``)."""
    document = order_document(seed)
    BAD_VALUES[seed % len(BAD_VALUES)].mutate(document)
    return document


def documents(count: int, *, valid: bool, start: int = 0) -> Iterator[dict[str, Any]]:
    """``count`` generated documents, valid or each with one bad field."""
    make = order_document if valid else invalid_document
    for seed in range(start, start + count):
        yield make(seed)
