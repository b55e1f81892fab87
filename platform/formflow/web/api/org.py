"""API: users, departments and roles (the org every flow resolves approvers from)."""

from __future__ import annotations

from typing import Any

from formflow.errors import InvalidInput
from formflow.i18n import _
from formflow.services import org
from formflow.web.api import schemas
from formflow.web.api.registry import Api, ApiCall


def _role_dict(call: ApiCall, role: Any) -> dict[str, Any]:
    members = org.role_members(call.session, role)
    return {
        "key": role.key,
        "name": role.name,
        "pack": role.pack,
        "members": [{"user_id": m.user_id, "department_id": m.department_id} for m in members],
    }


def register(api: Api) -> None:
    @api.operation(
        "GET",
        "/users",
        summary="Search the user directory",
        tag="org",
        query=schemas.UserListQuery,
        response=schemas.UserPage,
    )
    def list_users(call: ApiCall) -> Any:
        q = call.query
        after = q.get("cursor") or "0"
        if not after.isdigit():
            raise InvalidInput(_("The cursor {value!r} is not valid.", value=after))
        page, total = org.list_users(
            call.session,
            call.actor,
            query=q["q"],
            department_id=q["department_id"],
            include_inactive=q["include_inactive"],
            limit=q["limit"] + 1,
            after_id=int(after),
        )
        more = len(page) > q["limit"]
        page = page[: q["limit"]]
        return {
            "items": [schemas.user_dict(u) for u in page],
            "total": total,
            "next": str(page[-1].id) if more and page else None,
        }

    @api.operation(
        "POST",
        "/users",
        summary="Create a user (admin)",
        tag="org",
        body=schemas.UserCreate,
        response=schemas.UserOut,
        status=201,
        errors=(403, 409),
    )
    def create_user(call: ApiCall) -> Any:
        values = dict(call.body)
        return schemas.user_dict(
            org.create_user(
                call.session,
                call.actor,
                username=values.pop("username"),
                display_name=values.pop("display_name", None),
                password=values.pop("password", None),
                **values,
            )
        )

    @api.operation(
        "GET",
        "/users/<int:user_id>",
        summary="Read a user",
        tag="org",
        response=schemas.UserOut,
        errors=(404,),
    )
    def get_user(call: ApiCall, user_id: int) -> Any:
        return schemas.user_dict(org.get_user(call.session, user_id))

    @api.operation(
        "PATCH",
        "/users/<int:user_id>",
        summary="Change a user",
        tag="org",
        body=schemas.UserUpdate,
        response=schemas.UserOut,
        errors=(403, 404, 409),
        description="Admins change anything; users only their own profile. Deactivating a "
        "user ends their sessions and tokens.",
    )
    def update_user(call: ApiCall, user_id: int) -> Any:
        return schemas.user_dict(org.update_user(call.session, call.actor, user_id, call.body))

    @api.operation(
        "GET",
        "/departments",
        summary="List departments",
        tag="org",
        response=schemas.DepartmentOut,
        many=True,
    )
    def list_departments(call: ApiCall) -> Any:
        return org.list_departments(call.session)

    @api.operation(
        "POST",
        "/departments",
        summary="Create a department (admin)",
        tag="org",
        body=schemas.DepartmentCreate,
        response=schemas.DepartmentOut,
        status=201,
        errors=(403, 409),
    )
    def create_department(call: ApiCall) -> Any:
        return org.create_department(call.session, call.actor, **call.body)

    @api.operation(
        "PATCH",
        "/departments/<int:department_id>",
        summary="Change a department (admin)",
        tag="org",
        body=schemas.DepartmentUpdate,
        response=schemas.DepartmentOut,
        errors=(403, 404, 409),
    )
    def update_department(call: ApiCall, department_id: int) -> Any:
        return org.update_department(call.session, call.actor, department_id, call.body)

    @api.operation(
        "GET",
        "/roles",
        summary="List roles and their members",
        tag="org",
        response=schemas.RoleOut,
        many=True,
    )
    def list_roles(call: ApiCall) -> Any:
        return [_role_dict(call, role) for role in org.list_roles(call.session)]

    @api.operation(
        "POST",
        "/roles",
        summary="Create a role (admin)",
        tag="org",
        body=schemas.RoleCreate,
        response=schemas.RoleOut,
        status=201,
        errors=(403,),
    )
    def create_role(call: ApiCall) -> Any:
        role = org.ensure_role(call.session, call.actor, call.body["key"], call.body["name"])
        return _role_dict(call, role)

    @api.operation(
        "POST",
        "/roles/<role_key>/members",
        summary="Give a user a role (admin)",
        tag="org",
        body=schemas.RoleAssign,
        response=schemas.RoleOut,
        errors=(403, 404),
    )
    def assign_role(call: ApiCall, role_key: str) -> Any:
        org.assign_role(
            call.session, call.actor, role_key, call.body["user_id"], call.body["department_id"]
        )
        return _role_dict(call, org.get_role(call.session, role_key))

    @api.operation(
        "DELETE",
        "/roles/<role_key>/members/<int:user_id>",
        summary="Take a role away (admin)",
        tag="org",
        status=204,
        errors=(403, 404),
    )
    def unassign_role(call: ApiCall, role_key: str, user_id: int) -> Any:
        org.unassign_role(call.session, call.actor, role_key, user_id)
        return None
