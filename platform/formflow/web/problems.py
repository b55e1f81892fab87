"""Errors to HTTP: the one table from error kind to status, rendered as RFC 9457 problems.

A problem document is ``{"type", "title", "status", "detail", "errors"?, "diagnostics"?}`` with
``Content-Type: application/problem+json``. ``title`` and ``detail`` are in the reader's language.
Nothing from a Python traceback ever reaches a response.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Response
from werkzeug.exceptions import HTTPException

from formflow import errors
from formflow.i18n import Msg, _
from formflow.web.jsonio import to_json

log = logging.getLogger("formflow.web")

PROBLEM_TYPE_BASE = "https://formflow.dev/problems/"

#: Most specific class first; the first match decides the status.
STATUS_BY_ERROR: tuple[tuple[type[errors.FormflowError], int, Msg], ...] = (
    (errors.UnsupportedMediaType, 415, _("Unsupported media type")),
    (errors.InvalidInput, 400, _("Bad request")),
    (errors.DefinitionInvalid, 422, _("Invalid definition")),
    (errors.ConstraintViolated, 422, _("Rule violated")),
    (errors.ValidationFailed, 422, _("Invalid data")),
    (errors.SourceError, 422, _("Invalid source text")),
    (errors.EvaluationFailed, 422, _("Cannot evaluate")),
    (errors.AuthenticationRequired, 401, _("Authentication required")),
    (errors.PermissionDenied, 403, _("Forbidden")),
    (errors.NotFound, 404, _("Not found")),
    (errors.StaleVersion, 409, _("Changed by someone else")),
    (errors.TransitionNotAllowed, 409, _("Not allowed now")),
    (errors.Conflict, 409, _("Conflict")),
    (errors.PayloadTooLarge, 413, _("Payload too large")),
    (errors.TooManyRequests, 429, _("Too many requests")),
    (errors.ConfigurationError, 500, _("Server misconfigured")),
)


def status_for(error: errors.FormflowError) -> tuple[int, Msg]:
    for kind, status, title in STATUS_BY_ERROR:
        if isinstance(error, kind):
            return status, title
    return 400, _("Bad request")


def problem_document(error: errors.FormflowError, locale: str) -> tuple[dict[str, Any], int]:
    status, title = status_for(error)
    document: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + error.code,
        "title": title.render(locale),
        "status": status,
        "detail": error.render(locale),
    }
    if error.issues:
        document["errors"] = [issue.render(locale) for issue in error.issues]
    if error.diagnostics:
        document["diagnostics"] = [d.render(locale) for d in error.diagnostics]
    return document, status


def problem_response(error: errors.FormflowError, locale: str) -> Response:
    document, status = problem_document(error, locale)
    response = Response(to_json(document), status=status, mimetype="application/problem+json")
    if isinstance(error, errors.TooManyRequests):
        response.headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, errors.AuthenticationRequired):
        response.headers["WWW-Authenticate"] = 'Bearer realm="formflow"'
    return response


_HTTP_MESSAGES: dict[int, Msg] = {
    400: _("The request could not be understood."),
    404: _("There is nothing at this address."),
    405: _("This address does not accept the method {method}."),
    413: _("The request is larger than the server accepts."),
    415: _("Unsupported media type."),
}


def http_problem(exc: HTTPException, locale: str, method: str = "") -> Response:
    """A werkzeug HTTP error (unknown route, wrong method, body too large) as a problem."""
    status = exc.code or 500
    message = _HTTP_MESSAGES.get(status, Msg(exc.name or "Error"))
    document = {
        "type": PROBLEM_TYPE_BASE + f"http-{status}",
        "title": Msg(exc.name or "Error").render(locale),
        "status": status,
        "detail": Msg(message.text, {"method": method}).render(locale),
    }
    response = Response(to_json(document), status=status, mimetype="application/problem+json")
    if status == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def internal_problem(exc: BaseException, locale: str) -> Response:
    """An unexpected failure: logged with its traceback, answered without it."""
    log.exception("unexpected error", exc_info=exc)
    document = {
        "type": PROBLEM_TYPE_BASE + "internal",
        "title": _("Internal error").render(locale),
        "status": 500,
        "detail": _(
            "Something went wrong on our side; nothing was saved. Please try again; if it "
            "keeps happening, tell your administrator."
        ).render(locale),
    }
    return Response(to_json(document), status=500, mimetype="application/problem+json")
