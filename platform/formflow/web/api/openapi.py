"""The OpenAPI 3.1 document, generated from the operation table (never written by hand)."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from formflow import __version__
from formflow.web.api.registry import Api, Operation

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details; title and detail are in the caller's language.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "path": {"type": "string"},
                    "message": {"type": "string"},
                    "code": {"type": "string"},
                },
                "required": ["path", "message"],
            },
        },
        "diagnostics": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["type", "title", "status", "detail"],
}

_ERROR_TEXT = {
    400: "Malformed request",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found (or not visible to you)",
    409: "Conflict with the current state",
    413: "Body too large",
    415: "Body is not JSON",
    422: "Invalid data; `errors` lists every problem",
    429: "Throttled; see Retry-After",
}


def build_openapi(api: Api) -> dict[str, Any]:
    spec = APISpec(
        title="Formflow API",
        version=__version__,
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={
            "description": "Forms as JSON Schema, records, flows and packs. "
            "Authenticate with `Authorization: Bearer <token>` from POST /api/auth/token."
        },
    )
    spec.components.schema("Problem", PROBLEM_SCHEMA)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    by_path: dict[str, dict[str, Any]] = {}
    for op in api.operations:
        by_path.setdefault(op.openapi_path, {})[op.method.lower()] = _operation(op)
    for path, operations in sorted(by_path.items()):
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }


def _operation(op: Operation) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": op.handler.__name__,
        "summary": op.summary,
        "tags": [op.tag],
        "responses": {},
    }
    if op.description:
        operation["description"] = op.description
    if not op.anonymous:
        operation["security"] = [{"bearer": []}]
    if op.query is not None:
        operation["parameters"] = [{"in": "query", "schema": op.query}]
    path_params = [part[1:-1] for part in op.openapi_path.split("/") if part.startswith("{")]
    for name in path_params:
        converter = "integer" if f"<int:{name}>" in op.rule else "string"
        operation.setdefault("parameters", []).append(
            {"in": "path", "name": name, "required": True, "schema": {"type": converter}}
        )
    if op.upload:
        operation["requestBody"] = {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                }
            },
        }
    if op.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": op.body}},
        }
    success: dict[str, Any] = {"description": "Success"}
    if op.binary:
        success["content"] = {"*/*": {"schema": {"type": "string", "format": "binary"}}}
    elif op.status != 204 and op.response is not None:
        schema: Any = op.response
        if op.many:
            schema = {"type": "array", "items": op.response}
        success["content"] = {"application/json": {"schema": schema}}
    elif op.status != 204:
        success["content"] = {"application/json": {"schema": {"type": "object"}}}
    operation["responses"][str(op.status)] = success
    statuses = {400, 422, *op.errors}
    if op.body is not None or op.upload:
        statuses |= {413, 415}
    if not op.anonymous:
        statuses |= {401}
    for status in sorted(statuses):
        operation["responses"][str(status)] = _problem(_ERROR_TEXT.get(status, "Error"))
    operation["responses"]["default"] = _problem("Unexpected error")
    return operation
