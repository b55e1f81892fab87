"""Reference field types: user, department, link (a record of another form), and the
multi-pickers users and departments (lists of ids).

Values are integer ids (lists of distinct ids for the multi-pickers). Whether the id exists
(and whether the acting user may see it) is a
database question, so these types only check the shape; ``CompiledForm.references`` lists
every id in a submission for the services to check in one query per kind.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from formflow.errors import Issue
from formflow.expr import ListType, RefType, Type
from formflow.forms.fields import FieldSpec, IndexKind
from formflow.forms.fieldtypes.base import DefinitionContext, FieldType, register
from formflow.forms.paths import child
from formflow.forms.quoting import quote
from formflow.i18n import _


class _Reference(FieldType):
    json_types: ClassVar[tuple[str, ...]] = ("integer",)
    shape: ClassVar[Mapping[str, Any]] = {"minimum": 1}
    index_kind = IndexKind.NUMBER


@register
class UserType(_Reference):
    """A person of the organisation (user id)."""

    name = "user"
    widgets = ("user_picker",)

    def expr_type(self, spec: FieldSpec) -> Type:
        return RefType("user")


@register
class DepartmentType(_Reference):
    """A department of the organisation (department id)."""

    name = "department"
    widgets = ("department_picker",)

    def expr_type(self, spec: FieldSpec) -> Type:
        return RefType("department")


class _References(FieldType):
    """A list of distinct ids, each checked like the single picker's value."""

    json_types: ClassVar[tuple[str, ...]] = ("array",)
    shape: ClassVar[Mapping[str, Any]] = {
        "items": {"type": "integer", "minimum": 1},
        "uniqueItems": True,
    }


@register
class UsersType(_References):
    """Several people of the organisation (a list of user ids): readers, participants."""

    name = "users"
    widgets = ("users_picker",)

    def expr_type(self, spec: FieldSpec) -> Type:
        return ListType(RefType("user"))


@register
class DepartmentsType(_References):
    """Several departments (a list of department ids): the audience of a notice."""

    name = "departments"
    widgets = ("departments_picker",)

    def expr_type(self, spec: FieldSpec) -> Type:
        return ListType(RefType("department"))


@register
class LinkType(_Reference):
    """A record of the form named in ``x-link.form`` (record id)."""

    name = "link"
    widgets = ("record_picker", "dropdown")
    keywords = frozenset({"x-link"})

    def expr_type(self, spec: FieldSpec) -> Type:
        return RefType("record", spec.link.form if spec.link else None)

    def check_definition(
        self, prop: Mapping[str, Any], path: str, context: DefinitionContext
    ) -> Iterator[Issue]:
        where = child(path, "x-link")
        link = prop.get("x-link")
        if not isinstance(link, Mapping) or not isinstance(link.get("form"), str):
            yield Issue(
                where,
                _(
                    "A link field needs x-link naming the linked form: {example}.",
                    example='{"form": "customer", "display": "name"}',
                ),
                "link_invalid",
            )
            return
        for key in sorted(set(link) - {"form", "display"}):
            yield Issue(
                child(where, key),
                _("Unknown key {key} in x-link; it takes form and display.", key=quote(key)),
                "link_invalid",
            )
        form = link["form"]
        display = link.get("display")
        if display is not None and not isinstance(display, str):
            yield Issue(child(where, "display"), _("display must be a field name."), "link_invalid")
            display = None
        if form == context.form_key or context.known_forms is None:
            return  # a link to the form itself, or a shallow compile: nothing to look up
        info = context.known_forms.get(form)
        if info is None:
            yield Issue(
                child(where, "form"),
                _(
                    "There is no form {form} to link to; create it first or correct the key.",
                    form=quote(form),
                ),
                "unknown_form",
            )
            return
        if display is not None and display not in info.fields:
            yield Issue(
                child(where, "display"),
                _(
                    "Form {form} has no field {field} to display.",
                    form=quote(form),
                    field=quote(display),
                ),
                "unknown_field",
            )
