"""No page answers 500: every GET page of the app, with real and nonsense path values and with
hostile query strings, answers a page, a redirect or a 4xx — never a server error.

The schemathesis test does this for the API from its OpenAPI document; pages have no such
document, so the sweep takes the routes from the app's URL map, so a new page is swept as
soon as it exists.
"""

from __future__ import annotations

import re
from itertools import product
from typing import Any

from flask import Flask
from pagekit import EXPENSE

#: Query strings that reach the parsing code of list, filter, sort, cursor and paging.
HOSTILE_QUERIES = [
    "",
    "sort=-amount",
    "sort=amount;DROP TABLE records",
    "sort=" + "x" * 300,
    "filter=amount > 10",
    "filter=(((",
    "filter=" + "1 + " * 900 + "1",
    "filter=title = '\x00'",
    "filter=title = '\\u0000'",
    "cursor=not-a-cursor",
    "cursor=eyJ4IjogMX0",
    "limit=-1",
    "limit=99999999999999999999",
    "page=abc",
    "view=nope",
    "tab=%00",
    "columns=no_such_field,amount",
    "lang=xx-YY",
    "form=../../etc/passwd",
    "status=%ff%fe",
    "q=%E4%BD%A0%E5%A5%BD",
    "q=%00&tab=done",
    "col=%00&sort=%00",
    "trail=%00,1&form=%00",
    "cursor=%00&view=%00",
    "next=https://evil.example/",
]
SKIPPED_PREFIXES = ("/api", "/static", "/healthz")


#: Path values of every wrong shape.
NONSENSE = ["0", "999999999999999999999", "no.such.form", "%3Cscript%3E", "a%00b", "x" * 200]


def _urls(app: Flask, values: list[str]) -> list[str]:
    """Every GET page with each of ``values`` in each path argument."""
    urls: set[str] = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.rule.startswith(SKIPPED_PREFIXES):
            continue
        names = sorted(rule.arguments)
        for combo in product(*[values for _name in names]):
            url = rule.rule
            for name, value in zip(names, combo, strict=True):
                url = re.sub(rf"<(?:[^:<>]+:)?{name}>", value, url)
            urls.add(url)
    return sorted(urls)


def test_no_page_answers_500_to_any_path_or_query(
    app: Flask, browser_for: Any, make_form: Any, make_record: Any
) -> None:
    # An administrator reaches the most code: every page lets them past its permission check.
    admin = browser_for("boss", role="admin")
    browser_for("li.na")
    make_form("expense", EXPENSE)
    record = make_record("li.na", "expense", {"title": "Taxi", "amount": 12})
    draft = make_record("li.na", "expense", {"title": "Draft"}, draft=True)
    real = _urls(app, [str(record), str(draft), "expense"])
    assert len(real) >= 20, real  # the sweep found the app's pages
    # Real path values with every hostile query; nonsense path values as they are.
    requests = [*product(real, HOSTILE_QUERIES), *product(_urls(app, NONSENSE), [""])]
    failures = []
    for url, query in requests:
        target = f"{url}?{query}" if query else url
        response = admin.get(target)
        if response.status_code >= 500:
            failures.append(f"GET {target} -> {response.status_code}")
    assert failures == [], "\n".join(failures[:40])
