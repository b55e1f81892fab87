"""Rendering a page: the template plus what every page's frame needs.

The frame (header, menus, language switch) needs the signed-in user, the unread
notification count, the apps menu, the CSRF token and the language; :func:`render_page`
adds them so views pass only their own content.
"""

from __future__ import annotations

from typing import Any

from flask import Response, get_flashed_messages, render_template, request

from formflow.services import inbox, notices
from formflow.web.pages.apps import app_menu
from formflow.web.pages.assets import asset_url
from formflow.web.pages.pagecall import PageCall
from formflow.web.security import csrf_token

#: The ``lang`` attribute of ``<html>`` per supported locale.
HTML_LANG = {"zh-CN": "zh-CN", "en": "en"}


def frame_context(call: PageCall | None, locale: str) -> dict[str, Any]:
    """Everything ``base.html`` reads. ``call`` is None on error pages outside a view."""
    unread = 0
    to_do = ""
    apps: list[Any] = []
    actor = call.actor if call is not None else None
    if call is not None and actor is not None:
        _rows, unread = notices.list_notices(call.session, actor, unread_only=True, limit=1)
        apps = app_menu(call.session, locale)
        to_do = open_task_badge(call)
    return {
        "actor": actor,
        "locale": locale,
        "html_lang": HTML_LANG.get(locale, "en"),
        "other_locale": "en" if locale == "zh-CN" else "zh-CN",
        "csrf_token": csrf_token(),
        "unread_count": unread,
        "open_task_badge": to_do,
        "apps_menu": apps,
        "asset": asset_url,
        "here": request.full_path.rstrip("?"),
        "flashes": get_flashed_messages(with_categories=True),
    }


#: Open tasks are counted up to this many for the header; more show as "99+".
BADGE_LIMIT = 99


def open_task_badge(call: PageCall) -> str:
    """How many tasks wait for the user, for the inbox badge ("" for none, "99+" beyond)."""
    page = inbox.list_inbox(call.session, call.user, view="open", limit=BADGE_LIMIT)
    if page.next is not None:
        return f"{BADGE_LIMIT}+"
    return str(len(page.items)) if page.items else ""


def render_page(call: PageCall, template: str, status: int = 200, **context: Any) -> Response:
    """Render ``template`` inside the frame, in the call's language."""
    html = render_template(template, **frame_context(call, call.locale), **context)
    response = Response(html, status=status, mimetype="text/html")
    # Pages hold personal data and a CSRF token: never kept by shared or browser caches.
    response.headers["Cache-Control"] = "no-store"
    return response
