"""API: companies (legal entities) and positions, kept by administrators."""

from __future__ import annotations

from typing import Any

from formflow.services import companies
from formflow.web.api import schemas
from formflow.web.api.registry import Api, ApiCall


def register(api: Api) -> None:
    @api.operation(
        "GET",
        "/companies",
        summary="List companies",
        tag="org",
        response=schemas.CompanyOut,
        many=True,
    )
    def list_companies(call: ApiCall) -> Any:
        return companies.list_companies(call.session)

    @api.operation(
        "POST",
        "/companies",
        summary="Create a company (admin)",
        tag="org",
        body=schemas.CompanyCreate,
        response=schemas.CompanyOut,
        status=201,
        errors=(403, 409),
    )
    def create_company(call: ApiCall) -> Any:
        return companies.create_company(call.session, call.actor, **call.body)

    @api.operation(
        "PATCH",
        "/companies/<int:company_id>",
        summary="Change a company (admin)",
        tag="org",
        body=schemas.CompanyUpdate,
        response=schemas.CompanyOut,
        errors=(403, 404, 409),
    )
    def update_company(call: ApiCall, company_id: int) -> Any:
        return companies.update_company(call.session, call.actor, company_id, call.body)

    @api.operation(
        "DELETE",
        "/companies/<int:company_id>",
        summary="Delete a company that nothing refers to (admin)",
        tag="org",
        status=204,
        errors=(403, 404, 409),
        description="Refused with 409 while departments or positions belong to it.",
    )
    def delete_company(call: ApiCall, company_id: int) -> Any:
        companies.delete_company(call.session, call.actor, company_id)
        return None

    @api.operation(
        "GET",
        "/positions",
        summary="List positions",
        tag="org",
        query=schemas.PositionListQuery,
        response=schemas.PositionOut,
        many=True,
    )
    def list_positions(call: ApiCall) -> Any:
        return companies.list_positions(call.session, company_id=call.query["company_id"])

    @api.operation(
        "POST",
        "/positions",
        summary="Create a position (admin)",
        tag="org",
        body=schemas.PositionCreate,
        response=schemas.PositionOut,
        status=201,
        errors=(403, 409),
    )
    def create_position(call: ApiCall) -> Any:
        return companies.create_position(call.session, call.actor, **call.body)

    @api.operation(
        "PATCH",
        "/positions/<int:position_id>",
        summary="Change a position (admin)",
        tag="org",
        body=schemas.PositionUpdate,
        response=schemas.PositionOut,
        errors=(403, 404, 409),
    )
    def update_position(call: ApiCall, position_id: int) -> Any:
        return companies.update_position(call.session, call.actor, position_id, call.body)

    @api.operation(
        "DELETE",
        "/positions/<int:position_id>",
        summary="Delete a position nobody holds (admin)",
        tag="org",
        status=204,
        errors=(403, 404, 409),
        description="Refused with 409 while people hold it.",
    )
    def delete_position(call: ApiCall, position_id: int) -> Any:
        companies.delete_position(call.session, call.actor, position_id)
        return None
