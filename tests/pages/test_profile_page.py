"""My profile: name, language, time zone, password — errors shown on the page, in my language."""

from __future__ import annotations

from typing import Any

import pytest
from pagekit import PASSWORD, PageBrowser, main_of, text_of

from formflow.services import org
from formflow.storage.db import Database


def test_the_profile_saves_name_language_and_time_zone(
    browser_for: Any, database: Database
) -> None:
    browser = browser_for("li.na")
    response = browser.post(
        "/profile", {"display_name": "李娜", "locale": "zh-CN", "timezone": "Europe/Berlin"}
    )
    assert response.status_code == 303
    page = text_of(browser.get("/profile"))
    assert "个人资料已保存。" in page
    assert '<html lang="zh-CN">' in page
    assert 'value="Europe/Berlin"' in page
    with database.session() as session:
        user = org.find_user(session, "li.na")
        assert (user.display_name, user.locale, user.timezone) == ("李娜", "zh-CN", "Europe/Berlin")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"display_name": "", "locale": "en", "timezone": "UTC"},
            "The display name may not be empty.",
        ),
        ({"display_name": "Li", "locale": "en", "timezone": "Mars/Olympus"}, "Unknown time zone"),
        ({"display_name": "Li", "locale": "fr", "timezone": "UTC"}, "Unknown language"),
    ],
)
def test_a_refused_profile_change_says_why_and_changes_nothing(
    browser_for: Any, database: Database, values: dict[str, str], message: str
) -> None:
    browser = browser_for("li.na", display_name="Li Na")
    response = browser.post("/profile", values)
    assert response.status_code == 400
    assert message in main_of(response)
    assert 'role="alert"' in main_of(response)
    with database.session() as session:
        user = org.find_user(session, "li.na")
        assert (user.display_name, user.timezone) == ("Li Na", "Asia/Shanghai")


def test_changing_the_password_needs_the_current_one(browser_for: Any) -> None:
    browser = browser_for("li.na")
    wrong = browser.post(
        "/profile/password",
        {
            "current_password": "nope",
            "new_password": "a new secret 1",
            "repeat_password": "a new secret 1",
        },
    )
    assert wrong.status_code == 400
    assert "The current password is wrong." in text_of(wrong)
    differ = browser.post(
        "/profile/password",
        {
            "current_password": PASSWORD,
            "new_password": "a new secret 1",
            "repeat_password": "other 12345",
        },
    )
    assert differ.status_code == 400
    assert "The two new passwords differ" in text_of(differ)
    short = browser.post(
        "/profile/password",
        {"current_password": PASSWORD, "new_password": "short", "repeat_password": "short"},
    )
    assert "at least 8 characters" in text_of(short)


def test_a_new_password_keeps_this_browser_in_and_logs_other_devices_out(
    browser_for: Any, app: Any
) -> None:
    browser = browser_for("li.na")
    other = browser_for("li.na")
    changed = browser.post(
        "/profile/password",
        {
            "current_password": PASSWORD,
            "new_password": "a new secret 1",
            "repeat_password": "a new secret 1",
        },
    )
    assert changed.status_code == 303
    assert "Your password is changed" in text_of(browser.get("/profile"))
    assert other.get("/").status_code == 302
    fresh = PageBrowser(app.test_client())
    assert fresh.login("li.na", "a new secret 1").status_code == 303


def test_the_language_switch_changes_the_profile_language(
    browser_for: Any, database: Database
) -> None:
    browser = browser_for("li.na")
    assert "Log out" in text_of(browser.get("/"))
    response = browser.post("/language", {"lang": "zh-CN", "next": "/profile"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/profile"
    assert "退出登录" in text_of(browser.get("/"))
    with database.session() as session:
        assert org.find_user(session, "li.na").locale == "zh-CN"


def test_an_anonymous_visitor_can_switch_the_login_page_language(browser: PageBrowser) -> None:
    assert "Log in to Formflow" in text_of(browser.get("/login"))
    browser.post("/language", {"lang": "zh-CN", "next": "/login"})
    assert "登录 Formflow" in text_of(browser.get("/login"))


def test_an_unknown_language_is_refused_with_a_message(browser_for: Any) -> None:
    browser = browser_for("li.na")
    browser.post("/language", {"lang": "xx", "next": "/"})
    assert "Unknown language" in text_of(browser.get("/"))
