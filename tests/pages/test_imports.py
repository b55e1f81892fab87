"""Importing from a spreadsheet: the template, a dry run that names every bad row and column,
all or nothing, the round trip from an export, progress while it runs, and who may import."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from listkit import (
    CLAIM,
    csv_rows,
    make_csv,
    make_department,
    make_xlsx,
    xlsx_rows,
)
from pagekit import PageBrowser, main_of, text_of

from formflow.services import org, record_lists
from formflow.services.auth import actor_for
from formflow.storage.db import Database

GRANTS = {"everyone": ["create", "read_own", "export"]}
HEADINGS = ["Title", "Amount", "Category", "Spent on"]


@pytest.fixture
def claim_form(make_form: Any, make_user: Any) -> None:
    make_form("claim", CLAIM, title={"zh-CN": "报销", "en": "Claims"}, grants=GRANTS)
    make_user("li.na", display_name="李娜")


def _stored(
    database: Database, username: str = "li.na", form: str = "claim"
) -> list[dict[str, Any]]:
    with database.session() as session:
        actor = actor_for(session, org.find_user(session, username))
        page = record_lists.list_records(session, actor, form, sort="id", limit=500)
        return [dict(record.data) for record in page.items]


def _upload(browser: PageBrowser, content: bytes, name: str, form: str = "claim") -> Any:
    return browser.client.post(
        f"/forms/{form}/import",
        data={"csrf_token": browser.token(), "file": (io.BytesIO(content), name)},
        headers={"Accept-Language": browser.language},
    )


def _upload_id(response: Any) -> str:
    found = re.search(r'name="upload" value="(\d+)"', text_of(response))
    assert found is not None, "the report offers no import"
    return found.group(1)


def _problems(response: Any) -> list[tuple[int, str, str]]:
    """(row, column letter, message) of every problem the report lists."""
    body = main_of(response)
    found = re.findall(
        r'<tr data-row="(\d+)" data-column="([A-Z]*)">\s*<td[^>]*>.*?</td>\s*<td[^>]*>.*?</td>'
        r"\s*<td[^>]*>(.*?)</td>",
        body,
        re.S,
    )
    return [(int(row), letter, message.strip()) for row, letter, message in found]


def _commit(browser: PageBrowser, upload: str, *, stream: bool = False, form: str = "claim") -> Any:
    headers = {"Accept-Language": browser.language}
    if stream:
        headers["Accept"] = "application/x-ndjson"
    return browser.client.post(
        f"/forms/{form}/import/commit",
        data={"csrf_token": browser.token(), "upload": upload},
        headers=headers,
    )


def test_the_template_has_the_forms_labels_and_a_sheet_of_choices(
    claim_form: None, browser_for: Any
) -> None:
    answer = browser_for("li.na", language="zh-CN").get("/forms/claim/import/template")
    assert answer.status_code == 200
    assert "attachment;" in answer.headers["Content-Disposition"]
    content = answer.get_data()
    headings = xlsx_rows(content)[0]
    assert headings[:2] == ["标题", "金额"], "the name, then the required fields"
    assert {"税率", "晚数", "类别", "收款人", "城市"} <= set(headings)
    assert "两倍" not in headings and "单号" not in headings, "computed fields are not entered"
    choices = xlsx_rows(content, sheet=1)
    assert sorted(choices[0]) == sorted(["类别", "标签", "可计费"])
    column = {heading: index for index, heading in enumerate(choices[0])}
    assert [row[column["类别"]] for row in choices[1:]] == ["差旅", "招待"]
    assert [row[column["可计费"]] for row in choices[1:]] == ["是", "否"]


def test_a_dry_run_names_every_bad_row_and_column_and_stores_nothing(
    claim_form: None, browser_for: Any, database: Database
) -> None:
    content = make_csv(
        [
            HEADINGS,
            ["Taxi", "35.50", "Travel", "2026-01-31"],
            ["Dinner", "lots", "Meals", "2026-01-31"],
            ["", "10", "Lodging", "31.01.2026x"],
        ]
    )
    answer = _upload(browser_for("li.na"), content, "claims.csv")
    assert answer.status_code == 422
    assert _problems(answer) == [
        (3, "B", "“lots” is not a number."),
        (4, "C", "“Lodging” is not one of the choices: Travel, Meals."),
        (4, "D", "“31.01.2026x” is not a date; write it as 2026-01-31."),
    ]
    assert "claims.csv: 3 problem(s) in 2 row(s)" in main_of(answer)
    assert 'name="upload"' not in main_of(answer), "nothing to import while rows are wrong"
    assert _stored(database) == []


def test_problems_of_the_form_rules_are_named_at_their_cell(
    claim_form: None, browser_for: Any, database: Database
) -> None:
    content = make_csv([[*HEADINGS, "Nights"], ["", "5", "Travel", "", "-1"]])
    answer = _upload(browser_for("li.na"), content, "claims.csv")
    problems = _problems(answer)
    assert [(row, letter) for row, letter, _message in problems] == [(2, "A"), (2, "E")]
    assert "Title" in problems[0][2] and "required" in problems[0][2]


def test_a_dry_run_speaks_the_readers_language(claim_form: None, browser_for: Any) -> None:
    content = make_csv([["标题", "金额"], ["出租车", "很多"]])
    answer = _upload(browser_for("li.na", language="zh-CN"), content, "报销.csv")
    assert _problems(answer) == [(2, "B", "“很多”不是数字。")]


@pytest.mark.parametrize(
    ("headings", "row", "problem"),
    [
        (["Title", "Amout"], ["Taxi", "1"], (1, "B", "No field of this form is called “Amout”")),
        (
            ["Title", "Amount", "amount"],
            ["Taxi", "1", "1"],
            (1, "C", "Column B is already read into this field"),
        ),
        (["Amount"], ["1"], (1, "", "The required column “Title” is missing; add it.")),
    ],
)
def test_columns_that_match_no_field_are_problems_of_the_heading_row(
    claim_form: None,
    browser_for: Any,
    headings: list[str],
    row: list[str],
    problem: tuple[int, str, str],
) -> None:
    answer = _upload(browser_for("li.na"), make_csv([headings, row]), "claims.csv")
    found = _problems(answer)
    assert found and found[0][:2] == problem[:2] and problem[2] in found[0][2]
    assert all(row_number == 1 for row_number, _letter, _message in found)


def _attach(browser: PageBrowser, content: bytes, name: str) -> str:
    """Upload a file as the page's script does (no dry run); its attachment id."""
    answer = browser.client.post(
        "/api/attachments",
        data={"file": (io.BytesIO(content), name)},
        headers={"X-CSRF-Token": browser.token()},
    )
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return str(answer.get_json()["id"])


