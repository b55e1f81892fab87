"""A compiled form: one object per form version that validates, computes and explains.

:func:`compile_form` checks a definition (raising
:class:`~formflow.errors.DefinitionInvalid` with every problem) and builds a
:class:`CompiledForm`. Build it once per published version and reuse it: it holds the
compiled Rust validator, the python validator for explanations, the compiled formulas,
conditions and rules. It is immutable and safe to share between threads.

The one call services make on submit is :meth:`CompiledForm.prepare`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from formflow.errors import DefinitionInvalid, EvaluationFailed, Issue
from formflow.expr import EvalContext, Scope, evaluate
from formflow.forms.currency import CurrencyCheck
from formflow.forms.definition import Analysis, analyse
from formflow.forms.engines import SchemaEngines
from formflow.forms.errormessages import ErrorTranslator
from formflow.forms.fields import FieldSpec, IndexKind, find_field, walk_fields
from formflow.forms.fieldtypes import CheckContext
from formflow.forms.forminfo import FormInfo
from formflow.forms.formlevel import AggregateConstraint, Constraint, StatusRule
from formflow.forms.formulas import Formula, compute_all
from formflow.forms.labels import label_msg
from formflow.forms.paths import field_path, join
from formflow.forms.readers import ReadersSpec
from formflow.forms.references import Reference, find_references
from formflow.forms.schemawalk import subschemas
from formflow.forms.submission import (
    CleanPlan,
    clean_data,
    drop_value,
    is_empty,
    is_under,
    keys_of,
    value_at,
)
from formflow.forms.ui import UiSpec
from formflow.forms.uistate import UiState, evaluate_ui
from formflow.forms.valuechecks import plan_checks, run_checks
from formflow.i18n import _

#: Keywords a draft ignores: the rules a half-filled form naturally breaks.
DRAFT_IGNORED = (
    "required",
    "dependentRequired",
    "minItems",
    "minProperties",
    "minLength",
    "minContains",
)


def compile_form(
    schema: Any,
    ui: Any = None,
    *,
    known_forms: Mapping[str, FormInfo] | None = None,
    form_key: str | None = None,
    settings: Mapping[str, Any] | None = None,
) -> CompiledForm:
    """Check a definition and compile it; raises ``DefinitionInvalid`` listing every issue.

    ``settings`` are the values of the form's pack settings when known (``setting()``).
    """
    analysis = analyse(schema, ui, known_forms=known_forms, form_key=form_key, settings=settings)
    if analysis.issues or analysis.engines is None:
        raise DefinitionInvalid(
            analysis.issues,
            _(
                "The form definition has {count} problem(s); see errors.",
                count=len(analysis.issues),
            ),
        )
    return CompiledForm(analysis, schema, ui, form_key)


class CompiledForm:
    """A checked, compiled form version (see the module docstring)."""

    def __init__(self, analysis: Analysis, source: Any, ui_source: Any, key: str | None) -> None:
        assert analysis.engines is not None
        self.key = key
        self.source_schema: Mapping[str, Any] = copy.deepcopy(dict(source))
        self.source_ui: Mapping[str, Any] | None = copy.deepcopy(ui_source)
        self.schema: Mapping[str, Any] = analysis.schema
        self.fields: Mapping[str, FieldSpec] = analysis.fields
        self.scope: Scope = analysis.scope
        self.ui: UiSpec = analysis.ui
        self.formulas: tuple[Formula, ...] = tuple(analysis.formulas)
        self._rules = analysis.rules
        self._engines = analysis.engines
        self._draft_engines: SchemaEngines | None = None
        self._checks = plan_checks(self.fields)
        self._currencies = CurrencyCheck.of(self.fields)
        self._clean_plan = CleanPlan.of(self.fields)
        self._translator = ErrorTranslator(self.fields)

    # -- what the services need to know ------------------------------------------------------

    @property
    def indexed_fields(self) -> Mapping[str, IndexKind]:
        """Top-level fields with ``x-index`` or ``x-unique`` and how to index each."""
        return {name: spec.index for name, spec in self.fields.items() if spec.index}

    @property
    def unique_together(self) -> tuple[tuple[str, ...], ...]:
        """Groups of fields whose values must be unique together (``x-unique`` included)."""
        return self._rules.unique_together

    @property
    def serial_fields(self) -> Mapping[str, FieldSpec]:
        """Top-level serial-number fields (``spec.serial`` is the parsed pattern)."""
        return {name: spec for name, spec in self.fields.items() if spec.serial is not None}

    @property
    def rollup_fields(self) -> Mapping[str, FieldSpec]:
        """Top-level rollup fields (``spec.rollup`` is the parsed definition)."""
        return {name: spec for name, spec in self.fields.items() if spec.rollup is not None}

    @property
    def system_fields(self) -> frozenset[str]:
        """Dotted paths of fields users never set: formulas, serial numbers, rollups."""
        return frozenset(spec.path for spec in walk_fields(self.fields) if spec.is_system)

    @property
    def status_rules(self) -> tuple[StatusRule, ...]:
        return self._rules.status_rules

    @property
    def constraints(self) -> tuple[Constraint, ...]:
        return self._rules.constraints

    @property
    def aggregate_constraints(self) -> tuple[AggregateConstraint, ...]:
        return self._rules.aggregate_constraints

    @property
    def immutable(self) -> bool:
        """True when submitted records never change (``x-immutable``: documents)."""
        return self._rules.immutable

    @property
    def flow_only(self) -> tuple[str, ...]:
        """Top-level fields only the flow fills in (``x-flow-only``); initiators never do."""
        return self._rules.flow_only

    @property
    def readers(self) -> ReadersSpec | None:
        """Who may read a record besides the form's grants (``x-readers``), or None."""
        return self._rules.readers

    @property
    def display_field(self) -> str | None:
        """The field that names a record (``x-display``), else the first text field."""
        if self._rules.display is not None:
            return self._rules.display
        for name, spec in self.fields.items():
            if spec.type.name in {"text", "serial"}:
                return name
        return None

    def info(self, key: str | None = None) -> FormInfo:
        """This form as another form's definition sees it (``known_forms``)."""
        return FormInfo.of(key or self.key or "", self)

    # -- validation --------------------------------------------------------------------------

    def validate(
        self,
        data: Any,
        *,
        draft: bool = False,
        context: EvalContext | None = None,
    ) -> list[Issue]:
        """Every problem in ``data``, each with its JSON path; ``[]`` when it is valid.

        Full validation: the JSON Schema, the field types' platform checks, the UI's
        ``required_if`` (hidden fields are never required) and the ``x-constraints``.
        ``draft=True`` checks types and shapes only: no required fields (nor minimum
        lengths/counts), no ``required_if``, no constraints.
        """
        if not isinstance(data, Mapping):
            return [
                Issue(
                    "$",
                    _(
                        "The data must be an object of field values, not {kind}.",
                        kind=type(data).__name__,
                    ),
                    "type",
                )
            ]
        ui_state = None
        if not draft and self.ui.has_conditions:
            ui_state = evaluate_ui(self.ui, self.fields, data, context)
        return self._validate(data, draft, context, ui_state)

    def _validate(
        self,
        data: Mapping[str, Any],
        draft: bool,
        context: EvalContext | None,
        ui_state: UiState | None,
    ) -> list[Issue]:
        engines = self._draft() if draft else self._engines
        issues: list[Issue] = []
        schema_ok = engines.is_valid(data)
        if not schema_ok:
            issues.extend(self._explain(engines, data, ui_state))
        platform: list[Issue] = []
        run_checks(
            self._checks,
            data,
            "$",
            CheckContext(context.today if context else None, draft),
            platform,
        )
        if self._currencies is not None:
            self._currencies.run(data, data, "$", platform)
        if issues:
            # One message per problem: a value the schema refused is not checked again.
            seen = {issue.path for issue in issues}
            platform = [issue for issue in platform if not is_under(issue.path, seen)]
        issues.extend(platform)
        if draft:
            return issues
        if ui_state is not None:
            issues.extend(self._required_if(data, ui_state, issues))
        if not issues:
            if ui_state is not None:
                issues.extend(ui_state.problems)
            issues.extend(self._check_constraints(data, context))
        return issues

    def _draft(self) -> SchemaEngines:
        if self._draft_engines is None:
            schema = copy.deepcopy(dict(self.schema))
            for node, _where in list(subschemas(schema, "$")):
                for keyword in DRAFT_IGNORED:
                    if isinstance(node, dict):
                        node.pop(keyword, None)
            self._draft_engines = SchemaEngines(schema)
        return self._draft_engines

    def _explain(
        self, engines: SchemaEngines, data: Mapping[str, Any], ui_state: UiState | None
    ) -> list[Issue]:
        errors = engines.errors(data)
        if not errors:
            # The engines disagree (should not happen): still never call invalid data valid.
            return [
                Issue(
                    join("$", keys),
                    _("{field} is not valid.", field=self._translator.name(keys)),
                    keyword,
                )
                for keys, keyword in engines.rust_errors(data)
            ] or [Issue("$", _("The data is not valid."), "invalid")]
        hidden = ui_state.hidden if ui_state is not None else frozenset()
        kept = [
            error
            for error in errors
            if not (error.validator == "required" and join("$", error.absolute_path) in hidden)
        ]
        return self._translator.translate_all(kept)

    def _required_if(
        self, data: Mapping[str, Any], ui_state: UiState, found: list[Issue]
    ) -> list[Issue]:
        already = {issue.path for issue in found}
        missing: list[Issue] = []
        for path, state in ui_state.fields.items():
            if not state.required or path in already:
                continue
            if is_empty(value_at(data, path)):
                keys = keys_of(path)
                missing.append(
                    Issue(
                        path,
                        _(
                            "{field} is required; please fill it in.",
                            field=self._translator.name(keys),
                        ),
                        "required",
                    )
                )
        return missing

    def _check_constraints(
        self, data: Mapping[str, Any], context: EvalContext | None
    ) -> list[Issue]:
        issues: list[Issue] = []
        for rule in self._rules.constraints:
            try:
                result = evaluate(rule.check, data, context)
            except EvaluationFailed as exc:
                issues.append(
                    Issue(
                        rule.path,
                        _(
                            "The rule {key} could not be checked: {reason}",
                            key=rule.key,
                            reason=exc.message,
                        ),
                        "constraint_failed",
                    )
                )
                continue
            if result is False:
                message = (
                    label_msg(rule.message, rule.key)
                    if rule.message is not None
                    else _("The rule {key} is not met.", key=rule.key)
                )
                issues.append(Issue(rule.path, message, f"constraint:{rule.key}"))
        return issues

    # -- computing and preparing ---------------------------------------------------------

    def compute(
        self, data: Mapping[str, Any], context: EvalContext | None = None
    ) -> dict[str, Any]:
        """A copy of ``data`` with every formula computed in dependency order.

        Money and other fields with ``x-scale`` are rounded half up to their scale; a
        formula giving null (or failing) leaves its field empty.
        """
        return compute_all(self.formulas, data, context)[0]

    def evaluate_ui(self, data: Mapping[str, Any], context: EvalContext | None = None) -> UiState:
        """Visible / required / read-only per JSON path for ``data`` (computed first)."""
        computed = compute_all(self.formulas, data, context)[0]
        return evaluate_ui(self.ui, self.fields, computed, context)

    def prepare(
        self,
        data: Any,
        *,
        draft: bool = False,
        context: EvalContext | None = None,
    ) -> tuple[dict[str, Any], list[Issue]]:
        """Clean, compute and validate a submission: ``(clean data, issues)``.

        Steps: empty values (null, ``""``, ``[]``) are removed — an empty field is an absent
        field; date-times are normalised to UTC ``Z``; formulas are computed; on submit
        (not for drafts) the values users entered in hidden fields are dropped (computed,
        serial and rollup values stay); then :meth:`validate`
        (with ``required_if`` and constraints unless ``draft``). Serial numbers and rollups
        are left as given: the services assign them.
        """
        if not isinstance(data, Mapping):
            return {}, self.validate(data)
        clean = clean_data(self._clean_plan, data)
        computed, issues = compute_all(self.formulas, clean, context, in_place=True)
        ui_state = None
        if not draft and self.ui.has_conditions:
            ui_state = evaluate_ui(self.ui, self.fields, computed, context)
            for path in sorted(ui_state.hidden, key=len, reverse=True):
                keys = keys_of(path)
                spec = find_field(self.fields, field_path(keys))
                if spec is None or not spec.is_system:  # derived values stay: they are data
                    drop_value(computed, keys)
        issues.extend(self._validate(computed, draft, context, ui_state))
        return computed, issues

    def derive_status(
        self, data: Mapping[str, Any], context: EvalContext | None = None
    ) -> str | None:
        """The status of the first ``x-status-rules`` rule that holds (None: no rule does)."""
        for rule in self._rules.status_rules:
            if rule.when is None:
                return rule.status
            try:
                if evaluate(rule.when, data, context) is True:
                    return rule.status
            except EvaluationFailed:
                continue
        return None

    def references(self, data: Mapping[str, Any]) -> list[Reference]:
        """Every user, department and record id in ``data``, with its path."""
        return list(find_references(self.fields, data))
