"""JSON paths that point at a place in a form definition or in submitted data.

Every :class:`~formflow.errors.Issue` carries one. Paths follow the JSONPath spelling that
python ``jsonschema`` uses for ``ValidationError.json_path`` — ``$.items[0].qty`` — so that a
path from the validator and a path built here for the same place are the same string and a
form page can show the message next to its field. Keys that are not simple names (spaces,
dots, quotes) are written in brackets, ``$['odd key']``, so the path stays unambiguous.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

ROOT = "$"

_SIMPLE_KEY = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$-]*$")


def child(path: str, key: str | int) -> str:
    """The path of ``key`` (a property name or a list index) below ``path``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _SIMPLE_KEY.match(key):
        return f"{path}.{key}"
    escaped = key.replace("\\", "\\\\").replace("'", "\\'")
    return f"{path}['{escaped}']"


def join(path: str, keys: Iterable[str | int]) -> str:
    """The path reached from ``path`` by following ``keys`` in order."""
    for key in keys:
        path = child(path, key)
    return path


def field_path(keys: Iterable[str | int]) -> str:
    """The field a data path belongs to, without row indexes: ``items.qty`` for ``items[0].qty``.

    Used to find the :class:`~formflow.forms.fields.FieldSpec` (and so the label) of the field
    a validation error is about.
    """
    return ".".join(key for key in keys if isinstance(key, str))