def test_one_bad_row_stops_the_whole_import(
    claim_form: None, browser_for: Any, database: Database
) -> None:
    browser = browser_for("li.na")
    bad = make_csv(
        [
            HEADINGS,
            ["Taxi", "35.50", "Travel", ""],
            ["Hotel", "x", "Travel", ""],
            ["Bus", "2", "", ""],
        ]
    )
    # Committed without a dry run first: the commit checks every row again and stores nothing.
    answer = _commit(browser, _attach(browser, bad, "bad.csv"))
    assert answer.status_code == 422
    assert "Nothing was imported." in main_of(answer)
    assert _problems(answer) == [(3, "B", "“x” is not a number.")]
    assert _stored(database) == []
    good = make_csv([HEADINGS, ["Taxi", "35.50", "Travel", ""]])
    assert _commit(browser, _attach(browser, good, "good.csv")).status_code == 303
    assert [row["title"] for row in _stored(database)] == ["Taxi"]


def test_a_row_that_fails_while_saving_undoes_the_rows_before_it(
    make_form: Any, make_user: Any, browser_for: Any, database: Database
) -> None:
    schema = json.loads(json.dumps(CLAIM))
    schema["properties"]["mail"]["x-unique"] = True
    make_form("claim", schema, title="Claims", grants=GRANTS)
    make_user("li.na")
    browser = browser_for("li.na")
    content = make_csv(
        [
            ["Title", "Amount", "E-mail"],
            ["One", "1", "a@example.com"],
            ["Two", "2", "b@example.com"],
            ["Three", "3", "a@example.com"],
        ]
    )
    upload = _upload_id(_upload(browser, content, "claims.csv"))
    answer = _commit(browser, upload)
    assert answer.status_code == 422
    assert [(row, letter) for row, letter, _m in _problems(answer)] == [(4, "C")]
    assert "Another record already has this value" in main_of(answer)
    assert _stored(database) == []


