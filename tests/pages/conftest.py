"""Fixtures of the page tests: browsers logged in as users, forms and records made through
the services (as an admin or the platform would), on the shared test database."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from pagekit import PageBrowser

from formflow.services import forms, org, records
from formflow.services.actor import SYSTEM
from formflow.services.auth import actor_for
from formflow.storage.db import Database


@pytest.fixture
def browser(app: Flask) -> PageBrowser:
    """An anonymous browser (English)."""
    return PageBrowser(app.test_client())


@pytest.fixture
def browser_for(app: Flask, database: Database, make_user: Any) -> Any:
    """Factory: ``browser_for("li.na", language="zh-CN")`` -> a browser logged in as that user
    through the login page (the user is created when missing)."""

    def factory(username: str, *, language: str = "en", **values: Any) -> PageBrowser:
        with database.session() as session:
            exists = org.user_exists(session, username)
        if not exists:
            make_user(username, **values)
        browser = PageBrowser(app.test_client(), language=language)
        response = browser.login(username)
        assert response.status_code == 303, response.get_data(as_text=True)
        return browser

    return factory


@pytest.fixture
def make_form(database: Database) -> Any:
    """Factory: ``make_form("expense", schema, ui=None, title=..., grants=..., pack=...)``."""

    def factory(key: str, schema: dict[str, Any], **options: Any) -> str:
        with database.session(write=True) as session:
            forms.create_form(
                session,
                SYSTEM,
                key=key,
                title=options.pop("title", {"zh-CN": "报销", "en": "Expense"}),
                schema=schema,
                ui=options.pop("ui", None),
                grants=options.pop("grants", None),
                pack=options.pop("pack", None),
            )
        assert not options, options
        return key

    return factory


@pytest.fixture
def make_record(database: Database) -> Any:
    """Factory: ``make_record("li.na", "expense", data, draft=False)`` -> record id."""

    def factory(username: str, form_key: str, data: dict[str, Any], draft: bool = False) -> int:
        with database.session(write=True) as session:
            actor = actor_for(session, org.find_user(session, username))
            view = records.create_record(session, actor, form_key, data, draft=draft)
            return view.record.id

    return factory
