"""My profile: display name, language, time zone, and changing my password.

Both forms post back to the page; a refused change shows its message above the form and
keeps what was typed (passwords excepted). Changing the password ends every session and token
of the account — the services do that — and this browser gets a fresh session right away.
"""

from __future__ import annotations

import functools
import zoneinfo
from typing import Any

from flask import Blueprint, flash, request
from werkzeug.wrappers import Response

from formflow.errors import FormflowError
from formflow.i18n import SUPPORTED_LOCALES, _
from formflow.services import auth, org, preferences
from formflow.web.pages.pagecall import PageCall, page, see_other
from formflow.web.pages.render import render_page
from formflow.web.security import login_browser

LANGUAGE_NAMES = {"zh-CN": "中文（简体）", "en": "English"}
MAX_FIELD = 256


@functools.cache
def time_zones() -> tuple[str, ...]:
    """Every IANA time zone name (for the profile's suggestions), sorted."""
    return tuple(sorted(name for name in zoneinfo.available_timezones() if "/" in name))


def _profile_page(call: PageCall, status: int = 200, **context: Any) -> Response:
    user = org.get_user(call.session, call.user.id or 0)
    values = {
        "display_name": user.display_name,
        "locale": user.locale,
        "timezone": user.timezone,
        **context.pop("values", {}),
    }
    return render_page(
        call,
        "profile.html",
        status=status,
        user=user,
        values=values,
        languages=[(code, LANGUAGE_NAMES[code]) for code in SUPPORTED_LOCALES],
        time_zones=time_zones(),
        profile_error=context.pop("profile_error", None),
        password_error=context.pop("password_error", None),
        **context,
    )


def register(blueprint: Blueprint) -> None:
    @blueprint.get("/profile")
    @page()
    def profile(call: PageCall) -> Response:
        """The profile page."""
        return _profile_page(call)

    @blueprint.post("/profile")
    @page(write=True)
    def update_profile(call: PageCall) -> Response:
        """Save display name, language and time zone."""
        values = {
            "display_name": request.form.get("display_name", "").strip()[:MAX_FIELD],
            "timezone": request.form.get("timezone", "").strip()[:MAX_FIELD],
            "locale": request.form.get("locale", "").strip()[:MAX_FIELD],
        }
        try:
            with call.session.begin_nested():
                org.update_user(
                    call.session,
                    call.user,
                    call.user.id or 0,
                    {"display_name": values["display_name"], "timezone": values["timezone"]},
                )
                preferences.choose_locale(call.session, call.user, values["locale"])
        except FormflowError as error:
            return _profile_page(
                call, status=400, values=values, profile_error=error.render(call.locale)
            )
        flash(_("Your profile is saved.").render(values["locale"]), "success")
        return see_other("/profile")

    @blueprint.post("/profile/password")
    @page(write=True)
    def change_password(call: PageCall) -> Response:
        """Change my password (the current one is required); keeps this browser logged in."""
        current = request.form.get("current_password", "")[:MAX_FIELD]
        new = request.form.get("new_password", "")[:MAX_FIELD]
        repeated = request.form.get("repeat_password", "")[:MAX_FIELD]
        if new != repeated:
            message = _("The two new passwords differ; type the same password twice.")
            return _profile_page(call, status=400, password_error=message.render(call.locale))
        try:
            with call.session.begin_nested():
                org.set_password(
                    call.session, call.user, call.user.id or 0, new, current_password=current
                )
        except FormflowError as error:
            return _profile_page(call, status=400, password_error=error.render(call.locale))
        user = org.get_user(call.session, call.user.id or 0)
        sid = auth.start_session(call.session, user, request.headers.get("User-Agent", ""))
        login_browser(call.runtime, sid)
        flash(
            _("Your password is changed; other devices must log in again.").render(call.locale),
            "success",
        )
        return see_other("/profile")
