"""Error pages for people: the same error table as the API, shown as HTML in the reader's
language, never with a traceback. Paths under ``/api`` keep their problem+json answers.

A page that needs a login sends the browser to the login page instead of showing 401.
"""

from __future__ import annotations

import logging

from flask import Response, g, render_template, request
from werkzeug.exceptions import HTTPException

from formflow.errors import AuthenticationRequired, FormflowError
from formflow.i18n import Msg, _
from formflow.web.pages.pagecall import login_url
from formflow.web.pages.pagelocale import page_locale
from formflow.web.pages.render import frame_context
from formflow.web.problems import status_for
from formflow.web.runtime import current_runtime

log = logging.getLogger("formflow.web")

_HTTP_TITLES: dict[int, tuple[Msg, Msg]] = {
    400: (_("Bad request"), _("The request could not be understood.")),
    403: (_("Forbidden"), _("You are not allowed to open this page.")),
    404: (_("Page not found"), _("There is nothing at this address.")),
    405: (_("Not allowed"), _("This address does not accept the method {method}.")),
    413: (_("Too large"), _("The request is larger than the server accepts.")),
}


def is_page_request() -> bool:
    """True for requests that expect HTML (everything but the API and the health check)."""
    path = request.path
    return not (path == "/api" or path.startswith("/api/") or path == "/healthz")


def _locale() -> str:
    cached = g.get("page_locale")
    if cached:
        return str(cached)
    try:
        return page_locale(current_runtime(), g.get("actor"))
    except Exception:  # never let language negotiation turn an error page into a crash
        return "en"


def render_error(status: int, title: Msg, detail: Msg) -> Response:
    """The error page with ``status``; falls back to plain text if even that fails."""
    locale = _locale()
    try:
        html = render_template(
            "error.html",
            **frame_context(None, locale),
            status=status,
            title=title.render(locale),
            detail=detail.render(locale),
        )
        return Response(html, status=status, mimetype="text/html")
    except Exception:  # the error page itself must not fail with a traceback
        log.exception("the error page could not be rendered")
        return Response(title.render(locale), status=status, mimetype="text/plain")


def formflow_error_page(error: FormflowError) -> Response:
    """A platform error (not found, forbidden, expired form …) as a page."""
    if isinstance(error, AuthenticationRequired):
        return Response(status=302, headers={"Location": login_url(request.full_path)})
    status, title = status_for(error)
    return render_error(status, title, error.message)


def http_error_page(error: HTTPException) -> Response:
    """A werkzeug HTTP error (unknown address, wrong method) as a page."""
    status = error.code or 500
    title, detail = _HTTP_TITLES.get(status, (Msg(error.name or "Error"), Msg(error.name or "")))
    response = render_error(status, title, Msg(detail.text, {"method": request.method}))
    allowed = getattr(error, "valid_methods", None)
    if status == 405 and allowed:
        response.headers["Allow"] = ", ".join(allowed)
    return response


def internal_error_page(error: BaseException) -> Response:
    """An unexpected failure: logged with its traceback, shown without it."""
    log.exception("unexpected error", exc_info=error)
    return render_error(
        500,
        _("Internal error"),
        _(
            "Something went wrong on our side; nothing was saved. Please try again; if it "
            "keeps happening, tell your administrator."
        ),
    )
