"""Who may open the lists, exports, imports, inbox and task pages: visitors log in first, every
change needs the page's CSRF token, forms that do not exist are not found."""

from __future__ import annotations

from typing import Any

import pytest
from listkit import CLAIM
from pagekit import PageBrowser, text_of

PAGES = [
    "/inbox",
    "/inbox?tab=done",
    "/tasks/1",
    "/forms/claim/records",
    "/forms/claim/export?format=csv",
    "/forms/claim/import",
    "/forms/claim/import/template",
]
CHANGES = [
    "/inbox/approve",
    "/tasks/1/approve",
    "/requests/1/withdraw",
    "/forms/claim/records/views",
    "/forms/claim/records/views/delete",
    "/forms/claim/import",
    "/forms/claim/import/check",
    "/forms/claim/import/commit",
]


@pytest.mark.parametrize("url", PAGES)
def test_visitors_log_in_before_they_see_a_list_or_an_inbox(
    browser: PageBrowser, make_form: Any, url: str
) -> None:
    make_form("claim", CLAIM)
    answer = browser.get(url)
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("url", CHANGES)
def test_every_change_needs_the_pages_csrf_token(
    browser_for: Any, make_form: Any, url: str
) -> None:
    make_form("claim", CLAIM)
    answer = browser_for("li.na").post(url, {"name": "x", "upload": "1"}, csrf=False)
    assert answer.status_code == 403
    assert "The page has expired" in text_of(answer)


@pytest.mark.parametrize(
    "url", ["/forms/nothing/records", "/forms/nothing/import", "/forms/nothing/export?format=csv"]
)
def test_the_pages_of_a_form_that_does_not_exist_are_not_found(browser_for: Any, url: str) -> None:
    answer = browser_for("li.na").get(url)
    assert answer.status_code == 404
    assert "Form nothing not found." in text_of(answer)
