"""Static files with cache headers, and every text of the pages translated into Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from pagekit import PageBrowser, done

import formflow
from formflow.forms import regions
from formflow.i18n import gettext
from formflow.web.pages.assets import fingerprint, region_catalogue_url

PACKAGE = Path(formflow.__file__).parent
ROOT = PACKAGE.parent.parent


def test_fingerprinted_assets_are_cached_for_a_year(browser: PageBrowser) -> None:
    response = browser.get(f"/static/css/app.css?v={fingerprint()}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.mimetype == "text/css"


def test_module_imports_without_a_fingerprint_are_revalidated(browser: PageBrowser) -> None:
    response = browser.get("/static/js/form/values.js")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.mimetype == "text/javascript"
    etag = response.headers["ETag"]
    again = done(browser.client.get("/static/js/form/values.js", headers={"If-None-Match": etag}))
    assert again.status_code == 304


def test_the_region_catalogue_is_served_for_the_pickers_and_cached_by_its_hash(
    browser: PageBrowser,
) -> None:
    response = browser.get(region_catalogue_url())
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    tree = response.get_json()
    assert list(tree) == list(regions.PROVINCES)
    assert "南山区" in tree["广东省"]["深圳市"]
    unversioned = browser.get("/regions.json")
    assert unversioned.headers["Cache-Control"] == "no-cache"
    again = done(
        browser.client.get("/regions.json", headers={"If-None-Match": unversioned.headers["ETag"]})
    )
    assert again.status_code == 304


@pytest.mark.parametrize("path", ["../config.py", "..%2Fconfig.py", ".hidden", "css/missing.css"])
def test_nothing_outside_the_static_folder_is_served(browser: PageBrowser, path: str) -> None:
    assert browser.get(f"/static/{path}").status_code == 404


def test_pages_link_assets_with_the_current_fingerprint(browser: PageBrowser) -> None:
    body = browser.get("/login").get_data(as_text=True)
    assert f"/static/css/app.css?v={fingerprint()}" in body
    assert f"/static/js/shell.js?v={fingerprint()}" in body


def _page_messages() -> set[str]:
    method_map = [
        ("platform/formflow/web/pages/**.py", "python"),
        ("platform/formflow/services/preferences.py", "python"),
        ("platform/formflow/templates/**.html", "jinja2"),
    ]
    options = {"platform/formflow/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map=options
    ):
        if isinstance(message, str):
            found.add(message)
    return found


def test_every_text_of_the_pages_has_a_chinese_translation() -> None:
    messages = _page_messages()
    assert len(messages) > 150
    missing = sorted(m for m in messages if m != "Formflow" and gettext("zh-CN", m) == m)
    assert missing == []


def test_no_script_or_style_is_written_inline_in_a_template() -> None:
    for template in (PACKAGE / "templates").rglob("*.html"):
        text = template.read_text("utf-8")
        assert "<script>" not in text and "<style" not in text, template
        assert " style=" not in text and " onclick" not in text, template


def test_vendored_and_shipped_scripts_name_their_licence() -> None:
    for script in (PACKAGE / "static").rglob("*.js"):
        head = script.read_text("utf-8")[:600]
        assert "MIT" in head, script
