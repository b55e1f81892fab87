"""The administrative divisions of China, for checking and picking ``region`` values.

A region value is a list of one to three names, province first (``["广东省", "深圳市",
"南山区"]``). The catalogue in ``data/regions_cn.json`` holds the 34 province-level divisions,
their 368 city-level ones and 2,812 county-level ones, in the order of their codes in the
Ministry of Civil Affairs' code list (taken from the list as published in 2025). Its shape is
``{province: {city: [district, ...]}}``, with the platform's conventions for what the code
list leaves irregular:

* a municipality (北京市, 重庆市, ...) is its own city: ``["北京市", "北京市", "海淀区"]``;
* a county-level unit governed by its province directly (湖北省's 仙桃市, 海南省's 琼海市) is a
  city without districts, as are cities without districts (东莞市, 儋州市);
* 台湾省, 香港特别行政区 and 澳门特别行政区 have no cities in the catalogue: anything goes.

Provinces are checked strictly. A city is refused only when the catalogue places it in
another province (city names are unique in the country, so that is a certain mistake); a city
or district the catalogue does not know is accepted, since divisions change every year and a
form must not refuse a new district before the platform's next release. The web form offers
the catalogue's cities and districts as suggestions.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
from importlib import resources
from typing import Any

_CATALOGUE_FILE = "regions_cn.json"


@functools.cache
def catalogue_bytes() -> bytes:
    """The catalogue file as shipped, read once (the web layer serves it to the form pages)."""
    return (resources.files("formflow.forms") / "data" / _CATALOGUE_FILE).read_bytes()


def _load() -> dict[str, dict[str, tuple[str, ...]]]:
    raw: dict[str, dict[str, list[str]]] = json.loads(catalogue_bytes())
    return {
        province: {city: tuple(districts) for city, districts in cities.items()}
        for province, cities in raw.items()
    }


_TREE = _load()
PROVINCES: tuple[str, ...] = tuple(_TREE)
_PROVINCE_SET = frozenset(PROVINCES)
_PROVINCE_OF_CITY = {city: province for province, cities in _TREE.items() for city in cities}


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


def cities(province: str) -> tuple[str, ...]:
    """The catalogue's cities of ``province`` (empty when it knows none)."""
    return tuple(_TREE.get(province, {}))


def districts(province: str, city: str) -> tuple[str, ...]:
    """The catalogue's districts of ``city`` in ``province`` (empty when it knows none)."""
    return _TREE.get(province, {}).get(city, ())


def province_of_city(city: str) -> str | None:
    """The province the catalogue places ``city`` in, or None when it does not know it."""
    return _PROVINCE_OF_CITY.get(city)


@functools.cache
def catalogue_version() -> str:
    """A short fingerprint of the catalogue, so browsers may cache it for good."""
    return hashlib.sha256(catalogue_bytes()).hexdigest()[:12]


def misplaced_city(value: Any) -> tuple[str, str] | None:
    """``(city, its province)`` when a region value names a city of another province."""
    if not isinstance(value, list) or len(value) < 2:
        return None
    province, city = value[0], value[1]
    if not isinstance(province, str) or not isinstance(city, str):
        return None
    home = _PROVINCE_OF_CITY.get(city)
    if home is None or home == province or not is_province(province):
        return None
    return city, home
