"""The pack manifest (``pack.json``): name, version, titles, adoption stage, dependencies."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from formflow.errors import Issue
from formflow.i18n import SUPPORTED_LOCALES, _

PACK_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
MANIFEST_KEYS = frozenset(
    {"name", "version", "title", "description", "stage", "pains", "depends", "formflow"}
)


class Stage(StrEnum):
    """When a company typically adopts the pack (DESIGN.md: startup, growth, mature)."""

    STARTUP = "startup"
    GROWTH = "growth"
    MATURE = "mature"


@dataclass(frozen=True)
class Manifest:
    name: str
    version: str
    title: Mapping[str, str]
    description: Mapping[str, str]
    stage: Stage
    pains: tuple[Mapping[str, str], ...] = ()
    depends: Mapping[str, str] = field(default_factory=dict)
    formflow: str = ""

    @property
    def parsed_version(self) -> Version:
        return Version(self.version)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "version": self.version,
            "title": dict(self.title),
            "description": dict(self.description),
            "stage": self.stage.value,
            "pains": [dict(p) for p in self.pains],
            "depends": dict(self.depends),
        }
        if self.formflow:
            out["formflow"] = self.formflow
        return out


def _translated(value: Any) -> bool:
    return isinstance(value, Mapping) and all(
        isinstance(value.get(locale), str) and value[locale].strip() for locale in SUPPORTED_LOCALES
    )


def parse_manifest(raw: Any) -> tuple[Manifest | None, list[Issue]]:
    """Check a manifest; returns it (None when unusable) and every problem found."""
    issues: list[Issue] = []
    if not isinstance(raw, Mapping):
        return None, [Issue("$", _("pack.json must be a JSON object."), "manifest")]
    for key in sorted(set(raw) - MANIFEST_KEYS):
        issues.append(
            Issue(
                f"$.{key}",
                _(
                    "Unknown manifest key {key}; allowed: {known}.",
                    key=key,
                    known=", ".join(sorted(MANIFEST_KEYS)),
                ),
                "unknown_key",
            )
        )
    name = raw.get("name")
    if not isinstance(name, str) or not PACK_NAME.match(name):
        issues.append(
            Issue(
                "$.name",
                _(
                    "The pack name must be 1-32 lower-case letters, digits "
                    "or _, starting with a letter."
                ),
                "name",
            )
        )
    version = raw.get("version")
    if not isinstance(version, str) or not SEMVER.match(version):
        issues.append(
            Issue(
                "$.version", _("The version must be a semantic version such as 1.0.0."), "version"
            )
        )
    for key in ("title", "description"):
        if not _translated(raw.get(key)):
            issues.append(
                Issue(
                    f"$.{key}",
                    _(
                        "{key} needs a text for every language: {locales}.",
                        key=key,
                        locales=", ".join(SUPPORTED_LOCALES),
                    ),
                    "untranslated",
                )
            )
    stage = raw.get("stage")
    if stage not in {s.value for s in Stage}:
        issues.append(Issue("$.stage", _("The stage must be startup, growth or mature."), "stage"))
    pains = raw.get("pains", [])
    if not isinstance(pains, list):
        issues.append(Issue("$.pains", _("pains is a list of translated texts."), "pains"))
        pains = []
    for index, pain in enumerate(pains):
        if not _translated(pain):
            issues.append(
                Issue(
                    f"$.pains[{index}]",
                    _(
                        "{key} needs a text for every language: {locales}.",
                        key="pain",
                        locales=", ".join(SUPPORTED_LOCALES),
                    ),
                    "untranslated",
                )
            )
    depends = raw.get("depends", {})
    if not isinstance(depends, Mapping):
        issues.append(
            Issue(
                "$.depends",
                _('depends maps pack names to version ranges, such as {{"hr": ">=1.0,<2"}}.'),
                "depends",
            )
        )
        depends = {}
    for other, spec in depends.items():
        if not isinstance(other, str) or not PACK_NAME.match(other) or not _valid_spec(spec):
            issues.append(
                Issue(
                    f"$.depends.{other}",
                    _("{value!r} is not a version range such as >=1.0,<2.", value=spec),
                    "depends",
                )
            )
    platform = raw.get("formflow", "")
    if platform and not _valid_spec(platform):
        issues.append(
            Issue(
                "$.formflow",
                _("{value!r} is not a version range such as >=0.1.", value=platform),
                "formflow",
            )
        )
    if issues:
        return None, issues
    return (
        Manifest(
            name=str(name),
            version=str(version),
            title=dict(raw["title"]),
            description=dict(raw["description"]),
            stage=Stage(str(stage)),
            pains=tuple(dict(p) for p in pains),
            depends={str(k): str(v) for k, v in depends.items()},
            formflow=str(platform or ""),
        ),
        [],
    )


def _valid_spec(spec: Any) -> bool:
    if not isinstance(spec, str):
        return False
    try:
        SpecifierSet(spec)
    except InvalidSpecifier:
        return False
    return True


def satisfies(version: str, spec: str) -> bool:
    """True when ``version`` lies in the range ``spec`` (an empty range admits anything)."""
    try:
        return Version(version) in SpecifierSet(spec) if spec else True
    except (InvalidVersion, InvalidSpecifier):
        return False
