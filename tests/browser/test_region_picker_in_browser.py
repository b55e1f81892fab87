"""In a real browser: a region field offers the cities of the chosen province and the
districts of the chosen city, clears what no longer fits when the province changes, shows the
server's error for a city of another province, and saves province, city and district — in the
form and in each sub-table row."""

from __future__ import annotations

import re
from typing import Any

import pytest
from browserkit import log_in
from playwright.sync_api import Browser, Locator, Page, expect

from formflow.services import forms
from formflow.services.actor import SYSTEM
from formflow.storage.db import Database
from formflow.storage.models import Record

pytestmark = pytest.mark.browser

SHIPMENT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "x-label": {"zh-CN": "标题", "en": "Title"}},
        "place": {"x-type": "region", "x-label": {"zh-CN": "收货地区", "en": "Ship to"}},
        "stops": {
            "x-type": "subtable",
            "x-label": {"zh-CN": "经停", "en": "Stops"},
            "items": {
                "properties": {
                    "area": {
                        "x-type": "region",
                        "x-region-level": 2,
                        "x-label": {"zh-CN": "地区", "en": "Area"},
                    }
                }
            },
        },
    },
    "required": ["title", "place"],
    "x-display": "title",
}


@pytest.fixture
def shipment_form(database: Database, make_user: Any) -> None:
    make_user("li.na", display_name="李娜", locale="zh-CN")
    with database.session(write=True) as session:
        forms.create_form(
            session,
            SYSTEM,
            key="shipment",
            title={"zh-CN": "发货单", "en": "Shipment"},
            schema=SHIPMENT,
        )


def offered(page: Page, field: Locator, name: str) -> Locator:
    """The option ``name`` in the input's datalist (waits for the list to be attached)."""
    expect(field).to_have_attribute("list", re.compile(r".+"))
    return page.locator(f"datalist#{field.get_attribute('list')} option[value='{name}']")


def suggested(page: Page, field: Locator) -> list[str]:
    """The names the input's datalist offers."""
    list_id = field.get_attribute("list")
    assert list_id, "the input has suggestions attached"
    names: list[str] = page.locator(f"datalist#{list_id} option").evaluate_all(
        "options => options.map(o => o.value)"
    )
    return names


def test_cities_and_districts_follow_the_province_and_the_place_is_saved(
    chromium: Browser, live_server: str, shipment_form: None, database: Database
) -> None:
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        log_in(page, live_server, "li.na", "/forms/shipment/new")

        place = page.locator("[data-field=place]")
        province = place.locator("[data-region='0']")
        city = place.locator("[data-region='1']")
        district = place.locator("[data-region='2']")
        page.fill("#f-title", "华南发货")

        province.select_option("广东省")
        city.focus()
        expect(offered(page, city, "深圳市")).to_have_count(1)
        cities = suggested(page, city)
        assert "杭州市" not in cities
        assert cities[0] == "广州市"  # in the order of the official codes

        city.fill("深圳市")
        district.focus()  # leaving the city commits it (change event)
        expect(offered(page, district, "南山区")).to_have_count(1)
        assert "海淀区" not in suggested(page, district)
        district.fill("南山区")

        # Another province: the city and district of the old one are cleared.
        province.select_option("浙江省")
        expect(city).to_have_value("")
        expect(district).to_have_value("")

        # A city of another province is the server's error, shown at the field in Chinese.
        province.select_option("广东省")
        city.fill("杭州市")
        district.focus()
        error = place.locator(".field-error")
        expect(error).to_contain_text("属于 “浙江省”")

        city.fill("深圳市")
        district.focus()
        district.fill("南山区")
        expect(error).to_be_hidden()

        # A sub-table row has its own picker, limited to two levels.
        page.click("[data-field=stops] [data-action=add-row]")
        row = page.locator("[data-row]").first
        row_province = row.locator("[data-region='0']")
        row_city = row.locator("[data-region='1']")
        assert row.locator("[data-region='2']").count() == 0
        row_province.select_option("北京市")
        row_city.focus()
        expect(offered(page, row_city, "北京市")).to_have_count(1)
        assert suggested(page, row_city) == ["北京市"]
        assert row_city.get_attribute("list") != city.get_attribute("list")
        row_city.fill("北京市")

        page.click("#record-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/records/\d+\?submitted=1$"))
        expect(page.locator("main")).to_contain_text("深圳市")
        record_id = int(re.findall(r"/records/(\d+)", page.url)[0])
        with database.session() as session:
            record = session.get(Record, record_id)
            assert record is not None
            assert record.data["place"] == ["广东省", "深圳市", "南山区"]
            assert record.data["stops"] == [{"area": ["北京市", "北京市"]}]
        assert problems == []
    finally:
        context.close()
