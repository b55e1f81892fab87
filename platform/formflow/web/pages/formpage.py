"""The form page: fill in a new record, or continue a draft.

The page is rendered from the form's JSON Schema and UI schema (:mod:`.formlayout`); the
browser script then talks to the REST API only — it posts the values to
``/api/forms/{key}/validate`` while the user types and applies the answer (problems,
computed values, what is visible, required and read-only), and saves with
``POST /api/forms/{key}/records`` or, for a draft, ``PATCH /api/records/{id}``. So the rules
have one implementation, on the server, and the same checks run again on every save.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, flash
from werkzeug.wrappers import Response

from formflow.errors import NotFound
from formflow.i18n import _
from formflow.services import forms as form_service
from formflow.services import org, records
from formflow.services.authz import Action, require_form_action, require_record_write
from formflow.services.records import DRAFT
from formflow.web.pages.assets import region_catalogue_url
from formflow.web.pages.display import referenced_ids
from formflow.web.pages.formlayout import FieldView, FormLayout, build_layout
from formflow.web.pages.pagecall import PageCall, page, see_other
from formflow.web.pages.render import render_page
from formflow.web.pages.scriptmessages import script_messages


def reference_labels(
    call: PageCall, fields: Mapping[str, FieldView], data: Mapping[str, Any]
) -> dict[str, str]:
    """Names for the users, departments and records ``data`` refers to (keys like
    ``"user:7"``), so pickers show names, not ids. Records the reader may not see are left
    out: their label is not theirs to know."""
    ids = referenced_ids(fields, data)
    labels: dict[str, str] = {}
    chart = org.load_org_chart(call.session)
    for user_id in ids["user"]:
        user = chart.user(user_id)
        if user is not None:
            labels[f"user:{user_id}"] = user.display_name
    for department_id in ids["department"]:
        department = chart.departments.get(department_id)
        if department is not None:
            labels[f"department:{department_id}"] = department.name
    for record_id in sorted(ids["link"]):
        try:
            found = records.get_record(call.session, call.user, record_id)
        except NotFound:
            continue
        labels[f"record:{record_id}"] = found.record.label or f"#{record_id}"
    return labels


def _page_config(
    call: PageCall,
    layout: FormLayout,
    *,
    mode: str,
    data: Mapping[str, Any],
    record_id: int | None = None,
    version: int | None = None,
) -> dict[str, Any]:
    return {
        "form": layout.key,
        "mode": mode,
        "record": record_id,
        "version": version,
        "data": dict(data),
        "refs": reference_labels(call, layout.fields, data),
        "locale": call.locale,
        "timezone": call.user.timezone,
        "maxUpload": call.runtime.settings.max_upload_bytes,
        "regionCatalogue": region_catalogue_url(),
        "messages": script_messages(call.locale),
    }


def register(blueprint: Blueprint) -> None:
    @blueprint.get("/forms/<key>/new")
    @page()
    def new_record(call: PageCall, key: str) -> Response:
        """An empty form of the current version of ``key``."""
        view = form_service.get_form(call.session, key)
        require_form_action(call.session, call.user, view.form, Action.CREATE)
        compiled = form_service.compiled(call.session, view)
        layout = build_layout(compiled, key, view.version.title, call.locale, entry=True)
        return render_page(
            call,
            "form.html",
            layout=layout,
            config=_page_config(call, layout, mode="new", data={}),
            record=None,
        )

    @blueprint.get("/records/<int:record_id>/edit")
    @page()
    def edit_draft(call: PageCall, record_id: int) -> Response:
        """Continue a draft (it moves to the form's current version when saved)."""
        found = records.get_record(call.session, call.user, record_id)
        record = found.record
        if record.status != DRAFT:
            flash(
                _(
                    "Record {id} is already submitted; it can no longer be edited here.",
                    id=record_id,
                ).render(call.locale),
                "info",
            )
            return see_other(f"/records/{record_id}")
        require_record_write(call.session, call.user, found.form.form, record)
        current = form_service.get_form(call.session, found.form.key)
        compiled = form_service.compiled(call.session, current)
        layout = build_layout(compiled, current.key, current.version.title, call.locale, entry=True)
        config = _page_config(
            call,
            layout,
            mode="edit",
            data=record.data,
            record_id=record.id,
            version=record.version,
        )
        return render_page(call, "form.html", layout=layout, config=config, record=record)
