"""Forms as JSON Schema: definitions, field types, validation, formulas, versions.

Pure core: no I/O, neither Flask nor SQLAlchemy. The reference is docs/forms.md.

Typical use by the services::

    form = compile_form(schema, ui, known_forms=known, form_key="expense_claim")
    data, issues = form.prepare(payload, draft=False, context=EvalContext.current())
    if issues:
        raise ValidationFailed(issues)
    for ref in form.references(data): ...            # check ids in the database
    status = form.derive_status(data, context)

Publishing a new version::

    diff = diff_versions(old_form, new_form)
    if diff.is_breaking and migration is None: refuse, listing records where
        diff.check_record(record_data) is not empty
    else: store apply_migration(record_data, migration) for each record
"""

from __future__ import annotations

from formflow.forms.changes import Change, ChangeKind
from formflow.forms.compiled import CompiledForm, compile_form
from formflow.forms.definition import check_definition
from formflow.forms.fields import FieldSpec, IndexKind, LinkSpec, Option
from formflow.forms.fieldtypes import FieldType, field_type, field_types
from formflow.forms.forminfo import FormInfo
from formflow.forms.formlevel import AggregateConstraint, Constraint, StatusRule
from formflow.forms.labels import Label, LabelMsg
from formflow.forms.migration import Migration, apply_migration
from formflow.forms.references import Reference
from formflow.forms.rollup import Aggregate, RollupSpec
from formflow.forms.serial import SerialPattern, SerialReset
from formflow.forms.ui import FieldUi, Section, UiSpec
from formflow.forms.uistate import FieldState, UiState
from formflow.forms.versions import VersionDiff, diff_versions

__all__ = [
    "Aggregate",
    "AggregateConstraint",
    "Change",
    "ChangeKind",
    "CompiledForm",
    "Constraint",
    "FieldSpec",
    "FieldState",
    "FieldType",
    "FieldUi",
    "FormInfo",
    "IndexKind",
    "Label",
    "LabelMsg",
    "LinkSpec",
    "Migration",
    "Option",
    "Reference",
    "RollupSpec",
    "Section",
    "SerialPattern",
    "SerialReset",
    "StatusRule",
    "UiSpec",
    "UiState",
    "VersionDiff",
    "apply_migration",
    "check_definition",
    "compile_form",
    "diff_versions",
    "field_type",
    "field_types",
]