def _full_export(browser: PageBrowser, file_format: str) -> bytes:
    columns = "".join(f"&col={name}" for name in CLAIM["properties"])
    answer = browser.get(
        f"/forms/claim/export?format={file_format}&sort=id{columns}&col=@id&col=@status"
    )
    assert answer.status_code == 200
    return bytes(answer.get_data())


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_imported_again_gives_the_same_records(
    claim_form: None,
    make_user: Any,
    make_record: Any,
    browser_for: Any,
    database: Database,
    file_format: str,
) -> None:
    payee = make_user("pat", display_name="Pat Lee")
    team = make_department(database, "ops", "Operations")
    originals = [
        {
            "title": "=cmd|' /C calc'!A0",
            "amount": Decimal("12.50"),
            "rate": Decimal("0.125"),
            "nights": 2,
            "distance": Decimal("-3.5"),
            "category": "meal",
            "tags": ["urgent", "abroad"],
            "spent_on": "2026-01-31",
            "departs": "2026-01-31T08:00:00Z",
            "meets": "09:30",
            "billable": True,
            "payee": payee,
            "team": team,
            "city": ["广东省", "深圳市", "南山区"],
            "mail": "a@b.cn",
            "note": 'two\nlines, with "quotes"',
        },
        {"title": "@home", "amount": Decimal("0.10"), "billable": False, "tags": ["abroad"]},
        {"title": "Plain", "amount": Decimal("123456789.99")},
    ]
    for data in originals:
        make_record("li.na", "claim", data)
    browser = browser_for("li.na")
    before = _stored(database)
    content = _full_export(browser, file_format)
    checked = _upload(browser, content, f"claims.{file_format}")
    assert checked.status_code == 200, _problems(checked)
    assert "These columns are skipped: Double, Code, No., Status" in main_of(checked)
    assert _commit(browser, _upload_id(checked)).status_code == 303
    after = _stored(database)
    assert len(after) == 6
    imported = after[3:]
    for old, new in zip(before, imported, strict=True):
        assert {k: v for k, v in new.items() if k != "code"} == {
            k: v for k, v in old.items() if k != "code"
        }
        assert new["code"] != old["code"], "serial numbers are given anew"
    again = _full_export(browser, file_format)
    if file_format == "csv":
        assert csv_rows(again)[4][:16] == csv_rows(content)[1][:16]


def test_the_commit_reports_its_progress_line_by_line(
    claim_form: None, browser_for: Any, database: Database
) -> None:
    browser = browser_for("li.na")
    rows = [["Title", "Amount"], *[[f"Claim {n}", str(n)] for n in range(5)]]
    upload = _upload_id(_upload(browser, make_xlsx(rows), "claims.xlsx"))
    answer = _commit(browser, upload, stream=True)
    assert answer.status_code == 200
    assert answer.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in answer.get_data(as_text=True).splitlines()]
    phases = [(line["phase"], line["done"], line["total"]) for line in lines[:-1]]
    assert phases[0] == ("check", 0, 5) and ("save", 5, 5) in phases
    assert [p for p, _d, _t in phases] == sorted(
        (p for p, _d, _t in phases), key=["check", "save"].index
    )
    assert lines[-1]["result"] == "report" and lines[-1]["ok"] is True
    assert lines[-1]["created"] == 5 and lines[-1]["url"] == "/forms/claim/records?imported=5"
    assert len(_stored(database)) == 5
    assert "5 record(s) imported." in main_of(browser.get(lines[-1]["url"]))


def test_a_streamed_dry_run_ends_with_its_report(claim_form: None, browser_for: Any) -> None:
    browser = browser_for("li.na")
    upload = _upload_id(_upload(browser, make_csv([["Title", "Amount"], ["Taxi", "1"]]), "a.csv"))
    answer = browser.client.post(
        "/forms/claim/import/check",
        data={"csrf_token": browser.token(), "upload": upload},
        headers={"Accept": "application/x-ndjson"},
    )
    final = json.loads(answer.get_data(as_text=True).splitlines()[-1])
    assert final["ok"] is True and final["created"] == 0
    assert "Import 1 record(s)" in final["html"] and 'name="upload"' in final["html"]


