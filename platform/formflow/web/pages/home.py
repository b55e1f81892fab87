"""Home: my apps, my open tasks, my recent records, the packs' feeds (announcements …) —
and my notifications."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, request
from werkzeug.wrappers import Response

from formflow.i18n import pick
from formflow.services import forms as form_service
from formflow.services import inbox, notices, record_lists
from formflow.web.pages.apps import build_apps, is_routable
from formflow.web.pages.display import DisplayContext, format_timestamp
from formflow.web.pages.homefeeds import home_feeds
from formflow.web.pages.pagecall import PageCall, page, safe_next, see_other
from formflow.web.pages.recordpage import status_label
from formflow.web.pages.render import render_page

RECENT_LIMIT = 8
#: How many of each form's latest records are read to find the user's own.
_PER_FORM = 20


@dataclass(frozen=True)
class RecentRecord:
    id: int
    form_title: str
    label: str
    status: str
    status_label: str
    updated_at: str
    sort_key: str
    url: str


def recent_records(call: PageCall) -> list[RecentRecord]:
    """The user's own most recently changed records over all forms (drafts lead to editing).

    Reads each form's latest visible records through the records service (which applies
    the permissions) and keeps the user's own: one query per form. A records-service query
    over all forms ("my records, newest first") would do it in one; until it exists, a user
    with many more than 20 newer records of others in a form may miss older ones of theirs.
    """
    ctx = DisplayContext(call.locale, call.user.timezone)
    found: list[RecentRecord] = []
    for view in form_service.list_forms(call.session):
        page_of = record_lists.list_records(
            call.session,
            call.user,
            view.form.key,
            sort="-updated_at",
            limit=_PER_FORM,
            with_total=False,
        )
        title = pick(view.version.title, call.locale, view.form.key)
        for record in page_of.items:
            if record.owner_id != call.user.id:
                continue
            draft = record.status == "draft"
            found.append(
                RecentRecord(
                    id=record.id,
                    form_title=title,
                    label=record.label or f"#{record.id}",
                    status=record.status,
                    status_label=status_label(record.status, call.locale),
                    updated_at=format_timestamp(record.updated_at, ctx),
                    sort_key=record.updated_at.isoformat(),
                    url=f"/records/{record.id}/edit" if draft else f"/records/{record.id}",
                )
            )
    found.sort(key=lambda item: (item.sort_key, item.id), reverse=True)
    return found[:RECENT_LIMIT]


#: Open tasks are counted up to this many; more show as "99+".
TASK_COUNT_LIMIT = 99


def open_task_count(call: PageCall) -> str:
    """How many tasks wait for the user (``99+`` beyond the limit)."""
    page_of = inbox.list_inbox(call.session, call.user, view="open", limit=TASK_COUNT_LIMIT)
    count = len(page_of.items)
    return f"{TASK_COUNT_LIMIT}+" if page_of.next is not None else str(count)


@dataclass(frozen=True)
class NoticeView:
    id: int
    title: str
    body: str
    link: str
    at: str
    unread: bool


def register(blueprint: Blueprint) -> None:
    @blueprint.get("/")
    @page()
    def home(call: PageCall) -> Response:
        """The start page after login."""
        return render_page(
            call,
            "home.html",
            apps=build_apps(call.session, call.user, call.locale),
            recent=recent_records(call),
            open_tasks=open_task_count(call),
            inbox_url="/inbox" if is_routable("/inbox") else "",
            feeds=home_feeds(call),
        )

    @blueprint.get("/notifications")
    @page()
    def notifications(call: PageCall) -> Response:
        """My latest notifications, newest first."""
        rows, unread = notices.list_notices(call.session, call.user, limit=50)
        ctx = DisplayContext(call.locale, call.user.timezone)
        items = [
            NoticeView(
                id=row.id,
                title=pick(row.title, call.locale),
                body=pick(row.body, call.locale),
                link=row.link if row.link and row.link.startswith("/") else "",
                at=format_timestamp(row.created_at, ctx),
                unread=row.read_at is None,
            )
            for row in rows
        ]
        return render_page(call, "notifications.html", items=items, unread=unread)

    @blueprint.post("/notifications/read")
    @page(write=True)
    def mark_notifications_read(call: PageCall) -> Response:
        """Mark every notification read."""
        notices.mark_read(call.session, call.user)
        return see_other(safe_next(request.form.get("next") or "/notifications"))
