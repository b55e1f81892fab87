"""The API's route table: each operation is declared once, with its schemas, and the same
declaration drives request parsing, the unit of work, response shaping and the OpenAPI document.

A handler receives an :class:`ApiCall` (session, actor, locale, parsed body and query) and the
path parameters, calls one service, and returns what the response schema dumps. It never
commits: the operation commits once after the handler returns, or rolls back if it raised.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, request
from marshmallow import Schema, ValidationError
from sqlalchemy.orm import Session

from formflow.errors import (
    AuthenticationRequired,
    InvalidInput,
    Issue,
    UnsupportedMediaType,
    ValidationFailed,
)
from formflow.i18n import Msg, _
from formflow.services.actor import Actor
from formflow.web.jsonio import read_json_body, to_json
from formflow.web.runtime import Runtime, current_runtime
from formflow.web.security import check_csrf, request_locale, resolve_actor


@dataclass
class ApiCall:
    """Everything a handler may use. ``actor`` is None only on anonymous operations."""

    runtime: Runtime
    session: Session
    actor: Actor
    locale: str
    body: Any = None
    query: dict[str, Any] = field(default_factory=dict)
    #: The uploaded file of an ``upload`` operation (multipart field ``file``).
    upload: Any = None
    #: An error to raise after the unit of work commits (e.g. a failed login whose failure
    #: count must be stored while the login itself is refused).
    error_after_commit: Exception | None = None


Handler = Callable[..., Any]


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str
    handler: Handler
    summary: str
    tag: str
    body: type[Schema] | None = None
    query: type[Schema] | None = None
    response: type[Schema] | None = None
    many: bool = False
    status: int = 200
    anonymous: bool = False
    write: bool = True
    errors: tuple[int, ...] = ()
    description: str = ""
    upload: bool = False
    #: The operation answers a file (any media type) instead of JSON.
    binary: bool = False

    @property
    def openapi_path(self) -> str:
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", "/api" + self.rule)


class Api:
    """A blueprint plus the list of operations declared on it."""

    def __init__(self) -> None:
        self.blueprint = Blueprint("api", __name__, url_prefix="/api")
        self.operations: list[Operation] = []

    def operation(
        self,
        method: str,
        rule: str,
        *,
        summary: str,
        tag: str,
        body: type[Schema] | None = None,
        query: type[Schema] | None = None,
        response: type[Schema] | None = None,
        many: bool = False,
        status: int = 200,
        anonymous: bool = False,
        errors: tuple[int, ...] = (),
        description: str = "",
        upload: bool = False,
        binary: bool = False,
    ) -> Callable[[Handler], Handler]:
        def decorator(handler: Handler) -> Handler:
            op = Operation(
                method=method.upper(),
                rule=rule,
                handler=handler,
                summary=summary,
                tag=tag,
                body=body,
                query=query,
                response=response,
                many=many,
                status=status,
                anonymous=anonymous,
                write=method.upper() not in {"GET", "HEAD"},
                errors=errors,
                description=description or (handler.__doc__ or "").strip(),
                upload=upload,
                binary=binary,
            )
            self.operations.append(op)

            def view(**path_args: Any) -> Response:
                return run_operation(op, path_args)

            self.blueprint.add_url_rule(
                rule, endpoint=handler.__name__, view_func=view, methods=[op.method]
            )
            return handler

        return decorator


def run_operation(op: Operation, path_args: Mapping[str, Any]) -> Response:
    runtime = current_runtime()
    actor = resolve_actor(runtime)
    if actor is None and not op.anonymous:
        raise AuthenticationRequired(
            _("Log in first: send Authorization: Bearer <token> (see POST /api/auth/token).")
        )
    if actor is not None:
        check_csrf()
    locale = request_locale(runtime, actor)
    query = _load(op.query, request.args.to_dict(), "query") if op.query else {}
    upload = _read_upload() if op.upload else None
    try:
        return _run(op, path_args, runtime, actor, locale, query, upload)
    finally:
        if upload is not None:
            upload.close()


def _run(
    op: Operation,
    path_args: Mapping[str, Any],
    runtime: Runtime,
    actor: Actor | None,
    locale: str,
    query: dict[str, Any],
    upload: Any,
) -> Response:
    body = None
    if op.body is not None:
        raw = read_json_body(request, runtime.settings.max_request_bytes)
        body = _load(op.body, raw, "body")
    with runtime.database.session(write=op.write) as session:
        call = ApiCall(
            runtime=runtime,
            session=session,
            actor=actor,  # type: ignore[arg-type]  # None only for anonymous operations
            locale=locale,
            body=body,
            query=query,
            upload=upload,
        )
        result = op.handler(call, **path_args)
        payload = None
        if not isinstance(result, Response):
            payload = op.response(many=op.many).dump(result) if op.response is not None else result
    if call.error_after_commit is not None:
        raise call.error_after_commit
    if isinstance(result, Response):
        return result
    if op.status == 204:
        return Response(status=204)
    return Response(to_json(payload), status=op.status, mimetype="application/json")


def _read_upload() -> Any:
    if request.mimetype != "multipart/form-data" or "file" not in request.files:
        raise UnsupportedMediaType(_("Send the file as multipart/form-data in a field named file."))
    return request.files["file"]


def _load(schema_cls: type[Schema], raw: Any, where: str) -> Any:
    if where == "body" and not isinstance(raw, dict):
        raise InvalidInput(_("The body must be a JSON object."))
    try:
        return schema_cls().load(raw)
    except ValidationError as exc:
        issues = list(_issues(exc.messages, "$" if where == "body" else "$query"))
        raise ValidationFailed(issues) from None


def _issues(messages: Any, path: str) -> Any:
    if isinstance(messages, dict):
        for key, value in messages.items():
            child = f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}"
            yield from _issues(value, child)
    elif isinstance(messages, list):
        for message in messages:
            if isinstance(message, dict | list):
                yield from _issues(message, path)
            else:
                text, code = translate_marshmallow(str(message))
                yield Issue(path=path, message=text, code=code)
    else:
        text, code = translate_marshmallow(str(messages))
        yield Issue(path=path, message=text, code=code)


_MARSHMALLOW_MESSAGES: tuple[
    tuple[re.Pattern[str], Msg | Callable[[re.Match[str]], Msg], str], ...
] = (
    (re.compile(r"^Missing data for required field\.$"), _("This field is required."), "required"),
    (re.compile(r"^Unknown field\.$"), _("Unknown field: remove it."), "unknown_field"),
    (re.compile(r"^Field may not be null\.$"), _("This field may not be null."), "null"),
    (re.compile(r"^Not a valid string\.$"), _("Must be text."), "type"),
    (re.compile(r"^Not a valid integer\.$"), _("Must be a whole number."), "type"),
    (re.compile(r"^Not a valid number\.$"), _("Must be a number."), "type"),
    (re.compile(r"^Not a valid boolean\.$"), _("Must be true or false."), "type"),
    (re.compile(r"^Not a valid mapping type\.$"), _("Must be a JSON object."), "type"),
    (re.compile(r"^Not a valid list\.$"), _("Must be a JSON array."), "type"),
    (re.compile(r"^Invalid input type\.$"), _("Wrong type of value."), "type"),
    (re.compile(r"^Not a valid datetime\.$"), _("Must be a date and time (ISO 8601)."), "type"),
    (re.compile(r"^Not a valid date\.$"), _("Must be a date (YYYY-MM-DD)."), "type"),
    (re.compile(r"^Not a valid email address\.$"), _("Must be an e-mail address."), "format"),
    (
        re.compile(r"^Length must be between (\d+) and (\d+)\.$"),
        lambda m: _("Length must be between {min} and {max}.", min=m[1], max=m[2]),
        "length",
    ),
    (
        re.compile(r"^Shorter than minimum length (\d+)\.$"),
        lambda m: _("Must have at least {min} characters.", min=m[1]),
        "length",
    ),
    (
        re.compile(r"^Longer than maximum length (\d+)\.$"),
        lambda m: _("Must have at most {max} characters.", max=m[1]),
        "length",
    ),
    (
        re.compile(r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$"),
        lambda m: _("Must be between {min} and {max}.", min=m[1], max=m[2]),
        "range",
    ),
    (
        re.compile(r"^Must be greater than or equal to (\S+)\.$"),
        lambda m: _("Must be at least {min}.", min=m[1]),
        "range",
    ),
    (
        re.compile(r"^Must be less than or equal to (\S+)\.$"),
        lambda m: _("Must be at most {max}.", max=m[1]),
        "range",
    ),
    (
        re.compile(r"^Must be one of: (.*)\.$"),
        lambda m: _("Must be one of: {choices}.", choices=m[1]),
        "enum",
    ),
    (
        re.compile(r"^String does not match expected pattern\.$"),
        _("Has the wrong format."),
        "pattern",
    ),
)


def translate_marshmallow(message: str) -> tuple[Msg, str]:
    """Map one of marshmallow's English messages onto a translatable one (by pattern)."""
    for pattern, target, code in _MARSHMALLOW_MESSAGES:
        match = pattern.match(message)
        if match:
            return (target(match) if callable(target) else target), code
    return Msg(message), "invalid"
