"""The catalogue of China's administrative divisions behind region fields, and what a region
value may hold: a real province, and a city that belongs to it when the catalogue knows it."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from formkit import CONTEXT, make_form

from formflow.forms import regions


def test_the_catalogue_holds_every_province_level_division_in_code_order() -> None:
    assert len(regions.PROVINCES) == 34
    assert regions.PROVINCES[:3] == ("北京市", "天津市", "河北省")
    assert regions.PROVINCES[-3:] == ("台湾省", "香港特别行政区", "澳门特别行政区")


def test_city_names_are_unique_so_a_city_tells_its_province() -> None:
    names = Counter(city for province in regions.PROVINCES for city in regions.cities(province))
    assert [name for name, count in names.items() if count > 1] == []
    assert sum(names.values()) > 300
    assert regions.province_of_city("深圳市") == "广东省"
    assert regions.province_of_city("不存在市") is None


def test_municipalities_are_their_own_city() -> None:
    for municipality in ("北京市", "天津市", "上海市", "重庆市"):
        assert regions.cities(municipality) == (municipality,)
    assert "海淀区" in regions.districts("北京市", "北京市")
    # Chongqing's districts and counties sit under one city, as people write them.
    assert {"渝中区", "巫山县"} <= set(regions.districts("重庆市", "重庆市"))


def test_county_level_units_under_a_province_are_cities_without_districts() -> None:
    assert {"仙桃市", "潜江市", "天门市", "神农架林区"} <= set(regions.cities("湖北省"))
    assert regions.districts("湖北省", "仙桃市") == ()
    assert regions.districts("广东省", "东莞市") == ()
    assert "南山区" in regions.districts("广东省", "深圳市")


def test_divisions_without_a_catalogue_offer_nothing() -> None:
    assert regions.cities("香港特别行政区") == ()
    assert regions.cities("不存在省") == ()
    assert regions.districts("广东省", "杭州市") == ()


def _issues(value: Any, **extra: Any) -> list[Any]:
    form = make_form({"place": {"x-type": "region", **extra}})
    return form.validate({"place": value}, context=CONTEXT)


@pytest.mark.parametrize(
    "value",
    [
        ["广东省"],
        ["广东省", "深圳市", "南山区"],
        ["北京市", "北京市", "海淀区"],
        ["湖北省", "仙桃市"],
        ["香港特别行政区", "九龙城区"],
        # Divisions change every year: names the catalogue does not know yet are accepted.
        ["广东省", "新设市", "新设区"],
        ["广东省", "深圳市", "新设区"],
    ],
)
def test_real_and_not_yet_catalogued_places_are_accepted(value: list[str]) -> None:
    assert _issues(value) == []


def test_a_city_of_another_province_is_refused_at_the_city_with_its_province() -> None:
    [issue] = _issues(["广东省", "杭州市", "西湖区"])
    assert issue.path == "$.place[1]"
    assert issue.code == "region"
    assert issue.message.render("en") == (
        "“杭州市” is in “浙江省”, not in “广东省”; choose the province again or pick a city "
        "of “广东省”."
    )
    assert issue.message.render("zh-CN").startswith("“杭州市” 属于 “浙江省”，不属于 “广东省”")


def test_a_wrong_province_and_too_many_levels_are_reported_together() -> None:
    issues = _issues(["广东", "深圳市", "南山区"], **{"x-region-level": 2})
    assert sorted(issue.path for issue in issues) == ["$.place", "$.place[0]"]
    assert any("广东省" in issue.message.render("en") for issue in issues)