@pytest.mark.parametrize(
    ("content", "name"),
    [
        ("标题;金额\r\n出租车;35.5\r\n".encode(), "semicolons.csv"),
        ("\ufeffTitle\tAmount\r\nTaxi\t35.5\r\n".encode(), "tabs.csv"),
    ],
)
def test_csv_files_from_spreadsheet_programs_are_read(
    claim_form: None, browser_for: Any, content: bytes, name: str
) -> None:
    answer = _upload(browser_for("li.na"), content, name)
    assert answer.status_code == 200, _problems(answer)
    assert "1 row(s), no problems" in main_of(answer)


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ("Nobody Here", "Nobody called “Nobody Here” was found."),
        ("Twin", "Several people are called “Twin”; write the login name in brackets"),
    ],
)
def test_people_are_found_by_name_and_namesakes_are_asked_to_be_told_apart(
    claim_form: None, make_user: Any, browser_for: Any, cell: str, problem: str
) -> None:
    make_user("twin.a", display_name="Twin")
    make_user("twin.b", display_name="Twin")
    content = make_csv(
        [["Title", "Amount", "Payee"], ["Taxi", "1", cell], ["Bus", "1", "Twin (twin.b)"]]
    )
    found = _problems(_upload(browser_for("li.na"), content, "claims.csv"))
    assert [(row, letter) for row, letter, _m in found] == [(2, "C")]
    assert found[0][2].startswith(problem)


def test_a_file_that_is_no_spreadsheet_is_refused(claim_form: None, browser_for: Any) -> None:
    answer = _upload(browser_for("li.na"), b"%PDF-1.4 not a sheet", "claims.pdf")
    assert answer.status_code == 400
    assert "claims.pdf is not a spreadsheet" in text_of(answer)


def test_a_damaged_workbook_is_refused_with_what_to_do(claim_form: None, browser_for: Any) -> None:
    answer = _upload(browser_for("li.na"), b"PK\x03\x04 broken zip", "claims.xlsx")
    assert answer.status_code == 400
    assert "could not be read as an .xlsx workbook" in text_of(answer)


def test_a_cell_outside_the_headed_columns_is_a_problem(claim_form: None, browser_for: Any) -> None:
    content = make_xlsx([["Title", "Amount", None], ["Taxi", 1, "stray"]])
    assert _problems(_upload(browser_for("li.na"), content, "claims.xlsx")) == [
        (
            2,
            "C",
            "This cell is in a column without a heading; give the column a field&#39;s name as its "
            "heading, or empty the cell.",
        )
    ]


def test_an_upload_of_someone_else_cannot_be_imported(
    claim_form: None, make_user: Any, browser_for: Any, database: Database
) -> None:
    owner = browser_for("li.na")
    upload = _upload_id(_upload(owner, make_csv([["Title", "Amount"], ["Taxi", "1"]]), "a.csv"))
    make_user("wang.fang")
    other = browser_for("wang.fang")
    assert _commit(other, upload).status_code == 404
    assert _stored(database) == []


def test_importing_needs_the_create_grant(make_form: Any, make_user: Any, browser_for: Any) -> None:
    make_form("claim", CLAIM, title="Claims", grants={"role:clerk": ["create", "read_own"]})
    make_user("li.na")
    browser = browser_for("li.na")
    for url in ("/forms/claim/import", "/forms/claim/import/template"):
        assert browser.get(url).status_code == 403
    refused = _upload(browser, make_csv([["Title", "Amount"], ["Taxi", "1"]]), "a.csv")
    assert refused.status_code == 403


def test_the_report_shows_what_the_file_says_as_text(claim_form: None, browser_for: Any) -> None:
    evil = "<img src=x onerror=alert(1)>"
    content = make_csv([["Title", "Amount", evil], [evil, evil, ""]])
    answer = _upload(browser_for("li.na"), content, "<b>claims</b>.csv")
    page = text_of(answer)
    assert evil not in page and "<b>claims</b>" not in page
    assert "“&lt;img src=x onerror=alert(1)&gt;” is not a number." in page
    assert "No field of this form is called “&lt;img src=x onerror=alert(1)&gt;”" in page


def test_fields_only_the_flow_fills_in_are_not_in_the_template(
    make_form: Any, make_user: Any, browser_for: Any
) -> None:
    schema = json.loads(json.dumps(CLAIM))
    schema["x-flow-only"] = ["note"]
    make_form("claim", schema, title="Claims", grants=GRANTS)
    make_user("li.na")
    headings = xlsx_rows(browser_for("li.na").get("/forms/claim/import/template").get_data())[0]
    assert "Title" in headings and "Note" not in headings


# -- sub-tables -------------------------------------------------------------------------------

