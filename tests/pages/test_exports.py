"""Exports of a list: the export grant, the current view, values written for people in their
language and time zone, cells a spreadsheet would run kept as text, and hidden fields."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
from listkit import (
    CLAIM,
    REQUEST,
    REQUEST_FLOW,
    csv_rows,
    make_company,
    make_department,
    publish_flow,
    xlsx_rows,
    xlsx_types,
)
from openpyxl import load_workbook
from pagekit import text_of

from formflow.storage.db import Database

GRANTS = {"everyone": ["create", "read_own"], "role:finance": ["read_all", "export"]}
FORMULAS = ["=1+2", "+1+1", "-2+3", "@SUM(A1:A2)", "\tx", "\rx", "'=already quoted"]


@pytest.fixture
def claims(make_form: Any, make_user: Any, make_record: Any, database: Database) -> dict[str, int]:
    make_form("claim", CLAIM, title={"zh-CN": "报销", "en": "Claims"}, grants=GRANTS)
    ids = {
        "li.na": make_user("li.na", display_name="李娜"),
        "zhou.min": make_user(
            "zhou.min", display_name="周敏", roles=["finance"], timezone="Europe/Berlin"
        ),
    }
    team = make_department(database, "ops", "运营部")
    make_record(
        "li.na",
        "claim",
        {
            "title": "Taxi",
            "amount": Decimal("35.5"),
            "rate": Decimal("0.06"),
            "distance": Decimal("-3.25"),
            "category": "travel",
            "tags": ["urgent", "abroad"],
            "spent_on": "2026-01-31",
            "departs": "2026-01-31T08:00:00Z",
            "billable": True,
            "payee": ids["li.na"],
            "team": team,
            "city": ["广东省", "深圳市"],
        },
    )
    make_record("li.na", "claim", {"title": "Dinner", "amount": Decimal(120)})
    return ids


def _export(browser: Any, file_format: str, query: str = "") -> Any:
    return browser.get(f"/forms/claim/export?format={file_format}{query}")


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_exporting_needs_the_export_grant(
    claims: dict[str, int], browser_for: Any, file_format: str
) -> None:
    refused = _export(browser_for("li.na"), file_format)
    assert refused.status_code == 403
    assert "You are not allowed to export records of the form claim." in text_of(refused)
    assert _export(browser_for("zhou.min"), file_format).status_code == 200


def test_an_export_is_a_download_of_the_current_view(
    claims: dict[str, int], browser_for: Any
) -> None:
    answer = _export(
        browser_for("zhou.min"), "csv", "&col=title&col=amount&sort=amount&filter=amount+>+1"
    )
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert answer.headers["Content-Disposition"].startswith('attachment; filename="Claims-')
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert csv_rows(answer.get_data()) == [
        ["Title", "Amount"],
        ["Taxi", "35.50"],
        ["Dinner", "120.00"],
    ]
    xlsx = _export(browser_for("zhou.min"), "xlsx", "&col=title&sort=-amount")
    assert xlsx.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert xlsx_rows(xlsx.get_data()) == [["Title"], ["Dinner"], ["Taxi"]]


def test_values_are_written_for_people_in_their_language_and_time_zone(
    claims: dict[str, int], browser_for: Any
) -> None:
    columns = "".join(
        f"&col={name}"
        for name in (
            "rate",
            "category",
            "tags",
            "spent_on",
            "departs",
            "billable",
            "payee",
            "team",
            "city",
            "@owner",
        )
    )
    reader = browser_for("zhou.min", language="zh-CN")
    rows = csv_rows(
        _export(reader, "csv", columns + "&filter=" + quote("title = 'Taxi'")).get_data()
    )
    assert rows == [
        ["税率", "类别", "标签", "日期", "出发", "可计费", "收款人", "部门", "城市", "申请人"],
        [
            "6%",
            "差旅",
            "加急、境外",
            "2026-01-31",
            "2026-01-31 09:00",
            "是",
            "李娜",
            "运营部",
            "广东省/深圳市",
            "李娜",
        ],
    ]


@pytest.mark.parametrize("text", FORMULAS)
def test_cells_a_spreadsheet_would_run_are_kept_as_text(
    make_form: Any, make_record: Any, make_user: Any, browser_for: Any, text: str
) -> None:
    make_form("claim", CLAIM, title="Claims", grants={"everyone": ["create", "read_own", "export"]})
    make_user("li.na")
    make_record("li.na", "claim", {"title": text, "amount": Decimal(1), "distance": Decimal("-7")})
    browser = browser_for("li.na")
    query = "&col=title&col=distance"
    (_heading, (title, distance)) = csv_rows(_export(browser, "csv", query).get_data())
    assert title == "'" + text
    assert distance == "-7", "a negative number is a value, not a formula"
    content = _export(browser, "xlsx", query).get_data()
    # XML keeps a carriage return as a line feed; the protecting apostrophe stays either way.
    assert xlsx_rows(content)[1] == ["'" + text.replace("\r", "\n"), -7]
    types = xlsx_types(content)
    assert types[1] == ["s", "n"]
    assert all(kind != "f" for row in types for kind in row)


def test_headings_a_spreadsheet_would_run_are_kept_as_text(
    make_form: Any, make_record: Any, make_user: Any, browser_for: Any
) -> None:
    schema = {
        "type": "object",
        "properties": {
            "title": {"type": "string", "x-label": '=HYPERLINK("http://evil.test","x")'}
        },
    }
    make_form(
        "claim", schema, title="Claims", grants={"everyone": ["create", "read_own", "export"]}
    )
    make_user("li.na")
    make_record("li.na", "claim", {"title": "fine"})
    browser = browser_for("li.na")
    assert csv_rows(_export(browser, "csv", "&col=title").get_data())[0] == [
        '\'=HYPERLINK("http://evil.test","x")'
    ]
    book = load_workbook(io.BytesIO(_export(browser, "xlsx", "&col=title").get_data()))
    cell = book.worksheets[0]["A1"]
    assert cell.data_type == "s" and cell.value.startswith("'=")


def _requests_under(database: Database, make_form: Any, make_user: Any, flow: str) -> None:
    """The company's people, the request form anyone may export, and ``flow`` on it."""
    make_company(database, make_user)
    make_form(
        "request", REQUEST, title="Requests", grants={"everyone": ["create", "read_own", "export"]}
    )
    publish_flow(database, flow)


