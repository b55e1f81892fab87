"""The record list of a form: who sees which records, columns, sorting, filters with their
problems at the right place, pages, saved views, escaping, and the fields a reader may see."""

from __future__ import annotations

import html
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from listkit import CLAIM, REQUEST, REQUEST_FLOW, found, make_company, publish_flow
from markupsafe import escape
from pagekit import main_of, text_of

from formflow.storage.db import Database

GRANTS = {"everyone": ["create", "read_own"], "role:finance": ["read_all", "export"]}


@pytest.fixture
def claims(make_form: Any, make_record: Any, make_user: Any) -> dict[str, int]:
    make_form("claim", CLAIM, title={"zh-CN": "报销", "en": "Claims"}, grants=GRANTS)
    make_user("li.na", display_name="李娜")
    make_user("wang.fang", display_name="王芳")
    make_user("zhou.min", display_name="周敏", roles=["finance"])
    ids = {}
    for owner, title, amount, category in [
        ("li.na", "Taxi", "35.50", "travel"),
        ("li.na", "Dinner", "120.00", "meal"),
        ("wang.fang", "Hotel", "480.00", "travel"),
    ]:
        ids[title] = make_record(
            owner, "claim", {"title": title, "amount": Decimal(amount), "category": category}
        )
    return ids


def _rows(response: Any) -> list[str]:
    """The titles of the records in the list, in order (the cells of the Title column)."""
    return re.findall(r'<td data-label="Title">(.*?)</td>', main_of(response), re.S)


def _link(response: Any, rel: str) -> str:
    found = re.search(rf'href="([^"]+)" rel="{rel}"', main_of(response))
    assert found is not None, f"no {rel} link"
    return html.unescape(found.group(1))


def test_a_list_shows_only_the_records_the_reader_may_see(
    claims: dict[str, int], browser_for: Any
) -> None:
    mine = browser_for("li.na").get("/forms/claim/records")
    assert mine.status_code == 200
    assert sorted(_rows(mine)) == ["Dinner", "Taxi"]
    assert "Records 1–2 of 2" in main_of(mine)
    everyone = browser_for("zhou.min").get("/forms/claim/records")
    assert sorted(_rows(everyone)) == ["Dinner", "Hotel", "Taxi"]
    assert f'href="/records/{claims["Hotel"]}"' in main_of(everyone)


def test_menu_entries_of_lists_and_the_inbox_lead_to_pages_that_exist(app: Any) -> None:
    from formflow.web.pages.apps import is_routable

    with app.test_request_context():
        assert is_routable("/forms/claim/records")
        assert is_routable("/inbox?form=claim")
        assert not is_routable("/forms/claim/nothing-here")


def test_columns_are_chosen_and_kept_in_the_address(
    claims: dict[str, int], browser_for: Any
) -> None:
    page = browser_for("zhou.min").get("/forms/claim/records?col=amount&col=title&col=@owner")
    body = main_of(page)
    headings = [
        h.strip() for h in re.findall(r"<th scope=\"col\"[^>]*>\s*(?:<a[^>]*>)?([^<]+)", body)
    ]
    assert headings[:3] == ["Amount", "Title", "Applicant"]
    assert '<td data-label="Applicant">王芳</td>' in body
    assert 'name="col" value="amount" checked' in body
    assert 'name="col" value="category">' in body
    assert "col=amount&amp;col=title&amp;col=%40owner" in body  # sorting keeps the columns


@pytest.mark.parametrize(
    ("sort", "expected", "aria"),
    [
        ("amount", ["Taxi", "Dinner", "Hotel"], "ascending"),
        ("-amount", ["Hotel", "Dinner", "Taxi"], "descending"),
        ("title", ["Dinner", "Hotel", "Taxi"], "ascending"),
    ],
)
def test_clicking_a_column_heading_sorts_by_it(
    claims: dict[str, int], browser_for: Any, sort: str, expected: list[str], aria: str
) -> None:
    reader = browser_for("zhou.min")
    page = reader.get(f"/forms/claim/records?col=title&col=amount&sort={sort}")
    assert _rows(page) == expected
    column = sort.lstrip("-")
    title = {"title": "Title", "amount": "Amount"}[column]
    heading = re.search(
        rf'<th scope="col" aria-sort="(\w+)"[^>]*>\s*<a href="([^"]+)"[^>]*>{title}', main_of(page)
    )
    assert heading is not None and heading.group(1) == aria
    flipped = reader.get(html.unescape(heading.group(2)))
    assert _rows(flipped) == list(reversed(expected))


