"""Request and response shapes of the API (marshmallow), shared by handlers and OpenAPI.

Request schemas reject unknown fields (no mass assignment: a client cannot slip in ``owner_id``
or ``platform_role`` where they are not accepted). Response schemas list every field they emit.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from formflow.i18n import clean_label
from formflow.services.companies import CODE

I18N_TEXT = {"description": 'A string, or a map of locale to text: {"zh-CN": "...", "en": "..."}'}


MAX_ID = 2**63 - 1


def id_field(**kwargs: Any) -> fields.Integer:
    """A database id: a whole number from 1 to 2**63-1 (larger ones are refused, not stored)."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class Strict(Schema):
    class Meta:
        unknown = RAISE
        ordered = True


class I18nText(fields.Field):
    """A label: a non-empty string or a ``{"zh-CN": ..., "en": ...}`` map of strings."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        label = clean_label(value)
        if label is None:
            raise self.make_error("invalid")
        return label

    default_error_messages = {  # noqa: RUF012 - marshmallow's protocol
        "invalid": 'Must be a string or a map like {"zh-CN": "...", "en": "..."}.'
    }


class Timestamp(fields.DateTime):
    """A UTC instant as ISO 8601 with ``Z`` (``2026-03-01T08:00:00Z``)."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        text = value.astimezone(UTC).isoformat(timespec="seconds")
        return text.replace("+00:00", "Z")


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
    expires_at = Timestamp(allow_none=True)


class TokenInfo(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    created_at = Timestamp(required=True)
    expires_at = Timestamp(allow_none=True)
    last_used_at = Timestamp(allow_none=True)
    revoked_at = Timestamp(allow_none=True)


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


class UserUpdate(Strict):
    """The changeable fields of a user (all optional)."""

    display_name = fields.String(validate=validate.Length(min=1, max=128))
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    mobile = fields.String(allow_none=True, validate=validate.Length(max=32))
    locale = fields.String(validate=LOCALES)
    timezone = fields.String(validate=validate.Length(min=1, max=64))
    platform_role = fields.String(validate=PLATFORM_ROLES)
    department_id = id_field(allow_none=True)
    manager_id = id_field(allow_none=True)
    position_id = id_field(allow_none=True)
    active = fields.Boolean()


class UserCreate(UserUpdate):
    """A new user: a username, optionally a password, and any changeable field."""

    username = fields.String(required=True, validate=validate.Length(min=2, max=64))
    password = fields.String(validate=validate.Length(min=1, max=256))


class ListQuery(Strict):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = fields.String(load_default=None, validate=validate.Length(max=200))


class UserListQuery(ListQuery):
    q = fields.String(load_default="", validate=validate.Length(max=100))
    department_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_ID))
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


class DepartmentUpdate(Strict):
    name = fields.String(validate=validate.Length(min=1, max=128))
    code = fields.String(allow_none=True, validate=validate.Length(min=1, max=64))
    parent_id = id_field(allow_none=True)
    head_id = id_field(allow_none=True)
    company_id = id_field(allow_none=True)


class DepartmentCreate(DepartmentUpdate):
    name = fields.String(required=True, validate=validate.Length(min=1, max=128))


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
    user_id = id_field(required=True)
    department_id = id_field(allow_none=True, load_default=None)


# -- companies and positions -------------------------------------------------------------

ENTRY_CODE = validate.Regexp(CODE, error="Use 1-64 letters, digits, dots, dashes or underscores.")


class CompanyOut(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.Raw(required=True, metadata=I18N_TEXT)


class CompanyUpdate(Strict):
    code = fields.String(validate=ENTRY_CODE)
    name = i18n_field()


class CompanyCreate(CompanyUpdate):
    code = fields.String(required=True, validate=ENTRY_CODE)
    name = i18n_field(required=True)


class PositionOut(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.Raw(required=True, metadata=I18N_TEXT)
    company_id = fields.Integer(allow_none=True)
    grade = fields.String(allow_none=True)


class PositionUpdate(Strict):
    code = fields.String(validate=ENTRY_CODE)
    name = i18n_field()
    company_id = id_field(allow_none=True)
    grade = fields.String(allow_none=True, validate=validate.Length(max=32))


class PositionCreate(PositionUpdate):
    code = fields.String(required=True, validate=ENTRY_CODE)
    name = i18n_field(required=True)


class PositionListQuery(Strict):
    company_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_ID))


# -- forms ----------------------------------------------------------------------------------

GRANTS = {
    "description": 'Who may do what: {"everyone": ["create", "read_own"], "role:hr": '
    '["read_all", "export"]}. Principals: everyone, role:<key>, user:<id>, department:<id>.'
}


class FormCreate(Strict):
    key = fields.String(required=True, validate=validate.Length(min=1, max=100))
    title = i18n_field(required=True)
    schema = fields.Dict(
        required=True, metadata={"description": "JSON Schema 2020-12 with x- extensions"}
    )
    ui = fields.Dict(load_default=None, allow_none=True, metadata={"description": "UI schema"})
    grants = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        load_default=None,
        allow_none=True,
        metadata=GRANTS,
    )


class FormPublish(Strict):
    title = i18n_field(load_default=None, allow_none=True)
    schema = fields.Dict(required=True)
    ui = fields.Dict(load_default=None, allow_none=True)
    migration = fields.Dict(
        load_default=None,
        allow_none=True,
        metadata={
            "description": '{"renames": {old: new}, "defaults": {field: value}, '
            '"value_maps": {field: {old: new}}, "drops": [field]}'
        },
    )
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class FormOut(Schema):
    key = fields.String(required=True)
    title = fields.Raw(required=True, metadata=I18N_TEXT)
    version = fields.Integer(required=True)
    schema = fields.Dict(required=True)
    ui = fields.Dict(required=True)
    pack = fields.String(allow_none=True)
    grants = fields.Dict(required=True, metadata=GRANTS)
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)


