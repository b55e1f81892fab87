"""Template packs as data: reading a pack folder, checking it (lint), canonical file format.

A pack is a folder (``templates_library/<name>/`` or any path): a manifest, forms (JSON
Schema + UI schema), flow files (the flow DSL) with simulation cases, roles, menus, settings,
translations of flow texts, and demo data — never Python. This package reads and checks packs
without a database; :mod:`formflow.services.packs` installs them. The format is documented in
``docs/packs.md``.
"""

from formflow.packs.lint import lint_pack
from formflow.packs.manifest import Manifest
from formflow.packs.source import PackSource, read_pack

__all__ = ["Manifest", "PackSource", "lint_pack", "read_pack"]