def test_a_filter_selects_the_records(claims: dict[str, int], browser_for: Any) -> None:
    page = browser_for("zhou.min").get(
        "/forms/claim/records?col=title&filter=amount+%3E+100+and+category+%3D+%27travel%27"
    )
    assert page.status_code == 200
    assert _rows(page) == ["Hotel"]
    config = json.loads(html.unescape(found(r'id="builder-config">(.*?)</script>', text_of(page))))
    assert config["rows"] == {
        "join": "and",
        "rows": [
            {"field": "amount", "op": "gt", "value": "100"},
            {"field": "category", "op": "eq", "value": "travel"},
        ],
    }


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("amout > 100", 1, 1, "Unknown field `amout`"),
        ("amount >", 1, 9, "ends too early"),
        ("title = 'a' and\n  amount > 'x'", 2, 3, ""),
    ],
)
def test_a_filter_problem_is_shown_at_its_line_and_column(
    claims: dict[str, int], browser_for: Any, text: str, line: int, column: int, words: str
) -> None:
    from urllib.parse import quote

    page = browser_for("li.na").get(f"/forms/claim/records?filter={quote(text)}")
    assert page.status_code == 422
    body = main_of(page)
    assert f'data-line="{line}" data-column="{column}"' in body
    assert f"Line {line}, column {column}:" in body
    assert words in body
    assert 'aria-invalid="true"' in body and 'role="alert"' in body
    assert f">{escape(text)}</textarea>" in body, "the text stays editable"
    assert '<pre class="excerpt"' in body and "^" in body


def test_a_filter_written_by_hand_is_not_forced_into_the_builder(
    claims: dict[str, int], browser_for: Any
) -> None:
    page = browser_for("li.na").get("/forms/claim/records?filter=len(title)+%3E+4")
    assert _rows(page) == ["Dinner"]
    assert '"rows": null' in text_of(page)


def test_pages_go_forward_and_back_with_the_total(
    make_form: Any, make_record: Any, browser_for: Any
) -> None:
    make_form("claim", CLAIM, title="Claims")
    browser = browser_for("li.na")
    for number in range(30):
        make_record("li.na", "claim", {"title": f"Claim {number:02d}", "amount": Decimal(number)})
    first = browser.get("/forms/claim/records?sort=title")
    assert _rows(first)[0] == "Claim 00" and len(_rows(first)) == 25
    assert "Records 1–25 of 30" in main_of(first)
    second = browser.get(_link(first, "next"))
    assert _rows(second) == [f"Claim {n}" for n in range(25, 30)]
    assert "Records 26–30 of 30" in main_of(second)
    assert 'rel="next"' not in main_of(second)
    assert _rows(browser.get(_link(second, "prev")))[0] == "Claim 00"