class FormSummary(Schema):
    key = fields.String(required=True)
    title = fields.Raw(required=True, metadata=I18N_TEXT)
    version = fields.Integer(required=True)
    pack = fields.String(allow_none=True)


class VersionOut(Schema):
    version = fields.Integer(required=True)
    title = fields.Raw(required=True, metadata=I18N_TEXT)
    note = fields.String(allow_none=True)
    created_at = Timestamp(required=True)
    created_by = fields.Integer(allow_none=True)
    migration = fields.Dict(allow_none=True)


class DiffQuery(Strict):
    old = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    new = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))


class DiffOut(Schema):
    breaking = fields.Boolean(required=True)
    changes = fields.List(fields.Dict(), required=True)


class ValidateRequest(Strict):
    data = fields.Dict(required=True)
    draft = fields.Boolean(load_default=False)


class IssueOut(Schema):
    path = fields.String(required=True)
    message = fields.String(required=True)
    code = fields.String(required=True)


class ValidateOut(Schema):
    valid = fields.Boolean(required=True)
    errors = fields.List(fields.Nested(IssueOut), required=True)
    data = fields.Dict(required=True, metadata={"description": "the data with formulas computed"})
    ui = fields.Dict(
        required=True, metadata={"description": "visible/required/readonly per JSON path"}
    )


# -- records --------------------------------------------------------------------------------


class FlowSubmission(Strict):
    """What a submission brings for the flow it starts (the ``flow`` member of a record body)."""

    chosen = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Integer(strict=True)),
        load_default=None,
        allow_none=True,
        metadata={"description": "user ids the initiator picks per step (发起人自选)"},
    )
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


FLOW_SUBMISSION = {
    "description": "for the approval flow the submission starts: approvers the initiator "
    "chooses per step, and a comment"
}


class RecordCreate(Strict):
    data = fields.Dict(required=True)
    draft = fields.Boolean(load_default=False, metadata={"description": "save without submitting"})
    flow = fields.Nested(
        FlowSubmission, load_default=None, allow_none=True, metadata=FLOW_SUBMISSION
    )


class RecordPatch(Strict):
    data = fields.Dict(
        load_default=dict, metadata={"description": "merge patch: null clears a field"}
    )
    version = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "the version you read; a stale one answers 409"},
    )
    submit = fields.Boolean(load_default=False)
    flow = fields.Nested(
        FlowSubmission, load_default=None, allow_none=True, metadata=FLOW_SUBMISSION
    )


class RecordOut(Schema):
    id = fields.Integer(required=True)
    form = fields.String(required=True)
    form_version = fields.Integer(required=True)
    status = fields.String(required=True)
    derived_status = fields.String(allow_none=True)
    version = fields.Integer(required=True)
    label = fields.String(required=True)
    data = fields.Dict(required=True)
    owner_id = fields.Integer(allow_none=True)
    created_by = fields.Integer(allow_none=True)
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)
    submitted_at = Timestamp(allow_none=True)


class RecordListQuery(Strict):
    filter = fields.String(
        load_default=None,
        validate=validate.Length(max=2000),
        metadata={"description": "an expression, e.g. amount > 5000 and dept = 3"},
    )
    sort = fields.String(
        load_default="-id",
        validate=validate.Length(max=60),
        metadata={"description": "a field or id/created_at/...; prefix - for descending"},
    )
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))
    status = fields.String(load_default=None, validate=validate.Length(max=40))
    total = fields.Boolean(load_default=True)


class RecordPage(Schema):
    items = fields.List(fields.Nested(RecordOut), required=True)
    total = fields.Integer(allow_none=True, required=True)
    next = fields.String(allow_none=True, required=True)


class DeleteQuery(Strict):
    version = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1))


class AuditOut(Schema):
    id = fields.Integer(required=True)
    at = Timestamp(required=True)
    actor_id = fields.Integer(allow_none=True)
    action = fields.String(required=True)
    changes = fields.List(fields.Dict(), required=True)
    record_version = fields.Integer(required=True)
    comment = fields.String(allow_none=True)


class AttachmentOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    size = fields.Integer(required=True)
    content_type = fields.String(required=True)


# -- packs ----------------------------------------------------------------------------------


class PackOut(Schema):
    name = fields.String(required=True)
    title = fields.Dict(required=True)
    description = fields.Dict(required=True)
    stage = fields.String(required=True)
    version = fields.String(allow_none=True, metadata={"description": "version in the library"})
    installed_version = fields.String(allow_none=True)
    status = fields.String(
        required=True, metadata={"description": "available, installed or archived"}
    )
    forms = fields.List(fields.String(), required=True)


class PackInstall(Strict):
    name = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,31}$"))
    settings = fields.Dict(load_default=dict)


class PackInstalled(Schema):
    installed = fields.List(fields.String(), required=True)


class PackUninstall(Strict):
    purge = fields.Boolean(load_default=False)


class PackImpact(Schema):
    pack = fields.String(required=True)
    records = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    total = fields.Integer(required=True)


class PackSettings(Strict):
    settings = fields.Dict(required=True, metadata={"description": "setting name -> value"})


class PackInstalledOut(Schema):
    name = fields.String(required=True)
    version = fields.String(required=True)
    status = fields.String(required=True)
    settings = fields.Dict(required=True)
    settings_spec = fields.Dict(
        required=True, metadata={"description": "the pack's settings.json: default and label"}
    )
