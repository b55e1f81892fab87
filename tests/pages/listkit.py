"""Forms, people and file helpers for the list, export, import and inbox tests."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from openpyxl import load_workbook

from formflow.services import companies, org
from formflow.services.actor import SYSTEM
from formflow.storage.db import Database

#: A form with every field type an import can carry, plus a computed value and a serial.
CLAIM: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "x-label": {"zh-CN": "标题", "en": "Title"}},
        "amount": {"x-type": "money", "x-label": {"zh-CN": "金额", "en": "Amount"}},
        "rate": {"x-type": "percent", "x-label": {"zh-CN": "税率", "en": "Tax rate"}},
        "nights": {"type": "integer", "minimum": 0, "x-label": {"zh-CN": "晚数", "en": "Nights"}},
        "distance": {"type": "number", "x-label": {"zh-CN": "里程", "en": "Distance"}},
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
            "x-options": [
                {"value": "urgent", "label": {"zh-CN": "加急", "en": "Urgent"}},
                {"value": "abroad", "label": {"zh-CN": "境外", "en": "Abroad"}},
            ],
        },
        "spent_on": {"x-type": "date", "x-label": {"zh-CN": "日期", "en": "Spent on"}},
        "departs": {"x-type": "datetime", "x-label": {"zh-CN": "出发", "en": "Departs"}},
        "meets": {"x-type": "time", "x-label": {"zh-CN": "会面", "en": "Meets at"}},
        "billable": {"type": "boolean", "x-label": {"zh-CN": "可计费", "en": "Billable"}},
        "payee": {"x-type": "user", "x-label": {"zh-CN": "收款人", "en": "Payee"}},
        "team": {"x-type": "department", "x-label": {"zh-CN": "部门", "en": "Team"}},
        "city": {"x-type": "region", "x-label": {"zh-CN": "城市", "en": "City"}},
        "mail": {"x-type": "email", "x-label": {"zh-CN": "邮箱", "en": "E-mail"}},
        "note": {"x-type": "textarea", "x-label": {"zh-CN": "备注", "en": "Note"}},
        "double": {
            "x-type": "money",
            "x-formula": "amount * 2",
            "x-label": {"zh-CN": "两倍", "en": "Double"},
        },
        "code": {
            "x-type": "serial",
            "x-serial": {"pattern": "BX-{seq:4}"},
            "x-label": {"zh-CN": "单号", "en": "Code"},
        },
    },
    "required": ["title", "amount"],
    "x-display": "title",
}


def make_department(database: Database, code: str, name: str) -> int:
    with database.session(write=True) as session:
        company = companies.find_company(session, "hq") or companies.create_company(
            session, SYSTEM, code="hq", name="HQ"
        )
        department = org.create_department(
            session, SYSTEM, code=code, name=name, company_id=company.id
        )
        return department.id


def csv_rows(content: bytes) -> list[list[str]]:
    """The rows of a CSV export (it starts with a UTF-8 byte-order mark)."""
    assert content.startswith(b"\xef\xbb\xbf"), "CSV exports carry a byte-order mark"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def xlsx_rows(content: bytes, sheet: int = 0) -> list[list[Any]]:
    """The cell values of one sheet of an XLSX file."""
    book = load_workbook(io.BytesIO(content), read_only=False)
    rows = [list(row) for row in book.worksheets[sheet].iter_rows(values_only=True)]
    book.close()
    return rows


def xlsx_types(content: bytes) -> list[list[str]]:
    """The openpyxl data type of every cell of the first sheet (``s`` text, ``n`` number,
    ``f`` formula ...)."""
    book = load_workbook(io.BytesIO(content))
    types = [[cell.data_type for cell in row] for row in book.worksheets[0].iter_rows()]
    book.close()
    return types


def make_xlsx(rows: list[list[Any]]) -> bytes:
    """A workbook with one sheet holding ``rows`` as they are."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def make_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


#: A request with a manager's approval: the manager sees no bank account and fills in a note.
REQUEST: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "x-label": {"zh-CN": "事由", "en": "Purpose"}},
        "amount": {"x-type": "money", "x-label": {"zh-CN": "金额", "en": "Amount"}},
        "bank_account": {"type": "string", "x-label": {"zh-CN": "银行账号", "en": "Bank account"}},
        "approval_note": {"type": "string", "x-label": {"zh-CN": "审批备注", "en": "Note"}},
        "lines": {
            "x-type": "subtable",
            "x-label": {"zh-CN": "明细", "en": "Lines"},
            "items": {
                "properties": {
                    "item": {"type": "string", "x-label": {"zh-CN": "项目", "en": "Item"}},
                    "checked": {"type": "string", "x-label": {"zh-CN": "核对", "en": "Checked"}},
                }
            },
        },
    },
    "required": ["title", "amount"],
    "x-display": "title",
}
REQUEST_FLOW = """
flow request_flow "报销审批" on request {
  reject needs comment
  step manager "主管审批" {
    approve by manager(initiator)
    edit approval_note, lines.checked
    hide bank_account
  }
  step finance "财务审批" { approve by role(finance) }
}
"""
#: The same request where the manager must fill in a required field (no batch approval).
STRICT_FLOW = """
flow strict_flow "严格审批" on strict {
  step manager "主管审批" {
    approve by manager(initiator)
    edit title
  }
}
"""
#: A request whose step requires a field of its own (no batch approval while it is empty).
REQUIRING_FLOW = """
flow noted_flow "备注审批" on noted {
  step manager "主管审批" {
    approve by manager(initiator)
    edit approval_note
    require approval_note
  }
}
"""


def make_company(database: Database, make_user: Any) -> dict[str, int]:
    """zhang works for li (head of sales); zhao is in finance; stranger is nobody's."""
    ids = {
        "li": make_user("li", display_name="李四"),
        "zhang": make_user("zhang", display_name="张三"),
        "zhao": make_user("zhao", display_name="赵六", roles=["finance"]),
        "stranger": make_user("stranger", display_name="路人"),
    }
    with database.session(write=True) as session:
        sales = org.create_department(session, SYSTEM, name="销售部", head_id=ids["li"])
        for name in ("li", "zhang"):
            org.update_user(session, SYSTEM, ids[name], {"department_id": sales.id})
    return ids


def publish_flow(database: Database, source: str) -> None:
    from formflow.services import flows

    with database.session(write=True) as session:
        flows.create_flow(session, SYSTEM, source=source)


def open_task_of(database: Database, username: str, record_id: int) -> int:
    """The id of ``username``'s open task on the record."""
    from formflow.services import inbox
    from formflow.services.auth import actor_for

    with database.session() as session:
        actor = actor_for(session, org.find_user(session, username))
        page = inbox.list_inbox(session, actor, view="open", limit=200)
    for item in page.items:
        if item["record"]["id"] == record_id:
            return int(item["task"]["id"])
    raise AssertionError(f"{username} has no open task on record {record_id}")


def found(pattern: str, text: str) -> str:
    """The first group of ``pattern`` in ``text`` (the test fails when it is not there)."""
    match = re.search(pattern, text, re.S)
    assert match is not None, f"{pattern!r} not found"
    return match.group(1)