ORDER: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "x-label": {"zh-CN": "标题", "en": "Title"}},
        "customer": {"type": "string", "x-label": {"zh-CN": "客户", "en": "Customer"}},
        "lines": {
            "x-type": "subtable",
            "x-label": {"zh-CN": "明细", "en": "Lines"},
            "minItems": 1,
            "items": {
                "properties": {
                    "item": {"type": "string", "x-label": {"zh-CN": "品名", "en": "Item"}},
                    "qty": {
                        "type": "integer",
                        "minimum": 1,
                        "x-label": {"zh-CN": "数量", "en": "Qty"},
                    },
                    "unit": {
                        "x-type": "select",
                        "x-label": {"zh-CN": "单位", "en": "Unit"},
                        "x-options": [
                            {"value": "pcs", "label": {"zh-CN": "个", "en": "Pieces"}},
                            {"value": "box", "label": {"zh-CN": "箱", "en": "Boxes"}},
                        ],
                    },
                    "total": {
                        "x-type": "money",
                        "x-formula": "qty * 2",
                        "x-label": {"zh-CN": "小计", "en": "Line total"},
                    },
                },
                "required": ["item", "qty"],
            },
        },
    },
    "required": ["title", "lines"],
    "x-display": "title",
}
ORDER_HEADINGS = ["Title", "Customer", "Lines.Item", "Lines.Qty", "Lines.Unit"]


@pytest.fixture
def order_form(make_form: Any, make_user: Any) -> None:
    make_form("order", ORDER, title={"zh-CN": "订单", "en": "Orders"}, grants=GRANTS)
    make_user("li.na", display_name="李娜")


def test_the_template_heads_sub_table_columns_with_the_tables_label(
    order_form: None, browser_for: Any
) -> None:
    content = browser_for("li.na", language="zh-CN").get("/forms/order/import/template")
    headings = xlsx_rows(content.get_data())[0]
    assert headings == ["标题", "客户", "明细.品名", "明细.数量", "明细.单位"]
    choices = xlsx_rows(content.get_data(), sheet=1)
    assert [row[0] for row in choices] == ["明细.单位", "个", "箱"]


def test_rows_below_a_record_fill_its_sub_table(
    order_form: None, browser_for: Any, database: Database
) -> None:
    browser = browser_for("li.na")
    content = make_xlsx(
        [
            ORDER_HEADINGS,
            ["Order A", "ACME", "Bolt", 10, "Boxes"],
            [None, None, "Nut", 20, "Pieces"],
            [None, None, "Washer", 5, None],
            ["Order B", None, "Screw", 1, "box"],
        ]
    )
    checked = _upload(browser, content, "orders.xlsx", form="order")
    assert checked.status_code == 200, main_of(checked)
    assert "orders.xlsx: 4 row(s), no problems" in main_of(checked)
    assert "Import 2 record(s)" in main_of(checked)
    answer = _commit(browser, _upload_id(checked), form="order")
    assert answer.status_code == 303
    stored = _stored(database, form="order")
    assert [(r["title"], r.get("customer")) for r in stored] == [
        ("Order A", "ACME"),
        ("Order B", None),
    ]
    assert [(line["item"], line["qty"], line.get("unit")) for line in stored[0]["lines"]] == [
        ("Bolt", 10, "box"),
        ("Nut", 20, "pcs"),
        ("Washer", 5, None),
    ]
    assert stored[0]["lines"][0]["total"] == Decimal("20")  # formulas run in each row
    assert [line["item"] for line in stored[1]["lines"]] == ["Screw"]


def test_problems_in_sub_table_rows_are_named_at_their_own_row_and_column(
    order_form: None, browser_for: Any, database: Database
) -> None:
    content = make_csv(
        [
            ORDER_HEADINGS,
            ["Order A", "", "Bolt", "10", ""],
            ["", "", "Nut", "many", ""],
            ["", "", "Washer", "0", "Crates"],
            ["Order B", "", "", "", ""],
        ]
    )
    answer = _upload(browser_for("li.na"), content, "orders.csv", form="order")
    assert answer.status_code == 422
    problems = _problems(answer)
    assert problems[:2] == [
        (3, "D", "“many” is not a number."),
        (4, "E", "“Crates” is not one of the choices: Pieces, Boxes."),
    ]
    # Order B has no lines; once the cells read, the form's rules speak at their cells.
    assert [(row, letter) for row, letter, _message in problems[2:]] == [(5, "")]
    assert "Lines" in problems[2][2]
    fixed = make_csv(
        [
            ORDER_HEADINGS,
            ["Order A", "", "Bolt", "10", ""],
            ["", "", "Washer", "0", ""],
        ]
    )
    answer = _upload(browser_for("li.na"), fixed, "orders.csv", form="order")
    assert _problems(answer) == [
        (3, "D", "Lines › row 2 › Qty must be at least 1; 0 is too small.")
    ]
    assert _stored(database, form="order") == []


