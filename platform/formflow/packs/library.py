"""Where packs come from: the library shipped with Formflow, or any folder.

The wheel ships ``templates_library/`` inside the package (``formflow/templates_library``);
in a source checkout it is the repository's top-level folder. A pack is named by its folder
name in the library, or given as a path (consultants keep their own packs in git).
"""

from __future__ import annotations

from pathlib import Path

import formflow
from formflow.errors import NotFound
from formflow.i18n import _
from formflow.packs.source import PackSource, read_pack


def library_dir() -> Path:
    """The shipped pack library (installed package data, else the source checkout's)."""
    package = Path(formflow.__file__).resolve().parent
    installed = package / "templates_library"
    if installed.is_dir():
        return installed
    return package.parent.parent / "templates_library"


def pack_folders(root: Path | None = None) -> list[Path]:
    """The pack folders directly inside ``root`` (default: the library), sorted by name."""
    base = root or library_dir()
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir() if (p / "pack.json").is_file())


def available_packs(root: Path | None = None) -> dict[str, PackSource]:
    """Every pack of the library (or of ``root``), read, by pack name."""
    packs: dict[str, PackSource] = {}
    for folder in pack_folders(root):
        source = read_pack(folder)
        packs[source.name] = source
    return packs


def find_pack(name_or_path: str) -> PackSource:
    """A pack by library name (``oa``) or by folder path (``./my-packs/acme``)."""
    path = Path(name_or_path).expanduser()
    if path.is_dir() and (path / "pack.json").is_file():
        return read_pack(path)
    candidate = library_dir() / name_or_path
    if "/" not in name_or_path and (candidate / "pack.json").is_file():
        return read_pack(candidate)
    raise NotFound(
        _(
            "No pack {name}: give a pack name from the library or a folder with a pack.json.",
            name=name_or_path,
        )
    )
