"""Checking a form definition: every problem at once, each with its JSON path.

:func:`check_definition` never raises: it returns a list of
:class:`~formflow.errors.Issue`, each pointing into the definition (``$.schema...`` or
``$.ui...``) with a translated message, so the designer can show them all next to what is
wrong. :func:`analyse` does the same work and also keeps what it built (fields, scope,
formulas, UI, form rules), which :func:`formflow.forms.compiled.compile_form` turns into a
:class:`~formflow.forms.compiled.CompiledForm` without checking twice.

Order of the checks: the Draft 2020-12 meta-schema (python ``jsonschema``, all errors);
``$schema``; the root is an object schema; the whole tree (local ``$ref`` only, no nested
``$id``, no ``patternProperties``, patterns compile in both regex engines, known formats);
each field (name, field type, JSON type, labels, platform keywords, the type's own rules);
formulas (compile with the field's type, no circles); form-level rules; the UI schema; and
finally both validators are built from the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import jsonschema_rs
from jsonschema.exceptions import SchemaError
from referencing.exceptions import Unresolvable

from formflow.errors import Issue
from formflow.expr import Scope
from formflow.expr.settings import setting_type
from formflow.forms.engines import SchemaEngines, metaschema_validator
from formflow.forms.errormessages import ErrorTranslator
from formflow.forms.fieldbuild import build_fields
from formflow.forms.fields import FieldSpec
from formflow.forms.fieldtypes import DefinitionContext
from formflow.forms.forminfo import FormInfo
from formflow.forms.formlevel import FormRules, compile_form_rules
from formflow.forms.formulas import Formula, compile_formulas
from formflow.forms.paths import child
from formflow.forms.quoting import quote
from formflow.forms.schemawalk import DRAFT_2020_12, check_tree
from formflow.forms.scope import scope_for
from formflow.forms.ui import UiSpec, compile_ui
from formflow.i18n import _

SCHEMA_ROOT = "$.schema"
UI_ROOT = "$.ui"


@dataclass
class Analysis:
    """Everything learnt from a definition: the problems and what could be built."""

    issues: list[Issue] = field(default_factory=list)
    schema: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    scope: Scope = field(default_factory=Scope)
    formulas: list[Formula] = field(default_factory=list)
    ui: UiSpec = field(default_factory=UiSpec)
    rules: FormRules = field(default_factory=FormRules)
    engines: SchemaEngines | None = None


def check_definition(
    schema: Any,
    ui: Any = None,
    *,
    known_forms: Mapping[str, FormInfo] | None = None,
    form_key: str | None = None,
    settings: Mapping[str, Any] | None = None,
) -> list[Issue]:
    """Every problem of a form definition, each with a JSON path and a translated message.

    ``known_forms`` are the other forms (for ``x-link`` and ``x-rollup``); with None (the
    default) references to other forms are not checked — a *shallow* check, for describing
    forms that refer to each other; publishing must pass the installation's forms.
    ``form_key`` is this form's key when known (links to itself, rollup checks, and the pack
    whose settings ``setting('name')`` reads: ``oa`` for ``oa.business_trip``). ``settings``
    are that pack's setting values when known (their names and types are then checked).
    Never raises.
    """
    return analyse(schema, ui, known_forms=known_forms, form_key=form_key, settings=settings).issues


def with_settings(scope: Scope, form_key: str | None, settings: Mapping[str, Any] | None) -> Scope:
    """``scope`` reading the settings of the form's pack (typed when ``settings`` are known)."""
    pack = form_key.partition(".")[0] if form_key and "." in form_key else None
    types = None if settings is None else {k: setting_type(v) for k, v in settings.items()}
    return replace(scope, settings=types, settings_pack=pack)


