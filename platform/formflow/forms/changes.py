"""What one change between two form versions is: its kind, where, and whether it breaks records.

:mod:`formflow.forms.versions` lists the changes; :mod:`formflow.forms.fieldchanges` compares
one field, or the form-level rules, of two versions.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from formflow.i18n import Msg


class ChangeKind(StrEnum):
    FIELD_ADDED = "field_added"
    FIELD_REMOVED = "field_removed"
    FIELD_RENAMED = "field_renamed"
    TYPE_CHANGED = "type_changed"
    REQUIRED_ADDED = "required_added"
    REQUIRED_REMOVED = "required_removed"
    OPTIONS_REMOVED = "options_removed"
    OPTIONS_ADDED = "options_added"
    CONSTRAINT_TIGHTENED = "constraint_tightened"
    CONSTRAINT_LOOSENED = "constraint_loosened"
    FORMULA_CHANGED = "formula_changed"
    LABEL_CHANGED = "label_changed"
    INDEX_CHANGED = "index_changed"
    RULES_CHANGED = "rules_changed"


@dataclass(frozen=True)
class Change:
    """One difference; ``path`` is the dotted field path (``""`` for the whole form)."""

    kind: ChangeKind
    path: str
    breaking: bool
    message: Msg
    old: Any = None
    new: Any = None

    def render(self, locale: str | None) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "path": self.path,
            "breaking": self.breaking,
            "message": self.message.render(locale),
        }