def test_a_sub_table_read_without_its_required_column_is_a_heading_problem(
    order_form: None, browser_for: Any
) -> None:
    content = make_csv([["Title", "Lines.Item"], ["Order A", "Bolt"]])
    answer = _upload(browser_for("li.na", language="zh-CN"), content, "orders.csv", form="order")
    assert answer.status_code == 422
    assert _problems(answer) == [(1, "", "缺少必填列“明细.数量”，请添加。")]


def test_an_export_of_orders_with_their_lines_imports_as_the_same_orders(
    order_form: None, make_record: Any, browser_for: Any, database: Database
) -> None:
    make_record(
        "li.na",
        "order",
        {
            "title": "Order A",
            "customer": "ACME",
            "lines": [
                {"item": "Bolt", "qty": 10, "unit": "box"},
                {"item": "Nut", "qty": 20},
                {"item": "Washer", "qty": 5, "unit": "pcs"},
            ],
        },
    )
    make_record("li.na", "order", {"title": "Order B", "lines": [{"item": "Screw", "qty": 1}]})
    browser = browser_for("li.na")
    before = _stored(database, form="order")
    exported = browser.get(
        "/forms/order/export?format=xlsx&sort=id&col=title&col=lines&col=customer&col=@id"
    )
    assert exported.status_code == 200
    assert xlsx_rows(exported.get_data()) == [
        ["Title", "Lines.Item", "Lines.Qty", "Lines.Unit", "Lines.Line total", "Customer", "No."],
        ["Order A", "Bolt", 10, "Boxes", 20, "ACME", 1],
        [None, "Nut", 20, None, 40, None, None],
        [None, "Washer", 5, "Pieces", 10, None, None],
        ["Order B", "Screw", 1, None, 2, None, 2],
    ]
    checked = _upload(browser, exported.get_data(), "orders.xlsx", form="order")
    assert checked.status_code == 200, _problems(checked)
    assert "Import 2 record(s)" in main_of(checked)
    assert "These columns are skipped: Lines.Line total, No." in main_of(checked)
    assert _commit(browser, _upload_id(checked), form="order").status_code == 303
    after = _stored(database, form="order")
    assert after[2:] == before


def test_a_csv_export_spreads_a_sub_table_over_rows_in_the_readers_language(
    order_form: None, make_record: Any, browser_for: Any
) -> None:
    make_record("li.na", "order", {"title": "甲", "lines": [{"item": "螺栓", "qty": 2}]})
    make_record("li.na", "order", {"title": "乙", "lines": [{"item": "螺母", "qty": 3}] * 2})
    answer = browser_for("li.na", language="zh-CN").get(
        "/forms/order/export?format=csv&sort=id&col=lines&col=title"
    )
    assert csv_rows(answer.get_data()) == [
        ["明细.品名", "明细.数量", "明细.单位", "明细.小计", "标题"],
        ["螺栓", "2", "", "4.00", "甲"],
        ["螺母", "3", "", "6.00", "乙"],
        ["螺母", "3", "", "6.00", ""],
    ]


def test_the_number_an_export_writes_keeps_an_order_apart_from_the_one_above(
    order_form: None, make_record: Any, browser_for: Any
) -> None:
    """A record's first row is the one with its number: an order whose title was emptied in
    the spreadsheet is reported as missing its title, not read as more lines of the order
    above."""
    make_record("li.na", "order", {"title": "A", "lines": [{"item": "Bolt", "qty": 1}]})
    make_record("li.na", "order", {"title": "B", "lines": [{"item": "Nut", "qty": 2}]})
    browser = browser_for("li.na")
    exported = browser.get("/forms/order/export?format=csv&sort=id&col=@id&col=title&col=lines")
    rows = csv_rows(exported.get_data())
    assert [row[:3] for row in rows] == [
        ["No.", "Title", "Lines.Item"],
        ["1", "A", "Bolt"],
        ["2", "B", "Nut"],
    ]
    rows[2][1] = ""
    checked = _upload(browser, make_csv(rows), "orders.csv", form="order")
    assert checked.status_code == 422
    assert [(row, letter) for row, letter, _message in _problems(checked)] == [(3, "B")]