def test_a_view_is_saved_opened_and_deleted(claims: dict[str, int], browser_for: Any) -> None:
    reader = browser_for("zhou.min")
    saved = reader.post(
        "/forms/claim/records/views",
        {
            "name": "  Big   travel ",
            "col": ["title", "amount"],
            "filter": "amount > 100 and category = 'travel'",
            "sort": "-amount",
        },
    )
    assert saved.status_code == 303
    assert saved.headers["Location"] == "/forms/claim/records?view=Big+travel"
    page = reader.get("/forms/claim/records?view=Big+travel")
    assert _rows(page) == ["Hotel"]
    assert 'aria-current="page">Big travel</a>' in main_of(page)
    assert "The view “Big travel” is saved." in text_of(page)
    changed = reader.get("/forms/claim/records?view=Big+travel&filter=")
    assert sorted(_rows(changed)) == ["Dinner", "Hotel", "Taxi"]
    assert "This view is changed" in main_of(changed)
    assert "Big travel" not in main_of(browser_for("li.na").get("/forms/claim/records"))
    deleted = reader.post("/forms/claim/records/views/delete", {"name": "Big travel"})
    assert deleted.status_code == 303
    assert ">Big travel</a>" not in main_of(reader.get("/forms/claim/records"))


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("", "", "Give the view a name"),
        ("Broken", "amout > 1", "Unknown field `amout`"),
    ],
)
def test_a_view_that_would_not_open_is_not_saved(
    claims: dict[str, int], browser_for: Any, name: str, text: str, problem: str
) -> None:
    reader = browser_for("zhou.min")
    answer = reader.post(
        "/forms/claim/records/views", {"name": name, "filter": text, "sort": "-id"}
    )
    assert answer.status_code == 303
    page = reader.get(answer.headers["Location"])
    assert problem in text_of(page)
    assert "view=" not in answer.headers["Location"]


def test_labels_and_values_are_shown_as_text(
    make_form: Any, make_record: Any, browser_for: Any
) -> None:
    evil = "<img src=x onerror=alert(1)>"
    schema = json.loads(json.dumps(CLAIM))
    schema["properties"]["title"]["x-label"] = {"en": f"{evil}Title", "zh-CN": evil}
    schema["properties"]["category"]["x-options"][0]["label"] = {"en": evil, "zh-CN": evil}
    make_form("claim", schema, title={"en": "<script>alert(2)</script>", "zh-CN": "x"})
    browser = browser_for("li.na")
    make_record("li.na", "claim", {"title": evil, "amount": Decimal(1), "category": "travel"})
    page = text_of(
        browser.get("/forms/claim/records?col=title&col=category&filter=title+!%3D+%27%3Cb%3E%27")
    )
    assert evil not in page and "<script>alert(2)" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page


def test_a_participant_sees_the_list_without_the_fields_their_step_hides(
    make_form: Any, make_record: Any, make_user: Any, database: Database, browser_for: Any
) -> None:
    make_company(database, make_user)
    make_form("request", REQUEST, title="Requests")
    publish_flow(database, REQUEST_FLOW)
    make_record(
        "zhang",
        "request",
        {"title": "Taxi", "amount": Decimal(5), "bank_account": "6222-SECRET"},
    )
    url = "/forms/request/records?col=title&col=bank_account"
    manager = browser_for("li").get(url)
    assert '<td data-label="Purpose">Taxi</td>' in main_of(manager)
    assert "6222-SECRET" not in text_of(manager)
    assert '<td data-label="Bank account"><span class="muted empty-value">' in main_of(manager)
    applicant = browser_for("zhang").get(url)
    assert '<td data-label="Bank account">6222-SECRET</td>' in main_of(applicant)


def test_every_cell_is_labelled_for_the_phone_layout(
    claims: dict[str, int], browser_for: Any
) -> None:
    body = main_of(browser_for("li.na").get("/forms/claim/records"))
    labels = re.findall(r'<td data-label="([^"]+)"', body)
    assert len(labels) == 2 * 7, "two records, seven columns by default"
    for row in (labels[:7], labels[7:]):
        assert row[:3] == ["No.", "Title", "Amount"], "the name, then the required fields"
        assert row[5:] == ["Status", "Last changed"]
    assert 'aria-label="Open Taxi"' in body and 'aria-label="Open Dinner"' in body


def test_the_list_speaks_the_readers_language(claims: dict[str, int], browser_for: Any) -> None:
    body = main_of(
        browser_for("zhou.min", language="zh-CN").get("/forms/claim/records?col=title&col=category")
    )
    assert "标题" in body and "差旅" in body and "全部记录" in body
    assert "第 1–3 条，共 3 条" in body
