"""Request and response shapes of the API (marshmallow), shared by handlers and OpenAPI.

Request schemas reject unknown fields (no mass assignment: a client cannot slip in ``owner_id``
or ``platform_role`` where they are not accepted). Response schemas list every field they emit.
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate

I18N_TEXT = {"description": 'A string, or a map of locale to text: {"zh-CN": "...", "en": "..."}'}


class Strict(Schema):
    class Meta:
        unknown = RAISE
        ordered = True


class I18nText(fields.Field):
    """A label: a non-empty string or a ``{"zh-CN": ..., "en": ...}`` map of strings."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str) and value.strip():
            return value.strip()
        if (
            isinstance(value, dict)
            and value
            and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
            and any(v.strip() for v in value.values())
        ):
            return value
        raise self.make_error("invalid")

    default_error_messages = {  # noqa: RUF012 - marshmallow's protocol
        "invalid": 'Must be a string or a map like {"zh-CN": "...", "en": "..."}.'
    }


def i18n_field(**kwargs: Any) -> fields.Field:
    return I18nText(
        metadata={
            **I18N_TEXT,
            "oneOf": [
                {"type": "string", "minLength": 1},
                {"type": "object", "additionalProperties": {"type": "string"}, "minProperties": 1},
            ],
        },
        **kwargs,
    )


# -- auth -----------------------------------------------------------------------------------


class TokenRequest(Strict):
    username = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))
    name = fields.String(load_default="", validate=validate.Length(max=128))


class TokenResponse(Schema):
    token = fields.String(
        required=True, metadata={"description": "Send as Authorization: Bearer <token>."}
    )
    expires_at = fields.DateTime(allow_none=True)


class TokenInfo(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    expires_at = fields.DateTime(allow_none=True)
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class PasswordChange(Strict):
    current_password = fields.String(load_default=None, validate=validate.Length(max=256))
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=256))


# -- org ------------------------------------------------------------------------------------

LOCALES = validate.OneOf(["zh-CN", "en"])
PLATFORM_ROLES = validate.OneOf(["admin", "designer", "user"])


class UserOut(Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    email = fields.String(allow_none=True)
    mobile = fields.String(allow_none=True)
    locale = fields.String(required=True)
    timezone = fields.String(required=True)
    active = fields.Boolean(required=True)
    platform_role = fields.String(required=True)
    department_id = fields.Integer(allow_none=True)
    manager_id = fields.Integer(allow_none=True)
    position_id = fields.Integer(allow_none=True)


def user_dict(user: Any) -> dict[str, Any]:
    """The public fields of a user row, as :class:`UserOut` lists them."""
    return {name: getattr(user, name) for name in UserOut._declared_fields}


class MeOut(UserOut):
    roles = fields.List(fields.String(), required=True)


class UserCreate(Strict):
    username = fields.String(required=True, validate=validate.Length(min=2, max=64))
    display_name = fields.String(validate=validate.Length(min=1, max=128))
    password = fields.String(validate=validate.Length(min=1, max=256))
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    mobile = fields.String(allow_none=True, validate=validate.Length(max=32))
    locale = fields.String(validate=LOCALES)
    timezone = fields.String(validate=validate.Length(min=1, max=64))
    platform_role = fields.String(validate=PLATFORM_ROLES)
    department_id = fields.Integer(allow_none=True, strict=True)
    manager_id = fields.Integer(allow_none=True, strict=True)
    position_id = fields.Integer(allow_none=True, strict=True)
    active = fields.Boolean()


class UserUpdate(Strict):
    display_name = fields.String(validate=validate.Length(min=1, max=128))
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    mobile = fields.String(allow_none=True, validate=validate.Length(max=32))
    locale = fields.String(validate=LOCALES)
    timezone = fields.String(validate=validate.Length(min=1, max=64))
    platform_role = fields.String(validate=PLATFORM_ROLES)
    department_id = fields.Integer(allow_none=True, strict=True)
    manager_id = fields.Integer(allow_none=True, strict=True)
    position_id = fields.Integer(allow_none=True, strict=True)
    active = fields.Boolean()


class ListQuery(Strict):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = fields.String(load_default=None, validate=validate.Length(max=200))


class UserListQuery(ListQuery):
    q = fields.String(load_default="", validate=validate.Length(max=100))
    department_id = fields.Integer(load_default=None)
    include_inactive = fields.Boolean(load_default=False)


class UserPage(Schema):
    items = fields.List(fields.Nested(UserOut), required=True)
    total = fields.Integer(required=True)
    next = fields.String(allow_none=True, required=True)


class DepartmentOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    code = fields.String(allow_none=True)
    parent_id = fields.Integer(allow_none=True)
    head_id = fields.Integer(allow_none=True)
    company_id = fields.Integer(allow_none=True)


class DepartmentCreate(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=128))
    code = fields.String(allow_none=True, validate=validate.Length(min=1, max=64))
    parent_id = fields.Integer(allow_none=True, strict=True)
    head_id = fields.Integer(allow_none=True, strict=True)
    company_id = fields.Integer(allow_none=True, strict=True)


class DepartmentUpdate(Strict):
    name = fields.String(validate=validate.Length(min=1, max=128))
    code = fields.String(allow_none=True, validate=validate.Length(min=1, max=64))
    parent_id = fields.Integer(allow_none=True, strict=True)
    head_id = fields.Integer(allow_none=True, strict=True)
    company_id = fields.Integer(allow_none=True, strict=True)


class RoleMemberOut(Schema):
    user_id = fields.Integer(required=True)
    department_id = fields.Integer(allow_none=True)


class RoleOut(Schema):
    key = fields.String(required=True)
    name = fields.Raw(required=True, metadata=I18N_TEXT)
    pack = fields.String(allow_none=True)
    members = fields.List(fields.Nested(RoleMemberOut))


class RoleCreate(Strict):
    key = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$"))
    name = i18n_field(required=True)


class RoleAssign(Strict):
    user_id = fields.Integer(required=True, strict=True)
    department_id = fields.Integer(allow_none=True, load_default=None, strict=True)
