"""The Flask application factory: the one place where the web layer is wired together."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from formflow.config import Settings, load_settings
from formflow.errors import FormflowError
from formflow.storage.db import Database
from formflow.web import api, pages
from formflow.web.jsonio import FormflowJSONProvider, to_json
from formflow.web.pages.errors import (
    formflow_error_page,
    http_error_page,
    internal_error_page,
    is_page_request,
)
from formflow.web.problems import http_problem, internal_problem, problem_response
from formflow.web.runtime import Runtime, current_runtime
from formflow.web.security import add_security_headers, refuse_nul_characters, request_locale

log = logging.getLogger("formflow.web")

MAX_ID = 2**63 - 1


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` limited to 0 ... 2**63-1, the range of database ids."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    overrides: dict[str, Any] | None = None,
) -> Flask:
    """Build the WSGI app. Tests pass their own settings and database; ``serve`` passes none."""
    settings = settings or load_settings(overrides)
    database = database or Database(settings.effective_database_url)
    app = Flask("formflow", static_folder=None)
    # Ids in paths are 64-bit: a larger number is simply not found (never a database error).
    app.url_map.converters["int"] = BoundedIntConverter
    app.json = FormflowJSONProvider(app)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        # The API checks its own, smaller JSON limit; this one bounds uploads.
        MAX_CONTENT_LENGTH=max(settings.max_request_bytes, settings.max_upload_bytes) + 65536,
        SESSION_COOKIE_NAME="formflow_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_absolute_hours),
    )
    app.extensions["formflow"] = Runtime(settings=settings, database=database)
    app.register_blueprint(api.blueprint())
    pages.init_app(app)
    _register_error_handlers(app)
    app.before_request(refuse_nul_characters)
    app.after_request(add_security_headers)

    @app.get("/healthz")
    def healthz() -> Response:
        """Liveness and database reachability, for load balancers."""
        database = current_runtime().database
        if not database.is_reachable():
            body = {"status": "unavailable", "database": "unreachable"}
            return Response(to_json(body), status=503, mimetype="application/json")
        body = {"status": "ok", "database": database.dialect}
        return Response(to_json(body), mimetype="application/json")

    return app


def _locale_for_error() -> str:
    try:
        return request_locale(current_runtime(), g.get("actor"))
    except Exception:  # never let locale negotiation turn an error page into a crash
        return "en"


def _register_error_handlers(app: Flask) -> None:
    # Pages answer with HTML error pages in the reader's language; /api with problem+json.
    @app.errorhandler(FormflowError)
    def handle_formflow_error(error: FormflowError) -> Response:
        if is_page_request():
            return formflow_error_page(error)
        return problem_response(error, _locale_for_error())

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException) -> Response:
        if is_page_request():
            return http_error_page(error)
        return http_problem(error, _locale_for_error(), request.method)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> Response:
        if is_page_request():
            return internal_error_page(error)
        return internal_problem(error, _locale_for_error())
