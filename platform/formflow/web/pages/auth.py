"""Logging in and out, and the language switch in the header.

Login takes a username or e-mail and a password, is CSRF-protected (the form carries the
session's token) and throttled by :func:`formflow.services.auth.check_login`: a failure is
counted and committed before the error is shown, exactly as the API does. A successful login
starts a new server-side session under a new id (no session fixation).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, request, session
from werkzeug.wrappers import Response

from formflow.errors import TooManyRequests
from formflow.i18n import SUPPORTED_LOCALES, _
from formflow.services import auth, preferences
from formflow.web.pages.pagecall import PageCall, page, safe_next, see_other
from formflow.web.pages.pagelocale import SESSION_LANG, browser_locale
from formflow.web.pages.render import render_page
from formflow.web.security import login_browser

MAX_LOGIN_LENGTH = 254
MAX_PASSWORD_LENGTH = 256


def register(blueprint: Blueprint) -> None:
    @blueprint.route("/login", methods=["GET", "POST"])
    @page(anonymous=True, write=True)
    def login(call: PageCall) -> Any:
        """The login form; on POST, check the credentials and start a session."""
        target = safe_next(request.values.get("next"))
        if call.actor is not None and request.method == "GET":
            return see_other(target)
        if request.method == "GET":
            return render_page(call, "login.html", next=target, login="", error=None)
        login_name = request.form.get("login", "").strip()[:MAX_LOGIN_LENGTH]
        password = request.form.get("password", "")[:MAX_PASSWORD_LENGTH]
        if not login_name or not password:
            error = _("Enter your username (or e-mail) and your password.")
            return render_page(
                call,
                "login.html",
                status=400,
                next=target,
                login=login_name,
                error=error.render(call.locale),
            )
        outcome = auth.check_login(
            call.session,
            call.runtime.auth_policy,
            login_name,
            password,
            client=request.remote_addr or "",
        )
        if outcome.failure is not None:
            # Returning (not raising) lets the unit of work commit the failure count.
            status = 429 if isinstance(outcome.failure, TooManyRequests) else 401
            response = render_page(
                call,
                "login.html",
                status=status,
                next=target,
                login=login_name,
                error=outcome.failure.render(call.locale),
            )
            if isinstance(outcome.failure, TooManyRequests):
                response.headers["Retry-After"] = str(outcome.failure.retry_after)
            return response
        user = outcome.user_or_raise()
        actor = auth.actor_for(call.session, user)
        offered = session.get(SESSION_LANG) or browser_locale(call.runtime)
        preferences.settle_locale_at_login(call.session, actor, str(offered))
        sid = auth.start_session(call.session, user, request.headers.get("User-Agent", ""))
        login_browser(call.runtime, sid)
        return see_other(target)

    @blueprint.post("/logout")
    @page(write=True)
    def logout(call: PageCall) -> Response:
        """End this browser's session (on the server too) and return to the login page."""
        sid = session.get("sid")
        if sid:
            auth.end_session(call.session, str(sid))
        locale = call.locale
        session.clear()
        session[SESSION_LANG] = locale
        flash(_("You are logged out.").render(locale), "info")
        return see_other("/login")

    @blueprint.post("/language")
    @page(anonymous=True, write=True)
    def switch_language(call: PageCall) -> Response:
        """The header's language switch: the profile language, or (anonymous) this visit's."""
        wanted = request.form.get("lang", "")
        target = safe_next(request.form.get("next"))
        if wanted not in SUPPORTED_LOCALES:
            flash(
                _(
                    "Unknown language {value!r}; use one of {choices}.",
                    value=wanted[:20],
                    choices=", ".join(SUPPORTED_LOCALES),
                ).render(call.locale),
                "error",
            )
            return see_other(target)
        if call.actor is not None:
            preferences.choose_locale(call.session, call.actor, wanted)
        session[SESSION_LANG] = wanted
        return see_other(target)
