"""Reading a pack folder into a :class:`PackSource` (files and their parsed contents).

Layout (see docs/packs.md)::

    pack.json                 manifest
    forms/<name>.json         {"key", "title", "schema", "ui", "grants"} — one form per file
    flows/<name>.flow         flow DSL: flows and automations
    flows/<name>.cases.json   simulation cases for the flows of <name>.flow
    roles.json                [{"key", "name"}]
    menus.json                {"items": [{"title", "form", "view"}]} — the pack as an app
    settings.json             {"<param>": {"default", "label", "help"}} — flow parameters
    i18n.json                 {"en": {"中文原文": "English"}, "zh-CN": {...}} — flow texts
    demo/records.json         demo records and the actions that move them through flows

Reading never raises for content problems: every problem becomes a :class:`PackProblem`
with its file and position, so lint can report them all at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import simplejson

from formflow.errors import Diagnostic, Severity
from formflow.i18n import Msg, _
from formflow.packs.canonical import canonical_json, loads
from formflow.packs.jsonpos import locate
from formflow.packs.manifest import Manifest, parse_manifest

MAX_FILE_BYTES = 2 * 1024 * 1024
KNOWN_TOP_LEVEL = frozenset(
    {
        "pack.json",
        "forms",
        "flows",
        "roles.json",
        "menus.json",
        "settings.json",
        "i18n.json",
        "demo",
        "README.md",
        "CHANGELOG.md",
        "migrations",
    }
)


@dataclass(frozen=True)
class PackProblem:
    """One problem in a pack, at a file and a position (line/column, and a JSON path)."""

    file: str
    message: Msg
    line: int = 1
    column: int = 1
    path: str | None = None
    code: str = "pack"
    severity: Severity = Severity.ERROR

    def render(self, locale: str | None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message.render(locale),
        }
        if self.path:
            out["path"] = self.path
        return out

    def as_text(self, locale: str | None) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.severity.value}: {self.message.render(locale)}"

    @classmethod
    def from_diagnostic(cls, file: str, diagnostic: Diagnostic) -> PackProblem:
        message = diagnostic.message
        if diagnostic.hint is not None:
            message = _("{message} {hint}", message=diagnostic.message, hint=diagnostic.hint)
        return cls(
            file=file,
            message=message,
            line=diagnostic.line,
            column=diagnostic.column,
            code=diagnostic.code,
            severity=diagnostic.severity,
        )


@dataclass(frozen=True)
class JsonFile:
    """A JSON file of the pack: its relative name, text and parsed value."""

    name: str
    text: str
    value: Any

    def problem(
        self, path: str, message: Msg, code: str = "pack", severity: Severity = Severity.ERROR
    ) -> PackProblem:
        line, column = locate(self.text, path)
        return PackProblem(self.name, message, line, column, path, code, severity)


@dataclass(frozen=True)
class FlowFile:
    name: str
    text: str
    cases: JsonFile | None = None


@dataclass(frozen=True)
class PackSource:
    """Everything in one pack folder, read and parsed (nothing checked beyond JSON syntax)."""

    root: Path
    manifest: Manifest | None
    manifest_file: JsonFile | None
    forms: tuple[JsonFile, ...] = ()
    flows: tuple[FlowFile, ...] = ()
    roles: JsonFile | None = None
    menus: JsonFile | None = None
    settings: JsonFile | None = None
    i18n: JsonFile | None = None
    demo: JsonFile | None = None
    problems: tuple[PackProblem, ...] = ()
    json_files: tuple[JsonFile, ...] = field(default=(), repr=False)

    @property
    def name(self) -> str:
        return self.manifest.name if self.manifest else self.root.name

    def setting_defaults(self) -> dict[str, Any]:
        """``{param: default}`` from settings.json (what flows get unless an admin changed it)."""
        raw = self.settings.value if self.settings is not None else {}
        if not isinstance(raw, Mapping):
            return {}
        return {
            key: spec.get("default")
            for key, spec in raw.items()
            if isinstance(spec, Mapping) and "default" in spec
        }

    def translations(self) -> dict[str, dict[str, str]]:
        raw = self.i18n.value if self.i18n is not None else {}
        if not isinstance(raw, Mapping):
            return {}
        return {
            str(locale): {str(k): str(v) for k, v in table.items()}
            for locale, table in raw.items()
            if isinstance(table, Mapping)
        }

    def form_values(self) -> list[tuple[JsonFile, Mapping[str, Any]]]:
        return [(f, f.value) for f in self.forms if isinstance(f.value, Mapping)]


def _read_text(root: Path, path: Path, problems: list[PackProblem]) -> str | None:
    name = path.relative_to(root).as_posix()
    if path.stat().st_size > MAX_FILE_BYTES:
        problems.append(PackProblem(name, _("The file is larger than 2 MB."), code="too_large"))
        return None
    try:
        return path.read_text("utf-8")
    except UnicodeDecodeError:
        problems.append(PackProblem(name, _("The file is not UTF-8 text."), code="encoding"))
        return None


def _read_json(root: Path, path: Path, problems: list[PackProblem]) -> JsonFile | None:
    text = _read_text(root, path, problems)
    if text is None:
        return None
    name = path.relative_to(root).as_posix()
    try:
        value = loads(text)
    except simplejson.JSONDecodeError as exc:
        problems.append(
            PackProblem(
                name,
                _("Not valid JSON: {error}.", error=exc.msg),
                exc.lineno,
                exc.colno,
                code="json",
            )
        )
        return None
    if canonical_json(value) != text:
        problems.append(
            PackProblem(
                name,
                _(
                    "The file is not in canonical form (sorted keys, 2-space indent, final "
                    "newline); run `formflow pack fmt`."
                ),
                code="not_canonical",
                severity=Severity.WARNING,
            )
        )
    return JsonFile(name, text, value)


def read_pack(root: Path | str) -> PackSource:
    """Read the pack in ``root``; problems of syntax and layout go into ``problems``."""
    root = Path(root).resolve()
    problems: list[PackProblem] = []
    if not (root / "pack.json").is_file():
        return PackSource(
            root,
            None,
            None,
            problems=(
                PackProblem(
                    "pack.json",
                    _("{folder} has no pack.json: it is not a pack.", folder=str(root)),
                    code="no_manifest",
                ),
            ),
        )
    for entry in sorted(root.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.name not in KNOWN_TOP_LEVEL:
            problems.append(
                PackProblem(
                    entry.name,
                    _(
                        "Unexpected file or folder {name} in a pack; see "
                        "docs/packs.md for the layout.",
                        name=entry.name,
                    ),
                    code="unexpected",
                    severity=Severity.WARNING,
                )
            )
        if entry.suffix == ".py" or (entry.is_dir() and any(entry.rglob("*.py"))):
            problems.append(
                PackProblem(
                    entry.name,
                    _("Packs are data only: Python files are not allowed."),
                    code="python",
                )
            )
    manifest_file = _read_json(root, root / "pack.json", problems)
    manifest = None
    if manifest_file is not None:
        manifest, issues = parse_manifest(manifest_file.value)
        problems.extend(manifest_file.problem(i.path, i.message, i.code) for i in issues)
    forms = (
        tuple(
            f
            for p in sorted((root / "forms").glob("*.json"))
            if (f := _read_json(root, p, problems)) is not None
        )
        if (root / "forms").is_dir()
        else ()
    )
    flows: list[FlowFile] = []
    if (root / "flows").is_dir():
        for path in sorted((root / "flows").glob("*.flow")):
            text = _read_text(root, path, problems)
            if text is None:
                continue
            cases_path = path.with_name(path.stem + ".cases.json")
            cases = _read_json(root, cases_path, problems) if cases_path.is_file() else None
            flows.append(FlowFile(path.relative_to(root).as_posix(), text, cases))
        for path in sorted((root / "flows").glob("*.cases.json")):
            if not path.with_name(path.name.removesuffix(".cases.json") + ".flow").is_file():
                problems.append(
                    PackProblem(
                        path.relative_to(root).as_posix(),
                        _("Simulation cases without a flow file of the same name."),
                        code="orphan_cases",
                    )
                )

    def optional(name: str) -> JsonFile | None:
        path = root / name
        return _read_json(root, path, problems) if path.is_file() else None

    json_files = [f for f in (manifest_file, *forms) if f is not None]
    return PackSource(
        root=root,
        manifest=manifest,
        manifest_file=manifest_file,
        forms=forms,
        flows=tuple(flows),
        roles=optional("roles.json"),
        menus=optional("menus.json"),
        settings=optional("settings.json"),
        i18n=optional("i18n.json"),
        demo=optional("demo/records.json"),
        problems=tuple(problems),
        json_files=tuple(json_files),
    )
