"""Who may open which page: anonymous visitors log in first, other people's records do not
exist, state changes need the CSRF token, and errors are pages (the API keeps problems)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pagekit import EXPENSE, PageBrowser, main_of, text_of

PROTECTED = [
    "/",
    "/profile",
    "/notifications",
    "/forms/expense/new",
    "/records/1",
    "/records/1/edit",
    "/records/1/print",
]


@pytest.mark.parametrize("url", PROTECTED)
def test_anonymous_visitors_are_sent_to_the_login_page_and_back(
    browser: PageBrowser, make_form: Any, url: str
) -> None:
    make_form("expense", EXPENSE)
    response = browser.get(url)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/login")
    if url != "/":
        assert "next=" in location


@pytest.mark.parametrize("suffix", ["", "/edit", "/print"])
def test_another_users_record_answers_the_not_found_page(
    browser_for: Any, make_form: Any, make_record: Any, suffix: str
) -> None:
    make_form("expense", EXPENSE)
    owner = browser_for("li.na")
    record_id = make_record("li.na", "expense", {"title": "secret trip", "amount": 5}, draft=True)
    assert owner.get(f"/records/{record_id}{suffix}").status_code == 200
    stranger = browser_for("wang.fang")
    response = stranger.get(f"/records/{record_id}{suffix}")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "secret trip" not in text_of(response)
    missing = stranger.get(f"/records/{record_id + 100}{suffix}")
    assert missing.status_code == 404
    # The same page for a record that exists and one that does not: nothing leaks.
    same = re.sub(r"Record \d+", "Record N", main_of(missing))
    assert re.sub(r"Record \d+", "Record N", main_of(response)) == same


def test_a_reader_with_read_all_sees_the_record_but_may_not_edit_the_draft(
    browser_for: Any, make_form: Any, make_record: Any, make_user: Any
) -> None:
    make_form(
        "expense",
        EXPENSE,
        grants={"everyone": ["create", "read_own"], "role:finance": ["read_all"]},
    )
    browser_for("li.na")
    record_id = make_record("li.na", "expense", {"title": "trip", "amount": 5}, draft=True)
    make_user("zhou.min", roles=["finance"])
    finance = browser_for("zhou.min")
    assert finance.get(f"/records/{record_id}").status_code == 200
    assert finance.get(f"/records/{record_id}/edit").status_code == 403


def test_a_form_the_user_may_not_fill_in_answers_forbidden(
    browser_for: Any, make_form: Any
) -> None:
    make_form("expense", EXPENSE, grants={"role:finance": ["create", "read_own"]})
    response = browser_for("li.na").get("/forms/expense/new")
    assert response.status_code == 403
    assert "You are not allowed to create records of the form expense." in text_of(response)


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/logout", {}),
        ("/profile", {"display_name": "X", "locale": "en", "timezone": "UTC"}),
        ("/profile/password", {"current_password": "x", "new_password": "y" * 9}),
        ("/language", {"lang": "zh-CN"}),
        ("/notifications/read", {}),
    ],
)
def test_every_state_changing_page_refuses_a_post_without_the_csrf_token(
    browser_for: Any, url: str, data: dict[str, str]
) -> None:
    browser = browser_for("li.na")
    refused = browser.post(url, data, csrf=False)
    assert refused.status_code == 403
    assert "The page has expired" in text_of(refused)
    forged = browser.post(url, {**data, "csrf_token": "forged"}, csrf=False)
    assert forged.status_code == 403


def test_the_api_refuses_a_cookie_request_without_the_csrf_header(
    browser_for: Any, make_form: Any
) -> None:
    make_form("expense", EXPENSE)
    browser = browser_for("li.na")
    response = browser.client.post(
        "/api/forms/expense/records",
        data='{"data": {"title": "t", "amount": 1}}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    ok = browser.api("POST", "/api/forms/expense/records", '{"data": {"title": "t", "amount": 1}}')
    assert ok.status_code == 201


@pytest.mark.parametrize(("language", "title"), [("en", "Page not found"), ("zh-CN", "页面不存在")])
def test_an_unknown_address_is_an_html_page_in_the_readers_language(
    browser_for: Any, language: str, title: str
) -> None:
    browser = browser_for("li.na", language=language)
    response = browser.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert title in text_of(response)
    assert "Traceback" not in text_of(response)


def test_api_errors_stay_problem_documents(browser: PageBrowser) -> None:
    response = browser.get("/api/no/such/thing")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    unauthenticated = browser.get("/api/me")
    assert unauthenticated.status_code == 401
    assert unauthenticated.mimetype == "application/problem+json"


def test_a_crash_in_a_page_shows_a_page_without_a_traceback(
    browser_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser = browser_for("li.na")
    from formflow.web.pages import home

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(home, "build_apps", broken)
    response = browser.get("/")
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    body = text_of(response)
    assert "nothing was saved" in body
    assert "secret internals" not in body
    assert "Traceback" not in body


def test_a_wrong_method_on_a_page_is_an_html_page(browser: PageBrowser) -> None:
    response = browser.client.delete("/login")
    assert response.status_code == 405
    assert response.mimetype == "text/html"
    assert "GET" in response.headers["Allow"]


def test_pages_carry_a_content_security_policy_without_inline_scripts(
    browser: PageBrowser,
) -> None:
    response = browser.get("/login")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    body = text_of(response)
    assert " style=" not in body
    assert "<script>" not in body
    assert " onclick=" not in body


def test_pages_with_personal_data_are_not_cached(browser_for: Any) -> None:
    browser = browser_for("li.na")
    assert browser.get("/").headers["Cache-Control"] == "no-store"
    assert browser.get("/profile").headers["Cache-Control"] == "no-store"
