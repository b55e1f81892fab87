"""Importing records from a spreadsheet (``/forms/<key>/import``): the template, a dry run that
names every bad row and column, and an all-or-nothing commit with a progress bar.

The uploaded file is kept as one of the user's attachments (``POST /api/attachments`` from the
page's script, or this page's own upload form without a script), so the dry run and the commit
read the same file by its id, from any app process.

The dry run and the commit answer in two ways. A plain form post gets a page. The page's
script asks for ``application/x-ndjson`` and gets the work as it happens: one JSON line per
progress step (``{"phase", "done", "total"}``), then one final line with the outcome (the
report as HTML rendered here, or where the new records are). The commit is still one
transaction — the lines only report how far it has come; nothing is visible to anyone else
before the last row is saved, and nothing at all if any row fails.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, flash, render_template, request, stream_with_context
from werkzeug.wrappers import Response

from formflow.errors import FormflowError, InvalidInput
from formflow.i18n import _, gettext
from formflow.services import attachments, imports
from formflow.services import forms as form_service
from formflow.services.authz import Action, require_form_action
from formflow.services.flow_context import flow_environment
from formflow.web.jsonio import to_json
from formflow.web.pages.exportpage import download, form_title
from formflow.web.pages.pagecall import PageCall, page, see_other
from formflow.web.pages.render import render_page
from formflow.web.runtime import current_runtime
from formflow.web.security import csrf_token

STREAM_TYPE = "application/x-ndjson"
#: Progress lines are sent at most this often (seconds), plus the first and the last.
_PROGRESS_EVERY = 0.15


def _upload_id() -> int:
    value = request.form.get("upload", "")
    if not value.isdigit():
        raise InvalidInput(_("Choose the file to import first."))
    return int(value)


def _wants_stream() -> bool:
    return STREAM_TYPE in request.headers.get("Accept", "")


def _messages(locale: str) -> dict[str, str]:
    words = {
        "uploading": _("Uploading {name}…"),
        "check": _("Checking row {done} of {total}…"),
        "save": _("Saving row {done} of {total}…"),
        "choose": _("Choose an .xlsx or .csv file first."),
        "failed": _("The import did not work: {reason}"),
        "offline": _("The server could not be reached; nothing was imported. Try again."),
    }
    # Templates with their placeholders left in: the script fills them.
    return {key: gettext(locale, word.text) for key, word in words.items()}


def _page_context(call: PageCall, key: str) -> dict[str, Any]:
    current = form_service.get_form(call.session, key)
    require_form_action(call.session, call.user, current.form, Action.CREATE)
    return {
        "form_key": key,
        "title": form_title(call, key),
        "messages": _messages(call.locale),
        "max_upload": call.runtime.settings.max_upload_bytes,
    }


def _run(job: imports.ImportJob, commit: bool) -> Iterator[imports.Progress]:
    return job.commit() if commit else job.check()


def _job(call: PageCall, session: Any, key: str, upload: int) -> imports.ImportJob:
    return imports.ImportJob(
        session,
        call.user,
        key,
        upload,
        uploads=call.runtime.settings.uploads_dir,
        locale=call.locale,
        timezone=call.user.timezone,
    )


def _report_html(key: str, upload: int, job: imports.ImportJob, commit: bool) -> str:
    """The report of a dry run or a refused commit, as a fragment of the import page."""
    return render_template(
        "macros/import_report.html",
        form_key=key,
        upload=upload,
        report=job.report,
        attempted=commit,
        filename=job.filename,
        csrf_token=csrf_token(),
        locale=job.locale,
    )


def _stream(call: PageCall, key: str, upload: int, commit: bool) -> Response:
    """The dry run or the commit as progress lines, then the outcome (module docstring)."""
    runtime = current_runtime()
    zone = runtime.settings.default_timezone

    def lines() -> Iterator[str]:
        final: dict[str, Any]
        try:
            with runtime.database.session(write=commit) as session, flow_environment(zone):
                job = _job(call, session, key, upload)
                last = 0.0
                for step in _run(job, commit):
                    now = time.monotonic()
                    if step.done in (0, step.total) or now - last >= _PROGRESS_EVERY:
                        last = now
                        yield (
                            to_json({"phase": step.phase, "done": step.done, "total": step.total})
                            + "\n"
                        )
                html = _report_html(key, upload, job, commit)
                final = {
                    "result": "report",
                    "ok": job.report.ok,
                    "created": len(job.created),
                    "html": html,
                    "url": f"/forms/{key}/records?imported={len(job.created)}"
                    if job.created
                    else "",
                }
        except FormflowError as error:
            final = {"result": "error", "message": error.render(call.locale)}
        yield to_json(final) + "\n"

    response = Response(stream_with_context(lines()), mimetype=STREAM_TYPE)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # proxies pass the lines on as they come
    return response


def register(blueprint: Blueprint) -> None:
    @blueprint.get("/forms/<key>/import")
    @page()
    def import_page(call: PageCall, key: str) -> Response:
        """The import page: the template to download, the file to upload."""
        return render_page(call, "import.html", **_page_context(call, key))

    @blueprint.get("/forms/<key>/import/template")
    @page()
    def import_template(call: PageCall, key: str) -> Response:
        """An empty workbook with the form's labels as headings and its choices."""
        return download(imports.import_template(call.session, call.user, key, call.locale))

    @blueprint.post("/forms/<key>/import")
    @page(write=True)
    def upload_and_check(call: PageCall, key: str) -> Response:
        """Without the page's script: upload the file and show the dry run."""
        context = _page_context(call, key)
        sent = request.files.get("file")
        if sent is None or not sent.filename:
            raise InvalidInput(_("Choose the file to import first."))
        stored = attachments.store_upload(
            call.session,
            call.user,
            call.runtime.settings.uploads_dir,
            sent.stream,
            sent.filename,
            max_bytes=call.runtime.settings.max_upload_bytes,
        )
        job = _job(call, call.session, key, stored.id)
        for _step in job.check():
            pass
        context["report_html"] = _report_html(key, stored.id, job, commit=False)
        return render_page(call, "import.html", status=200 if job.report.ok else 422, **context)

    @blueprint.post("/forms/<key>/import/check")
    @page()
    def check(call: PageCall, key: str) -> Response:
        """The dry run of an uploaded file (nothing is written)."""
        upload = _upload_id()
        context = _page_context(call, key)
        if _wants_stream():
            return _stream(call, key, upload, commit=False)
        job = _job(call, call.session, key, upload)
        for _step in job.check():
            pass
        context["report_html"] = _report_html(key, upload, job, commit=False)
        return render_page(call, "import.html", status=200 if job.report.ok else 422, **context)

    @blueprint.post("/forms/<key>/import/commit")
    @page(write=True)
    def commit(call: PageCall, key: str) -> Response:
        """Import every row of an uploaded file, or none of them."""
        upload = _upload_id()
        context = _page_context(call, key)
        if _wants_stream():
            return _stream(call, key, upload, commit=True)
        with flow_environment(call.runtime.settings.default_timezone):
            job = _job(call, call.session, key, upload)
            for _step in job.commit():
                pass
        if job.report.ok:
            flash(
                _("{count} record(s) imported.", count=len(job.created)).render(call.locale),
                "success",
            )
            return see_other(f"/forms/{key}/records")
        context["report_html"] = _report_html(key, upload, job, commit=True)
        return render_page(call, "import.html", status=422, **context)
