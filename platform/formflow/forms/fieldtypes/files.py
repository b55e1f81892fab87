"""File field types: attachments, images, signature.

The files themselves live in the attachment store (services); a record holds descriptions
``{"id", "name", "size", "content_type"}``. ``x-accept`` lists what may be attached — MIME
types (``application/pdf``), families (``image/*``) or extensions (``.xlsx``);
``x-max-size`` is the largest file in bytes; ``x-max-files`` the most files. Services enforce
the installation's upload limits again when the bytes arrive: these checks are the form's own
rules on top.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from formflow.errors import Issue
from formflow.expr import ANY, NUMBER, STRING, ListType, RowType, Type
from formflow.forms.fields import FieldSpec
from formflow.forms.fieldtypes.base import (
    NO_ISSUES,
    CheckContext,
    DefinitionContext,
    FieldType,
    ValueCheck,
    register,
)
from formflow.forms.fieldtypes.keywordchecks import check_int_keyword, is_int
from formflow.forms.paths import child
from formflow.forms.quoting import quote
from formflow.i18n import _

FILE_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": ["integer", "string"]},
        "name": {"type": "string", "minLength": 1, "maxLength": 255},
        "size": {"type": "integer", "minimum": 0},
        "content_type": {"type": "string", "maxLength": 255},
    },
    "required": ["id", "name", "size", "content_type"],
}
FILE_ROW = RowType({"id": ANY, "name": STRING, "size": NUMBER, "content_type": STRING})
MAX_FILES_LIMIT = 1000
MAX_SIZE_LIMIT = 10 * 1024**3


def is_accepted(file: Mapping[str, Any], accept: Sequence[str]) -> bool:
    """True when the file's content type or name matches one entry of ``accept``."""
    content_type = str(file.get("content_type", "")).lower()
    name = str(file.get("name", "")).lower()
    for entry in accept:
        wanted = entry.lower()
        if wanted.startswith("."):
            if name.endswith(wanted):
                return True
        elif wanted.endswith("/*"):
            if content_type.startswith(wanted[:-1]):
                return True
        elif content_type == wanted:
            return True
    return False


def _check_accept(prop: Mapping[str, Any], path: str) -> Iterator[Issue]:
    accept = prop.get("x-accept")
    if accept is None:
        return
    if (
        not isinstance(accept, list)
        or not accept
        or not all(
            isinstance(entry, str) and ("/" in entry or entry.startswith(".")) for entry in accept
        )
    ):
        yield Issue(
            child(path, "x-accept"),
            _(
                "x-accept lists the files allowed, such as {example}.",
                example='["image/*", "application/pdf", ".xlsx"]',
            ),
            "keyword_invalid",
        )


class _Files(FieldType):
    widgets: ClassVar[tuple[str, ...]] = ("file_upload",)
    keywords = frozenset({"x-accept", "x-max-size", "x-max-files"})
    default_accept: ClassVar[tuple[str, ...]] = ()
    many: ClassVar[bool] = True

    def check_definition(
        self, prop: Mapping[str, Any], path: str, context: DefinitionContext
    ) -> Iterator[Issue]:
        yield from _check_accept(prop, path)
        yield from check_int_keyword(prop, "x-max-size", path, 1, MAX_SIZE_LIMIT)
        if self.many:
            yield from check_int_keyword(prop, "x-max-files", path, 1, MAX_FILES_LIMIT)

    def value_check(self, spec: FieldSpec) -> ValueCheck | None:
        accept = tuple(spec.schema.get("x-accept") or self.default_accept)
        max_size = spec.schema.get("x-max-size")
        max_files = spec.schema.get("x-max-files")
        title = spec.title()
        many = self.many

        def check_file(file: Any, path: str, issues: list[Issue]) -> None:
            if not isinstance(file, Mapping):
                return
            size: Any = file.get("size")
            if max_size is not None and is_int(size) and int(size) > max_size:
                issues.append(
                    Issue(
                        path,
                        _(
                            "{name} is {size} bytes; {field} takes files up to {limit} bytes.",
                            name=quote(file.get("name", "")),
                            size=int(size),
                            field=title,
                            limit=max_size,
                        ),
                        "file_size",
                    )
                )
            if accept and not is_accepted(file, accept):
                issues.append(
                    Issue(
                        path,
                        _(
                            "{name} is not an accepted kind of file for {field}; accepted: "
                            "{accept}.",
                            name=quote(file.get("name", "")),
                            field=title,
                            accept=", ".join(accept),
                        ),
                        "file_type",
                    )
                )

        def check(value: Any, path: str, context: CheckContext) -> Sequence[Issue]:
            issues: list[Issue] = []
            if not many:
                check_file(value, path, issues)
                return issues
            if not isinstance(value, list):
                return NO_ISSUES
            if max_files is not None and len(value) > max_files:
                issues.append(
                    Issue(
                        path,
                        _(
                            "{field} takes at most {limit} files; remove {extra}.",
                            field=title,
                            limit=max_files,
                            extra=len(value) - max_files,
                        ),
                        "file_count",
                    )
                )
            for index, file in enumerate(value):
                check_file(file, child(path, index), issues)
            return issues

        return check


@register
class AttachmentsType(_Files):
    """Any files."""

    name = "attachments"
    json_types: ClassVar[tuple[str, ...]] = ("array",)
    shape: ClassVar[Mapping[str, Any]] = {"items": FILE_SCHEMA}

    def expr_type(self, spec: FieldSpec) -> Type:
        return ListType(FILE_ROW)


@register
class ImagesType(_Files):
    """Pictures (``image/*`` unless ``x-accept`` narrows it)."""

    name = "images"
    json_types: ClassVar[tuple[str, ...]] = ("array",)
    shape: ClassVar[Mapping[str, Any]] = {"items": FILE_SCHEMA}
    widgets = ("image_upload", "camera")
    default_accept = ("image/*",)

    def expr_type(self, spec: FieldSpec) -> Type:
        return ListType(FILE_ROW)


@register
class SignatureType(_Files):
    """One hand-written signature, stored as an image file."""

    name = "signature"
    json_types: ClassVar[tuple[str, ...]] = ("object",)
    shape: ClassVar[Mapping[str, Any]] = {
        key: value for key, value in FILE_SCHEMA.items() if key != "type"
    }
    widgets = ("signature_pad",)
    keywords = frozenset({"x-accept", "x-max-size"})
    default_accept = ("image/*",)
    many = False

    def expr_type(self, spec: FieldSpec) -> Type:
        return FILE_ROW
