"""Logging in and out through the pages: CSRF, throttling, sessions, safe redirects."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from pagekit import PASSWORD, PageBrowser, csrf_of, text_of

from formflow.services import org
from formflow.storage.db import Database


def test_a_user_logs_in_and_lands_where_they_wanted_to_go(
    browser: PageBrowser, make_user: Any
) -> None:
    make_user("li.na", display_name="Li Na")
    response = browser.login("li.na", next_url="/profile")
    assert response.status_code == 303
    assert response.headers["Location"] == "/profile"
    assert "Li Na" in text_of(browser.get("/profile"))


def test_the_login_takes_an_email_address_too(browser: PageBrowser, make_user: Any) -> None:
    make_user("li.na", email="li.na@example.com")
    assert browser.login("li.na@example.com").status_code == 303
    assert browser.get("/").status_code == 200


def test_logging_in_starts_a_new_session_with_a_new_csrf_token(
    browser: PageBrowser, make_user: Any
) -> None:
    make_user("li.na")
    before = browser.token()
    browser.login("li.na")
    after = browser.token()
    assert before != after


def test_a_wrong_password_shows_the_same_message_as_an_unknown_user(
    browser: PageBrowser, make_user: Any
) -> None:
    make_user("li.na")
    wrong = browser.login("li.na", "not the password")
    unknown = browser.login("nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong username or password." in text_of(wrong)
    assert "Wrong username or password." in text_of(unknown)
    assert 'value="li.na"' in text_of(wrong)  # the login name is kept, the password is not


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Too many failed logins"), ("zh-CN", "登录失败次数过多")],
)
def test_repeated_failures_lock_the_login_with_a_message_in_the_users_language(
    app: Flask, make_user: Any, language: str, expected: str
) -> None:
    make_user("li.na")
    browser = PageBrowser(app.test_client(), language=language)
    statuses = [browser.login("li.na", f"wrong-{i}").status_code for i in range(5)]
    assert statuses == [401] * 5
    locked = browser.login("li.na", PASSWORD)
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert expected in text_of(locked)
    assert browser.get("/").status_code == 302  # still not logged in


def test_an_empty_login_form_asks_for_both_fields(browser: PageBrowser) -> None:
    response = browser.post("/login", {"login": "", "password": ""})
    assert response.status_code == 400
    assert "Enter your username (or e-mail) and your password." in text_of(response)


def test_a_login_without_the_csrf_token_is_refused(browser: PageBrowser, make_user: Any) -> None:
    make_user("li.na")
    browser.get("/login")
    response = browser.post("/login", {"login": "li.na", "password": PASSWORD}, csrf=False)
    assert response.status_code == 403
    assert response.mimetype == "text/html"
    assert "reload and retry" in text_of(response)
    assert browser.get("/").status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "profile",
    ],
)
def test_after_login_only_local_addresses_are_followed(
    browser: PageBrowser, make_user: Any, target: str
) -> None:
    make_user("li.na")
    response = browser.login("li.na", next_url=target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_logging_out_ends_the_session_on_the_server(browser: PageBrowser, make_user: Any) -> None:
    make_user("li.na")
    browser.login("li.na")
    cookie = browser.client.get_cookie("formflow_session")
    assert cookie is not None
    stolen = cookie.value
    response = browser.post("/logout", {})
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    assert "You are logged out." in text_of(browser.get("/login"))
    # Replaying the old cookie does not bring the session back: it ended in the database.
    replay = browser.client.application.test_client()
    replay.set_cookie("formflow_session", stolen)
    assert replay.get("/").status_code == 302


def test_logout_without_the_csrf_token_is_refused(browser_for: Any) -> None:
    browser = browser_for("li.na")
    response = browser.post("/logout", {}, csrf=False)
    assert response.status_code == 403
    assert browser.get("/").status_code == 200


def test_the_session_cookie_is_http_only_and_same_site(
    browser: PageBrowser, make_user: Any
) -> None:
    make_user("li.na")
    response = browser.login("li.na")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # the test app does not run behind HTTPS


def test_the_session_cookie_is_secure_when_the_installation_runs_on_https(
    settings: Any, database: Database, make_user: Any
) -> None:
    from dataclasses import replace

    from formflow.web.app import create_app

    app = create_app(replace(settings, secure_cookies=True), database=database)
    make_user("li.na")
    browser = PageBrowser(app.test_client())
    token = csrf_of(text_of(browser.get("/login")))
    response = browser.client.post(
        "/login", data={"login": "li.na", "password": PASSWORD, "csrf_token": token}
    )
    assert "; Secure" in response.headers["Set-Cookie"]


def test_a_logged_in_user_visiting_the_login_page_goes_home(browser_for: Any) -> None:
    browser = browser_for("li.na")
    response = browser.get("/login")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_the_first_login_takes_the_browsers_language_and_later_ones_keep_the_profile(
    app: Flask, make_user: Any, database: Database
) -> None:
    make_user("li.na", locale="zh-CN")
    english = PageBrowser(app.test_client(), language="en-US,en;q=0.9")
    english.login("li.na")
    assert '<html lang="en">' in text_of(english.get("/"))
    chinese = PageBrowser(app.test_client(), language="zh-CN")
    chinese.login("li.na")
    assert '<html lang="en">' in text_of(chinese.get("/"))  # the profile decides now
    with database.session() as session:
        assert org.find_user(session, "li.na").locale == "en"
