"""The REST API under /api: one operation table, assembled here from the domain modules."""

from __future__ import annotations

import functools
from typing import Any

from flask import Blueprint, Response

from formflow.web.api import auth, companies, files, flows, forms, org, packs, records, tasks
from formflow.web.api.openapi import build_openapi
from formflow.web.api.registry import Api
from formflow.web.jsonio import to_json


@functools.cache
def build_api() -> Api:
    """The API with every operation registered (built once per process)."""
    api = Api()
    for module in (auth, org, companies, forms, records, files, packs, flows, tasks):
        module.register(api)

    @api.blueprint.get("/openapi.json")
    def openapi() -> Response:
        return Response(to_json(_openapi_document()), mimetype="application/json")

    return api


@functools.cache
def _openapi_document() -> dict[str, Any]:
    return build_openapi(build_api())


def blueprint() -> Blueprint:
    return build_api().blueprint
