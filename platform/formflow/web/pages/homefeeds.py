"""Home feeds: what installed packs put on everyone's home page (announcements, news …).

A pack's ``menus.json`` may list feeds under ``home``::

    {"form": "oa.announcement", "title": {"zh-CN": "通知公告", "en": "Announcements"},
     "filter": "coalesce(published, false)", "sort": "-publish_on",
     "headline": "subject", "summary": "summary", "date": "publish_on", "limit": 5}

A feed is an ordinary record list of that form, read through the records service: the
reader sees only records they may read (for announcements, the audience the form's
``x-readers`` names), filtered and sorted as the feed says. ``pack lint`` checks feeds
against their form; a feed that still fails here (the form changed since) is left out and
logged rather than breaking the home page.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from formflow.errors import FormflowError
from formflow.i18n import pick
from formflow.services import record_lists
from formflow.web.pages.apps import installed_menus
from formflow.web.pages.display import DisplayContext, format_day
from formflow.web.pages.pagecall import PageCall

log = logging.getLogger(__name__)

#: Items per feed unless the feed says otherwise, and the most it may ask for.
DEFAULT_LIMIT = 5
MAX_LIMIT = 20
#: The keys of a feed that name fields of its form.
_FIELDS = ("headline", "summary", "date")


@dataclass(frozen=True)
class FeedItem:
    headline: str
    summary: str
    date: str
    url: str


@dataclass(frozen=True)
class Feed:
    key: str
    title: str
    items: list[FeedItem]


def _limit(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return max(1, min(value, MAX_LIMIT))
    return DEFAULT_LIMIT


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _feed(call: PageCall, key: str, spec: Mapping[str, Any], ctx: DisplayContext) -> Feed:
    form = str(spec.get("form", ""))
    page_of = record_lists.list_records(
        call.session,
        call.user,
        form,
        filter_text=spec.get("filter") or None,
        sort=str(spec.get("sort") or "-id"),
        limit=_limit(spec.get("limit")),
        with_total=False,
    )
    headline, summary, date = (str(spec.get(name) or "") for name in _FIELDS)
    items = []
    for record in page_of.items:
        data = record.data if isinstance(record.data, Mapping) else {}
        items.append(
            FeedItem(
                headline=_text(data.get(headline)) or record.label or f"#{record.id}",
                summary=_text(data.get(summary)) if summary else "",
                date=format_day(data.get(date), ctx) if date else "",
                url=f"/records/{record.id}",
            )
        )
    return Feed(key, pick(spec.get("title"), call.locale, form), items)


def home_feeds(call: PageCall) -> list[Feed]:
    """The feeds of every installed pack, in pack order, each as the reader may see it."""
    ctx = DisplayContext(call.locale, call.user.timezone)
    feeds: list[Feed] = []
    for pack, menus in installed_menus(call.session):
        home = menus.get("home")
        if not isinstance(home, list):
            continue
        for index, spec in enumerate(home):
            if not isinstance(spec, Mapping):
                continue
            key = f"{pack}-{index}"
            try:
                feeds.append(_feed(call, key, spec, ctx))
            except FormflowError as error:
                log.warning("home feed %s of pack %s left out: %s", index, pack, error)
    return feeds
