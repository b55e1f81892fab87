"""Checking a pack before it is installed: ``formflow pack lint`` and the first step of install.

Checks: the manifest; every form is valid (the forms package's full definition check) and
named after the pack (``oa.leave_request`` in ``forms/leave_request.json``); every label has a
text in every language; roles, menus and settings are well-formed and name what exists; every
flow compiles against the forms of the pack and of the packs it depends on, with the pack's
settings; every flow passes its simulation cases (run against the demo company); every flow
text (titles, messages) has a translation; dependencies are declared and resolvable.

Every problem is reported at once, with its file and position.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from formflow.demo.orgdata import demo_org_chart
from formflow.dsl import check_flow, compile_file
from formflow.engine import FormExpressions, load_cases, run_cases
from formflow.errors import DefinitionInvalid, FormflowError, Severity, SourceError
from formflow.expr import BOOLEAN, EvalContext, compile_expression
from formflow.forms import CompiledForm, FormInfo, compile_form
from formflow.i18n import SUPPORTED_LOCALES, _
from formflow.orgchart import OrgChart
from formflow.packs.manifest import satisfies
from formflow.packs.source import JsonFile, PackProblem, PackSource

FORM_KEYS = frozenset({"key", "title", "schema", "ui", "grants"})
UI_LABEL_KEYS = frozenset({"title", "help", "placeholder", "label"})
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _translated(value: Any) -> bool:
    return isinstance(value, Mapping) and all(
        isinstance(value.get(locale), str) and value[locale].strip() for locale in SUPPORTED_LOCALES
    )


def _untranslated(file: JsonFile, path: str) -> PackProblem:
    return file.problem(
        path,
        _(
            "This label needs a text for every language ({locales}), e.g. "
            '{{"zh-CN": "金额", "en": "Amount"}}.',
            locales=", ".join(SUPPORTED_LOCALES),
        ),
        "untranslated",
    )


def _schema_labels(file: JsonFile, schema: Any, path: str) -> Iterator[PackProblem]:
    """Every field needs ``x-label`` in every language; options and messages too."""
    if not isinstance(schema, Mapping):
        return
    properties = schema.get("properties")
    if isinstance(properties, Mapping):
        for name, field in properties.items():
            where = f"{path}.properties.{name}"
            if not isinstance(field, Mapping):
                continue
            if not _translated(field.get("x-label")):
                yield _untranslated(file, f"{where}.x-label" if "x-label" in field else where)
            for index, option in enumerate(field.get("x-options") or []):
                if isinstance(option, Mapping) and not _translated(option.get("label")):
                    yield _untranslated(file, f"{where}.x-options[{index}].label")
            items = field.get("items")
            if isinstance(items, Mapping):
                yield from _schema_labels(file, items, f"{where}.items")
    for key in ("x-constraints", "x-aggregate-constraints"):
        for index, rule in enumerate(schema.get(key) or []):
            if isinstance(rule, Mapping) and not _translated(rule.get("message")):
                yield _untranslated(file, f"{path}.{key}[{index}].message")
    for index, rule in enumerate(schema.get("x-status-rules") or []):
        if isinstance(rule, Mapping) and "label" in rule and not _translated(rule.get("label")):
            yield _untranslated(file, f"{path}.x-status-rules[{index}].label")


def _ui_labels(
    file: JsonFile, value: Any, path: str, *, names: bool = False
) -> Iterator[PackProblem]:
    """Labels in a UI schema must be translated. Under ``fields``/``columns`` the keys are
    field names (a field may well be called ``title``), not label keywords."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            where = f"{path}.{key}"
            if names:
                yield from _ui_labels(file, item, where)
                continue
            if key in {"fields", "columns"} and isinstance(item, Mapping):
                yield from _ui_labels(file, item, where, names=True)
                continue
            is_label = key in UI_LABEL_KEYS and not isinstance(item, list)
            if is_label and not _translated(item):
                yield _untranslated(file, where)
            elif not is_label:
                yield from _ui_labels(file, item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _ui_labels(file, item, f"{path}[{index}]")


def _check_form_file(pack: PackSource, file: JsonFile) -> Iterator[PackProblem]:
    value = file.value
    if not isinstance(value, Mapping):
        yield file.problem("$", _("A form file holds one JSON object."), "form_file")
        return
    for key in sorted(set(value) - FORM_KEYS):
        yield file.problem(
            f"$.{key}",
            _(
                "Unknown key {key} in a form file; allowed: {known}.",
                key=key,
                known=", ".join(sorted(FORM_KEYS)),
            ),
            "unknown_key",
        )
    stem = file.name.rsplit("/", 1)[-1].removesuffix(".json")
    expected = f"{pack.name}.{stem}"
    if value.get("key") != expected:
        yield file.problem(
            "$.key",
            _(
                "The form in {file} must have the key {key} (the pack name, a dot, the file name).",
                file=file.name,
                key=expected,
            ),
            "form_key",
        )
    if not _translated(value.get("title")):
        yield _untranslated(file, "$.title")
    yield from _schema_labels(file, value.get("schema"), "$.schema")
    yield from _ui_labels(file, value.get("ui"), "$.ui")


def _dependency_sources(
    pack: PackSource, available: Mapping[str, PackSource]
) -> tuple[list[PackSource], list[PackProblem]]:
    problems: list[PackProblem] = []
    found: list[PackSource] = []
    if pack.manifest is None or pack.manifest_file is None:
        return found, problems
    for name, spec in pack.manifest.depends.items():
        other = available.get(name)
        if other is None or other.manifest is None:
            problems.append(
                pack.manifest_file.problem(
                    f"$.depends.{name}",
                    _("The pack depends on {name}, which is not available.", name=name),
                    "missing_dependency",
                )
            )
        elif not satisfies(other.manifest.version, spec):
            problems.append(
                pack.manifest_file.problem(
                    f"$.depends.{name}",
                    _(
                        "The pack needs {name} {spec}, but version {version} is available.",
                        name=name,
                        spec=spec,
                        version=other.manifest.version,
                    ),
                    "dependency_version",
                )
            )
        else:
            found.append(other)
    return found, problems


def compile_pack_forms(
    sources: list[PackSource],
) -> tuple[dict[str, CompiledForm], dict[str, FormInfo], list[PackProblem]]:
    """Compile the forms of ``sources`` together (links and rollups may cross packs)."""
    problems: list[PackProblem] = []
    definitions: dict[str, tuple[JsonFile, Mapping[str, Any]]] = {}
    settings: dict[str, dict[str, Any]] = {}  # per form: its pack's settings (setting())
    for source in sources:
        defaults = source.setting_defaults()
        for file, value in source.form_values():
            key = value.get("key")
            if isinstance(key, str):
                if key in definitions:
                    problems.append(
                        file.problem(
                            "$.key", _("The form key {key} is defined twice.", key=key), "duplicate"
                        )
                    )
                definitions[key] = (file, value)
                settings[key] = defaults
    infos: dict[str, FormInfo] = {}
    for key, (_file, value) in definitions.items():
        try:
            shallow = compile_form(value.get("schema"), value.get("ui"), form_key=key)
        except DefinitionInvalid:
            continue  # reported below, with the full check
        infos[key] = FormInfo.of(key, shallow, title=value.get("title"))
    compiled: dict[str, CompiledForm] = {}
    for key, (file, value) in definitions.items():
        others = {k: v for k, v in infos.items() if k != key}
        try:
            compiled[key] = compile_form(
                value.get("schema"),
                value.get("ui"),
                known_forms=others,
                form_key=key,
                settings=settings.get(key),
            )
        except DefinitionInvalid as error:
            problems.extend(file.problem(i.path, i.message, i.code) for i in error.issues)
    return compiled, infos, problems


def flow_texts(spec_json: Any) -> Iterator[str]:
    """The human texts of a compiled flow or automation (titles and messages)."""
    if isinstance(spec_json, Mapping):
        for key, value in spec_json.items():
            if key in {"title", "message"} and isinstance(value, str) and value.strip():
                yield value
            else:
                yield from flow_texts(value)
    elif isinstance(spec_json, list):
        for item in spec_json:
            yield from flow_texts(item)


def _check_flows(
    pack: PackSource,
    forms: Mapping[str, CompiledForm],
    org: OrgChart,
) -> Iterator[PackProblem]:
    settings = pack.setting_defaults()
    translations = pack.translations()
    for flow_file in pack.flows:
        diagnostics = check_flow(flow_file.text, forms=forms, org=org, settings=settings)
        for diagnostic in diagnostics:
            if diagnostic.severity == Severity.ERROR or diagnostic.code != "nobody":
                yield PackProblem.from_diagnostic(flow_file.name, diagnostic)
        if any(d.severity == Severity.ERROR for d in diagnostics):
            continue
        try:
            compiled = compile_file(flow_file.text, forms=forms, org=org, settings=settings)
        except SourceError:  # its errors were reported above
            continue
        specs: list[Any] = [*compiled.flows.values(), *compiled.automations.values()]
        for spec in specs:
            for text in sorted(set(flow_texts(spec.to_json()))):
                target = "en" if _CJK.search(text) else "zh-CN"
                if text not in translations.get(target, {}):
                    line, column = _find_text(flow_file.text, text)
                    yield PackProblem(
                        flow_file.name,
                        _(
                            'The text "{text}" has no {locale} translation in i18n.json.',
                            text=text,
                            locale=target,
                        ),
                        line,
                        column,
                        code="untranslated",
                    )
        if flow_file.cases is not None:
            yield from _check_cases(flow_file.cases, compiled.flows, forms, org)


#: Record columns a feed may sort by besides its form's fields.
_RECORD_COLUMNS = frozenset({"id", "created_at", "updated_at", "submitted_at", "status", "label"})


def _check_home_feeds(
    file: JsonFile, feeds: Any, forms: Mapping[str, CompiledForm]
) -> Iterator[PackProblem]:
    """``home``: feeds on the home page — a form, a title, and a filter, sort and fields
    that the form knows (see :mod:`formflow.web.pages.homefeeds`)."""
    if not isinstance(feeds, list):
        yield file.problem("$.home", _("home is a list of feeds."), "menus")
        return
    for index, feed in enumerate(feeds):
        where = f"$.home[{index}]"
        if not isinstance(feed, Mapping):
            yield file.problem(where, _("A feed is an object."), "menus")
            continue
        if not _translated(feed.get("title")):
            yield _untranslated(file, f"{where}.title")
        form = forms.get(str(feed.get("form")))
        if form is None:
            yield file.problem(
                f"{where}.form",
                _(
                    "The menu names the form {key}, which no installed pack defines.",
                    key=feed.get("form"),
                ),
                "menus",
            )
            continue
        fields = form.scope.fields
        for name in ("headline", "summary", "date"):
            value = feed.get(name)
            if (name == "headline" or value is not None) and value not in fields:
                yield file.problem(
                    f"{where}.{name}",
                    _(
                        "{name} names a field of {form}; it has no field {field}.",
                        name=name,
                        form=form.key,
                        field=value,
                    ),
                    "menus",
                )
        sort = feed.get("sort", "-id")
        if not isinstance(sort, str) or (
            sort.removeprefix("-") not in fields and sort.removeprefix("-") not in _RECORD_COLUMNS
        ):
            yield file.problem(
                f"{where}.sort",
                _(
                    "Sort by a field of {form} (prefix - for newest first), not {sort}.",
                    form=form.key,
                    sort=sort,
                ),
                "menus",
            )
        limit = feed.get("limit", 5)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 20:
            yield file.problem(f"{where}.limit", _("limit is a number from 1 to 20."), "menus")
        text = feed.get("filter")
        if text is not None:
            try:
                compile_expression(str(text), form.scope, BOOLEAN)
            except SourceError as error:
                for diagnostic in error.diagnostics:
                    yield file.problem(
                        f"{where}.filter",
                        _(
                            "The filter, column {column}: {message}",
                            column=diagnostic.column,
                            message=diagnostic.message,
                        ),
                        "menus",
                    )


def _find_text(source: str, text: str) -> tuple[int, int]:
    """Line and column of the first string literal holding ``text`` in a flow file."""
    for quote in ('"', "'"):
        offset = source.find(f"{quote}{text}{quote}")
        if offset >= 0:
            line = source.count("\n", 0, offset) + 1
            return line, offset - (source.rfind("\n", 0, offset) + 1) + 1
    return 1, 1


def _check_cases(
    cases_file: JsonFile,
    flows: Mapping[str, Any],
    forms: Mapping[str, CompiledForm],
    org: OrgChart,
) -> Iterator[PackProblem]:
    try:
        cases = load_cases(cases_file.text)
    except FormflowError as error:
        yield cases_file.problem("$", error.message, "cases")
        return
    name = cases.get("flow")
    spec = flows.get(name) if isinstance(name, str) else None
    if spec is None:
        yield cases_file.problem(
            "$.flow",
            _("The cases name the flow {name}, which the flow file does not define.", name=name),
            "cases",
        )
        return
    form = forms.get(spec.form)
    expressions = FormExpressions(form.scope, EvalContext.current()) if form else None
    for index, result in enumerate(run_cases(spec, cases, org, expressions=expressions)):
        for problem in result.problems:
            yield cases_file.problem(
                f"$.cases[{index}]",
                _("Case “{name}”: {problem}", name=result.name, problem=problem),
                "case_failed",
            )


def _check_side_files(pack: PackSource, forms: Mapping[str, CompiledForm]) -> Iterator[PackProblem]:
    form_keys = set(forms)
    if pack.roles is not None:
        roles = pack.roles.value
        if not isinstance(roles, list):
            yield pack.roles.problem("$", _("roles.json holds a list of roles."), "roles")
        else:
            for index, role in enumerate(roles):
                if not isinstance(role, Mapping) or not isinstance(role.get("key"), str):
                    yield pack.roles.problem(
                        f"$[{index}]", _('A role is {{"key", "name"}}.'), "roles"
                    )
                elif not _translated(role.get("name")):
                    yield _untranslated(pack.roles, f"$[{index}].name")
    if pack.menus is not None:
        items = pack.menus.value.get("items") if isinstance(pack.menus.value, Mapping) else None
        if not isinstance(items, list):
            yield pack.menus.problem("$", _('menus.json is {{"items": [...]}}.'), "menus")
        else:
            for index, item in enumerate(items):
                where = f"$.items[{index}]"
                if not isinstance(item, Mapping):
                    yield pack.menus.problem(where, _("A menu entry is an object."), "menus")
                    continue
                if not _translated(item.get("title")):
                    yield _untranslated(pack.menus, f"{where}.title")
                if item.get("form") not in form_keys:
                    yield pack.menus.problem(
                        f"{where}.form",
                        _(
                            "The menu names the form {key}, which no installed pack defines.",
                            key=item.get("form"),
                        ),
                        "menus",
                    )
                if item.get("view", "list") not in {"new", "list", "inbox", "report"}:
                    yield pack.menus.problem(
                        f"{where}.view", _("view is new, list, inbox or report."), "menus"
                    )
        if isinstance(pack.menus.value, Mapping) and "home" in pack.menus.value:
            yield from _check_home_feeds(pack.menus, pack.menus.value["home"], forms)
    if pack.settings is not None:
        raw = pack.settings.value
        if not isinstance(raw, Mapping):
            yield pack.settings.problem(
                "$", _('settings.json maps setting names to {{"default", "label"}}.'), "settings"
            )
        else:
            for key, spec in raw.items():
                if not isinstance(spec, Mapping) or "default" not in spec:
                    yield pack.settings.problem(
                        f"$.{key}", _("A setting needs a default."), "settings"
                    )
                elif not _translated(spec.get("label")):
                    yield _untranslated(pack.settings, f"$.{key}.label")


def lint_pack(
    pack: PackSource,
    available: Mapping[str, PackSource] | None = None,
    *,
    org: OrgChart | None = None,
) -> list[PackProblem]:
    """Every problem of ``pack`` (errors and warnings), sorted by file and position.

    ``available`` holds the other packs (for dependencies); ``org`` is the org simulation
    cases run against (default: the demo company).
    """
    problems = list(pack.problems)
    if pack.manifest is None:
        return _sorted(problems)
    dependencies, dependency_problems = _dependency_sources(pack, available or {})
    problems.extend(dependency_problems)
    for file in pack.forms:
        problems.extend(_check_form_file(pack, file))
    compiled, _infos, form_problems = compile_pack_forms([pack, *dependencies])
    own_files = {f.name for f in pack.forms}
    problems.extend(p for p in form_problems if p.file in own_files)
    problems.extend(_check_side_files(pack, compiled))
    problems.extend(_check_flows(pack, compiled, org or demo_org_chart()))
    return _sorted(problems)


def _sorted(problems: list[PackProblem]) -> list[PackProblem]:
    unique = {(p.file, p.line, p.column, p.code, p.message.render("en")): p for p in problems}
    return sorted(unique.values(), key=lambda p: (p.file, p.line, p.column, p.code))


def has_errors(problems: list[PackProblem]) -> bool:
    return any(p.severity == Severity.ERROR for p in problems)