def test_an_export_leaves_out_what_the_readers_step_hides(
    make_form: Any, make_user: Any, make_record: Any, database: Database, browser_for: Any
) -> None:
    _requests_under(database, make_form, make_user, REQUEST_FLOW)
    make_record("zhang", "request", {"title": "Taxi", "amount": Decimal(5), "bank_account": "6222"})
    url = "/forms/request/export?format=csv&col=title&col=bank_account"
    assert csv_rows(browser_for("li").get(url).get_data())[1] == ["Taxi", ""]
    assert csv_rows(browser_for("zhang").get(url).get_data())[1] == ["Taxi", "6222"]
    assert csv_rows(browser_for("stranger").get(url).get_data()) == [["Purpose", "Bank account"]]


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ("format=pdf", 400, "Unknown export format"),
        ("format=csv&filter=amout+>+1", 422, "Unknown field `amout`"),
        ("format=csv&sort=payee", 400, "cannot be sorted by payee"),
    ],
)
def test_a_bad_export_request_is_refused_with_the_reason(
    claims: dict[str, int], browser_for: Any, query: str, status: int, words: str
) -> None:
    answer = browser_for("zhou.min").get(f"/forms/claim/export?{query}")
    assert answer.status_code == status
    assert answer.mimetype == "text/html" and words in text_of(answer)


def test_a_table_column_the_readers_step_hides_is_exported_empty(
    make_form: Any, make_user: Any, make_record: Any, database: Database, browser_for: Any
) -> None:
    _requests_under(
        database,
        make_form,
        make_user,
        REQUEST_FLOW.replace("hide bank_account", "hide lines.checked"),
    )
    lines = [{"item": "Taxi", "checked": "ok"}, {"item": "Hotel", "checked": "no receipt"}]
    make_record("zhang", "request", {"title": "Trip", "amount": Decimal(5), "lines": lines})
    url = "/forms/request/export?format=csv&col=title&col=lines"
    assert csv_rows(browser_for("li").get(url).get_data()) == [
        ["Purpose", "Lines.Item", "Lines.Checked"],
        ["Trip", "Taxi", ""],
        ["", "Hotel", ""],
    ]
    assert csv_rows(browser_for("zhang").get(url).get_data())[1:] == [
        ["Trip", "Taxi", "ok"],
        ["", "Hotel", "no receipt"],
    ]
