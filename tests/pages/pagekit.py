"""Helpers for page tests: a test-client browser that logs in through the login page and
posts forms with the page's CSRF token, and the form definitions the tests use."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token a page carries in its <meta name="csrf-token">."""
    match = _CSRF.search(html)
    assert match is not None, "the page carries no CSRF token"
    return match.group(1)


def done(response: TestResponse) -> TestResponse:
    """Buffer the body and release the app's file handles (files are streamed)."""
    response.get_data()
    response.close()
    return response


@dataclass
class PageBrowser:
    """A Flask test client used like a browser: HTML pages, forms, the session cookie."""

    client: FlaskClient
    language: str = "en"

    def get(self, url: str, **headers: str) -> TestResponse:
        return done(self.client.get(url, headers={"Accept-Language": self.language, **headers}))

    def token(self) -> str:
        """The session's CSRF token, read from a page as a browser would see it."""
        response = self.get("/login")
        if response.status_code == 303:  # logged in: the login page sends us home
            response = self.get("/")
        return csrf_of(response.get_data(as_text=True))

    def post(self, url: str, data: dict[str, Any], *, csrf: bool = True) -> TestResponse:
        body = dict(data)
        if csrf:
            body.setdefault("csrf_token", self.token())
        return done(self.client.post(url, data=body, headers={"Accept-Language": self.language}))

    def login(self, login: str, password: str = PASSWORD, next_url: str = "/") -> TestResponse:
        token = self.token()
        return done(
            self.client.post(
                "/login",
                data={"login": login, "password": password, "csrf_token": token, "next": next_url},
                headers={"Accept-Language": self.language},
            )
        )

    def api(self, method: str, url: str, body: str | None = None) -> TestResponse:
        """Call the REST API as the page's script does: cookie plus the CSRF header."""
        token = self.token()
        headers = {"X-CSRF-Token": token, "Accept-Language": self.language}
        if body is not None:
            headers["Content-Type"] = "application/json"
        return done(self.client.open(url, method=method, data=body, headers=headers))


def text_of(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def main_of(response: TestResponse) -> str:
    """The page's <main> element (its own content, without the frame)."""
    match = re.search(r"<main\b.*?</main>", text_of(response), re.S)
    assert match is not None, "the page has no <main>"
    return match.group(0)


#: Every field type of the runtime, with the control the form page shows it with.
ALL_TYPES: dict[str, tuple[dict[str, Any], str]] = {
    "text_field": ({"type": "string", "x-label": "Text"}, "text"),
    "long_text": ({"x-type": "textarea"}, "textarea"),
    "quantity": ({"type": "integer"}, "number"),
    "weight": ({"type": "number"}, "number"),
    "amount": ({"x-type": "money", "x-currency": "USD"}, "money"),
    "discount": ({"x-type": "percent"}, "percent"),
    "day": ({"x-type": "date"}, "date"),
    "moment": ({"x-type": "datetime"}, "datetime"),
    "clock": ({"x-type": "time"}, "time"),
    "kind": (
        {
            "x-type": "select",
            "x-options": [
                {"value": "a", "label": {"zh-CN": "甲", "en": "Alpha"}},
                {"value": "b", "label": "Beta"},
            ],
        },
        "select",
    ),
    "tags": (
        {"x-type": "multiselect", "x-options": [{"value": "x", "label": "X"}]},
        "checkboxes",
    ),
    "agreed": ({"type": "boolean"}, "checkbox"),
    "mail": ({"x-type": "email"}, "email"),
    "mobile": ({"x-type": "phone"}, "phone"),
    "site": ({"x-type": "url"}, "url"),
    "id_no": ({"x-type": "idcard"}, "idcard"),
    "place": ({"x-type": "region"}, "region"),
    "person": ({"x-type": "user"}, "user"),
    "team": ({"x-type": "department"}, "department"),
    "files": ({"x-type": "attachments", "x-max-size": 1000}, "files"),
    "photos": ({"x-type": "images"}, "images"),
    "sign": ({"x-type": "signature"}, "signature"),
    "stars": ({"x-type": "rating", "x-rating-max": 7}, "rating"),
    "spot": ({"x-type": "location"}, "location"),
    "code": ({"x-type": "serial", "x-serial": {"pattern": "X-{seq:3}"}}, "output"),
    "double": ({"x-type": "computed", "type": "number", "x-formula": "weight * 2"}, "output"),
    "lines": (
        {
            "x-type": "subtable",
            "items": {"properties": {"qty": {"type": "integer"}, "price": {"x-type": "money"}}},
        },
        "table",
    ),
}


def all_types_schema() -> dict[str, Any]:
    return {"type": "object", "properties": {name: spec for name, (spec, _c) in ALL_TYPES.items()}}


EXPENSE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "x-label": {"zh-CN": "标题", "en": "Title"}},
        "amount": {"x-type": "money", "x-label": {"zh-CN": "金额", "en": "Amount"}},
        "category": {
            "x-type": "select",
            "x-label": {"zh-CN": "类别", "en": "Category"},
            "x-options": [
                {"value": "travel", "label": {"zh-CN": "差旅", "en": "Travel"}},
                {"value": "meal", "label": {"zh-CN": "招待", "en": "Meals"}},
            ],
        },
        "approver": {"x-type": "user", "x-label": {"zh-CN": "审批人", "en": "Approver"}},
        "lines": {
            "x-type": "subtable",
            "x-label": {"zh-CN": "明细", "en": "Lines"},
            "items": {
                "properties": {
                    "qty": {"type": "integer", "x-label": {"zh-CN": "数量", "en": "Qty"}},
                    "price": {"x-type": "money", "x-label": {"zh-CN": "单价", "en": "Price"}},
                },
                "required": ["qty"],
            },
        },
        "receipt": {"x-type": "attachments", "x-label": {"zh-CN": "附件", "en": "Receipt"}},
        "total": {
            "x-type": "money",
            "x-formula": "sum(lines, qty * price)",
            "x-label": {"zh-CN": "合计", "en": "Total"},
        },
        "no": {
            "x-type": "serial",
            "x-serial": {"pattern": "BX-{seq:4}"},
            "x-label": {"zh-CN": "单号", "en": "No."},
        },
    },
    "required": ["title", "amount"],
    "x-display": "title",
}
