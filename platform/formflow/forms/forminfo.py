"""What one form needs to know about the *other* forms of an installation.

Links (``x-link``) and rollups (``x-rollup``) name other forms; checking them needs those
forms' fields, and a rollup's ``where`` expression is type-checked against the other form's
scope. Services pass a mapping of :class:`FormInfo` (usually built from the published
versions with :meth:`FormInfo.of`) as ``known_forms``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from formflow.expr import Scope
from formflow.forms.fields import FieldSpec
from formflow.forms.labels import Label

if TYPE_CHECKING:
    from formflow.forms.compiled import CompiledForm


@dataclass(frozen=True)
class FormInfo:
    """The key, title, fields and display field of a known form."""

    key: str
    fields: Mapping[str, FieldSpec] = field(default_factory=dict)
    title: Label | None = None
    display: str | None = None

    @classmethod
    def of(cls, key: str, form: CompiledForm, title: Label | None = None) -> FormInfo:
        """Describe a compiled form under ``key``."""
        return cls(key=key, fields=form.fields, title=title, display=form.display_field)

    def scope(self) -> Scope:
        """The expression scope over one record of this form."""
        from formflow.forms.scope import scope_for  # noqa: PLC0415 - avoids an import cycle

        return scope_for(self.fields)