def analyse(
    schema: Any,
    ui: Any = None,
    *,
    known_forms: Mapping[str, FormInfo] | None = None,
    form_key: str | None = None,
    settings: Mapping[str, Any] | None = None,
) -> Analysis:
    """Check a definition and keep what was built from it (see :func:`check_definition`)."""
    result = Analysis()
    if not isinstance(schema, Mapping):
        result.issues.append(
            Issue(
                SCHEMA_ROOT,
                _("The schema must be a JSON object describing the form's fields."),
                "schema_invalid",
            )
        )
        return result
    issues = result.issues
    translator = ErrorTranslator(root=SCHEMA_ROOT, keyword_names=True)
    declared = schema.get("$schema")
    if not _meets_metaschema_fast(schema):
        errors = list(metaschema_validator().iter_errors(schema))
        issues.extend(translator.translate_all(errors))
    meta_paths = [issue.path for issue in issues]
    if declared is not None and declared != DRAFT_2020_12:
        issues.append(
            Issue(
                child(SCHEMA_ROOT, "$schema"),
                _(
                    "Forms use JSON Schema draft 2020-12; set $schema to {uri} or remove it.",
                    uri=DRAFT_2020_12,
                ),
                "schema_version",
            )
        )
    if schema.get("type", "object") != "object" or not isinstance(
        schema.get("properties"), Mapping
    ):
        issues.append(
            Issue(
                SCHEMA_ROOT,
                _(
                    "A form schema is an object with its fields in properties: {example}.",
                    example='{"type": "object", "properties": {...}}',
                ),
                "root_invalid",
            )
        )
    issues.extend(check_tree(schema, SCHEMA_ROOT))
    context = DefinitionContext(
        dict(known_forms) if known_forms is not None else None, form_key, True, schema
    )
    fields, problems = build_fields(schema, SCHEMA_ROOT, context)
    issues.extend(problems)
    scope = with_settings(scope_for(fields, known_forms, form_key), form_key, settings)
    formulas, problems = compile_formulas(fields, scope)
    issues.extend(problems)
    rules, problems = compile_form_rules(schema, fields, scope, SCHEMA_ROOT)
    issues.extend(problems)
    ui_spec, problems = compile_ui(ui, fields, scope, UI_ROOT)
    issues.extend(problems)
    # A field whose keywords the meta-schema already refused gets no follow-up guesses.
    result.issues = issues = [issue for issue in issues if not _is_cascade(issue, meta_paths)]
    effective = dict(schema)
    effective.setdefault("type", "object")
    if "additionalProperties" not in effective and "unevaluatedProperties" not in effective:
        effective["additionalProperties"] = False
    effective["properties"] = {name: spec.schema for name, spec in fields.items()}
    result.schema, result.fields, result.scope = effective, fields, scope
    result.formulas, result.ui, result.rules = formulas, ui_spec, rules
    if not issues:
        try:
            result.engines = SchemaEngines(effective)
        except (
            jsonschema_rs.ValidationError,
            SchemaError,
            Unresolvable,
            ValueError,
            TypeError,
        ) as exc:
            issues.append(
                Issue(
                    SCHEMA_ROOT,
                    _(
                        "The schema cannot be compiled: {reason}",
                        reason=quote(str(exc).splitlines()[0]),
                    ),
                    "schema_invalid",
                )
            )
    return result


def _meets_metaschema_fast(schema: Mapping[str, Any]) -> bool:
    """True when the Rust meta-schema check passes a 2020-12 schema (python explains otherwise).

    The Rust check is at least as strict as the python one (it also asserts the meta-schema's
    formats), so "valid" here is safe to trust and saves most of a definition check's time.
    """
    if schema.get("$schema", DRAFT_2020_12) != DRAFT_2020_12:
        return False
    try:
        return bool(jsonschema_rs.meta.is_valid(dict(schema)))
    except (ValueError, TypeError, jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError):
        return False


#: Issue codes that only restate, for a field, a problem the meta-schema already reported.
_CASCADES = frozenset({"type_unknown", "options_missing", "subtable_invalid", "type_mismatch"})


def _is_cascade(issue: Issue, meta_paths: list[str]) -> bool:
    if issue.code not in _CASCADES:
        return False
    field = (
        issue.path.rsplit(".", 1)[0]
        if issue.path.endswith((".x-type", ".x-options", ".items", ".type"))
        else issue.path
    )
    return any(path.startswith(field + ".") for path in meta_paths)
