"""The province-level divisions of China, for checking ``region`` values.

A region value is a list of one to three names, province first (``["广东省", "深圳市",
"南山区"]``). The platform checks the province against this list (34 names as published by
the Ministry of Civil Affairs); city and district names are not checked, because a complete
catalogue changes every year and belongs to a pack's data, not to the runtime.
"""

from __future__ import annotations

import difflib

PROVINCES: tuple[str, ...] = (
    "北京市",
    "天津市",
    "河北省",
    "山西省",
    "内蒙古自治区",
    "辽宁省",
    "吉林省",
    "黑龙江省",
    "上海市",
    "江苏省",
    "浙江省",
    "安徽省",
    "福建省",
    "江西省",
    "山东省",
    "河南省",
    "湖北省",
    "湖南省",
    "广东省",
    "广西壮族自治区",
    "海南省",
    "重庆市",
    "四川省",
    "贵州省",
    "云南省",
    "西藏自治区",
    "陕西省",
    "甘肃省",
    "青海省",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
    "台湾省",
    "香港特别行政区",
    "澳门特别行政区",
)

_PROVINCE_SET = frozenset(PROVINCES)


def is_province(name: str) -> bool:
    """True when ``name`` is the full name of a province-level division."""
    return name in _PROVINCE_SET


def closest_province(name: str) -> str | None:
    """The province a short or misspelt ``name`` most likely means (广东 -> 广东省)."""
    for province in PROVINCES:
        if name and province.startswith(name):
            return province
    matches = difflib.get_close_matches(name, PROVINCES, n=1, cutoff=0.5)
    return matches[0] if matches else None
