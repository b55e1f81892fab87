"""Labels, options, help texts and values are untrusted text: every page shows them as text."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
import simplejson
from pagekit import main_of, text_of

from formflow.web.pages.formlayout import FieldView

ATTACK = "<script>alert('x')</script>"
ATTRIBUTE = '" onmouseover="alert(1)'
IMG = "<img src=x onerror=alert(1)>"

HOSTILE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "note": {
            "type": "string",
            "x-label": {"zh-CN": ATTACK, "en": ATTACK},
        },
        "choice": {
            "x-type": "select",
            "x-label": ATTRIBUTE,
            "x-options": [{"value": "v1", "label": IMG}, {"value": "</script>", "label": "end"}],
        },
        "rows": {
            "x-type": "subtable",
            "x-label": IMG,
            "items": {"properties": {"cell": {"type": "string", "x-label": ATTACK}}},
        },
    },
    "x-display": "note",
}
HOSTILE_UI = {
    "layout": [{"title": ATTACK, "fields": ["note", "choice", "rows"]}],
    "fields": {"note": {"help": IMG, "placeholder": ATTRIBUTE}},
}


def assert_no_live_markup(body: str) -> None:
    """None of the attacks appears as markup; each appears escaped."""
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    assert 'onmouseover="alert' not in body
    assert html.escape(ATTACK, quote=False) in body or "&lt;script&gt;" in body


@pytest.fixture
def hostile(make_form: Any, browser_for: Any, make_record: Any) -> Any:
    make_form("hostile", HOSTILE, ui=HOSTILE_UI, title={"zh-CN": ATTACK, "en": ATTACK})
    browser = browser_for("li.na")
    record_id = make_record(
        "li.na",
        "hostile",
        {"note": ATTACK + IMG, "choice": "v1", "rows": [{"cell": IMG}]},
    )
    return browser, record_id


def test_the_form_page_shows_hostile_labels_options_and_help_as_text(hostile: Any) -> None:
    browser, _record_id = hostile
    response = browser.get("/forms/hostile/new")
    assert response.status_code == 200
    assert_no_live_markup(main_of(response))
    assert "&lt;img src=x onerror=alert(1)&gt;" in main_of(response)


def test_the_page_data_for_the_script_cannot_close_its_script_element(
    hostile: Any, make_record: Any
) -> None:
    browser, _ = hostile
    draft = make_record("li.na", "hostile", {"note": "</script><script>alert(1)</script>"}, True)
    body = text_of(browser.get(f"/records/{draft}/edit"))
    config = re.search(
        r'<script type="application/json" id="form-config">(.*?)</script>', body, re.S
    )
    assert config is not None
    assert "<" not in config.group(1)  # every < is written as \u003c inside the JSON
    data = simplejson.loads(config.group(1))
    assert data["data"]["note"] == "</script><script>alert(1)</script>"


@pytest.mark.parametrize("suffix", ["", "/print"])
def test_the_record_and_print_pages_show_hostile_values_as_text(hostile: Any, suffix: str) -> None:
    browser, record_id = hostile
    response = browser.get(f"/records/{record_id}{suffix}")
    assert response.status_code == 200
    body = main_of(response)
    assert_no_live_markup(body)
    assert "&lt;img src=x onerror=alert(1)&gt;" in body


def test_the_home_page_shows_a_hostile_form_title_and_record_label_as_text(
    hostile: Any,
) -> None:
    browser, _ = hostile
    body = main_of(browser.get("/"))
    assert_no_live_markup(body)
    assert "&lt;script&gt;" in body


def test_a_field_view_keeps_labels_as_plain_text() -> None:
    from formflow.forms import compile_form
    from formflow.web.pages.formlayout import build_layout

    layout = build_layout(compile_form(HOSTILE, HOSTILE_UI), "hostile", ATTACK, "en")
    note: FieldView = layout.fields["note"]
    assert note.label == ATTACK  # escaping is the template's job, not a second encoding
    assert layout.sections[0].title == ATTACK
