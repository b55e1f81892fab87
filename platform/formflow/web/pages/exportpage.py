"""Exports of a list (``/forms/<key>/export?format=csv|xlsx``) and files answered as downloads.

The export is the current view of the list — the same ``col``, ``filter`` and ``sort`` as the
list page's address — written by :func:`formflow.services.exports.export_records`, which also
checks the export grant and leaves out what the reader may not see.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, request
from werkzeug.wrappers import Response

from formflow.i18n import pick
from formflow.services import exports
from formflow.services import forms as form_service
from formflow.services.list_views import DEFAULT_SORT, ListView
from formflow.web.pages.pagecall import PageCall, page


def register(blueprint: Blueprint) -> None:
    @blueprint.get("/forms/<key>/export")
    @page()
    def export(call: PageCall, key: str) -> Response:
        """The current view as a CSV or XLSX file (needs the export grant)."""
        file_format = exports.parse_format(request.args.get("format"))
        args = request.args
        view = ListView(
            tuple(args.getlist("col")),
            args.get("filter", "").strip(),
            args.get("sort") or DEFAULT_SORT,
        )
        result = exports.export_records(
            call.session,
            call.user,
            key,
            view,
            file_format=file_format,
            locale=call.locale,
            timezone=call.user.timezone,
        )
        return download(result)


def download(result: exports.ExportFile) -> Response:
    """A file answered as a download, never shown in the page."""
    response = Response(result.content, mimetype=result.content_type.split(";")[0])
    if "charset" in result.content_type:
        response.headers["Content-Type"] = result.content_type
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_ascii_name(result.filename)}"; '
        f"filename*=UTF-8''{quote(result.filename)}"
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _ascii_name(name: str) -> str:
    stem, _dot, extension = name.rpartition(".")
    safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_ ") else "_" for ch in stem)
    return f"{safe.strip('_') or 'export'}.{extension}"


def form_title(call: PageCall, form_key: str) -> str:
    current = form_service.get_form(call.session, form_key)
    return pick(current.version.title, call.locale, form_key)
