"""The layout rules of DESIGN.md, checked on the source itself."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import formflow

PACKAGE = Path(formflow.__file__).parent
PURE_CORE = [
    "expr",
    "forms",
    "dsl",
    "engine",
    "orgchart.py",
    "workcalendar.py",
    "i18n.py",
    "errors.py",
]
FORBIDDEN_IN_CORE = (
    "flask",
    "sqlalchemy",
    "werkzeug",
    "alembic",
    "formflow.storage",
    "formflow.services",
    "formflow.web",
)
LAYERS = {  # a module in the key's package may not import the listed packages
    "storage": ("formflow.services", "formflow.web", "formflow.commands", "formflow.cli", "flask"),
    "services": ("formflow.web", "formflow.commands", "formflow.cli", "flask"),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(entry: str) -> list[Path]:
    target = PACKAGE / entry
    return sorted(target.rglob("*.py")) if target.is_dir() else [target]


def test_importing_platform_still_gives_the_standard_library_module() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import platform, formflow; print(platform.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=PACKAGE.parent.parent,
    )
    assert "site-packages" not in result.stdout
    assert Path(result.stdout.strip()).name == "platform.py"
    assert not (PACKAGE.parent / "__init__.py").exists()


@pytest.mark.parametrize("entry", PURE_CORE)
def test_the_pure_core_imports_neither_flask_nor_sqlalchemy(entry: str) -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in _modules(entry)
        for name in _imports(path)
        if name.split(".")[0] in {"flask", "sqlalchemy", "werkzeug", "alembic"}
        or name.startswith(FORBIDDEN_IN_CORE)
    ]
    assert offenders == []


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_dependencies_point_down_only(layer: str) -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in _modules(layer)
        for name in _imports(path)
        if name.startswith(LAYERS[layer])
    ]
    assert offenders == []


def test_no_module_is_a_grab_bag() -> None:
    bad = [p for p in PACKAGE.rglob("*.py") if p.stem in {"utils", "helpers", "common", "misc"}]
    assert bad == []
