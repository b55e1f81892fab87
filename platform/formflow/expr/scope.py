"""What an expression may refer to: the :class:`Scope` the checker types names against.

A scope lists the form's fields with their types (``formflow.forms`` builds it from the JSON
Schema), the lookup tables that ``bracket``/``lookup`` may read, and named variables supplied
by the caller (``initiator`` in a flow, ``current_user`` in a filter). A bare name is looked up
in the current sub-table row first (inside ``sum(items, ...)``), then in the fields, then in
the variables.

Navigation into references (``applicant.department.name``) uses the attribute types below for
users and departments, and ``Scope.forms`` for records of other forms.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from formflow.expr.typesystem import BOOLEAN, NUMBER, STRING, RefType, RowType, Type

#: Attributes of a user reference, as the resolver returns them.
USER_ATTRIBUTES: Mapping[str, Type] = {
    "id": NUMBER,
    "username": STRING,
    "name": STRING,
    "display_name": STRING,
    "email": STRING,
    "mobile": STRING,
    "active": BOOLEAN,
    "department": RefType("department"),
    "manager": RefType("user"),
}

#: Attributes of a department reference, as the resolver returns them.
DEPARTMENT_ATTRIBUTES: Mapping[str, Type] = {
    "id": NUMBER,
    "name": STRING,
    "parent": RefType("department"),
    "head": RefType("user"),
}


@dataclass(frozen=True)
class Scope:
    """The names an expression may use, with their static types.

    ``fields``: the form's top-level fields (a sub-table is a ``ListType(RowType(...))``);
    ``tables``: lookup tables by name, each described by the type of its rows;
    ``variables``: extra names given by the caller; ``forms``: the fields of other forms, used
    to type ``customer.level`` when ``customer`` is a ``RefType("record", "customer")``;
    ``settings``: the types of the pack settings ``setting('name')`` may read (None: not
    known here — any name is accepted and typed by its value when evaluated);
    ``settings_pack``: the pack whose settings those are (values are looked up in
    ``EvalContext.settings`` as ``"<pack>.<name>"``).
    """

    fields: Mapping[str, Type] = field(default_factory=dict)
    tables: Mapping[str, RowType] = field(default_factory=dict)
    variables: Mapping[str, Type] = field(default_factory=dict)
    forms: Mapping[str, RowType] = field(default_factory=dict)
    settings: Mapping[str, Type] | None = None
    settings_pack: str | None = None

    def setting_key(self, name: str) -> str:
        """The key of setting ``name`` in ``EvalContext.settings`` (``oa.trip_allowance``)."""
        return f"{self.settings_pack}.{name}" if self.settings_pack else name

    def attributes_of(self, ref: RefType) -> Mapping[str, Type] | None:
        """The attributes a reference navigates to; None when they are not known."""
        if ref.kind == "user":
            return USER_ATTRIBUTES
        if ref.kind == "department":
            return DEPARTMENT_ATTRIBUTES
        if ref.form is not None and ref.form in self.forms:
            return {"id": NUMBER, **self.forms[ref.form].fields}
        return None
