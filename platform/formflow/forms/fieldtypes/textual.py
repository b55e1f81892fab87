"""Text field types: text, textarea, email, phone, url, idcard, uscc.

Phone numbers are Chinese mobile numbers (``1[3-9]`` and nine more digits) unless the field
sets ``x-landline: true``, which also accepts landlines with an area code (``010-12345678``,
``0755 8888 6666`` is refused: write it without spaces). URLs must be ``http`` or ``https``: a
``javascript:`` link in a record is a stored XSS waiting to be clicked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar
from urllib.parse import urlsplit

from formflow.errors import Issue
from formflow.expr import STRING, Type
from formflow.forms.fields import FieldSpec, IndexKind
from formflow.forms.fieldtypes.base import (
    NO_ISSUES,
    CheckContext,
    DefinitionContext,
    FieldType,
    ValueCheck,
    register,
)
from formflow.forms.fieldtypes.keywordchecks import check_bool_keyword
from formflow.forms.idcard import idcard_problem
from formflow.forms.quoting import quote
from formflow.forms.uscc import uscc_problem
from formflow.i18n import _

MOBILE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$", re.ASCII)


class _Text(FieldType):
    json_types: ClassVar[tuple[str, ...]] = ("string",)
    index_kind: ClassVar[IndexKind | None] = IndexKind.TEXT

    def expr_type(self, spec: FieldSpec) -> Type:
        return STRING


@register
class TextType(_Text):
    """One line of text."""

    name = "text"
    widgets = ("input", "textarea", "scan")
    computable = True


@register
class TextareaType(_Text):
    """Several lines of text; not indexable (long values make poor index keys)."""

    name = "textarea"
    widgets = ("textarea", "richtext")
    index_kind = None
    computable = True


@register
class EmailType(_Text):
    """An e-mail address (format ``email``)."""

    name = "email"
    shape: ClassVar[Mapping[str, Any]] = {"format": "email", "maxLength": 254}
    widgets = ("email", "input")


@register
class PhoneType(_Text):
    """A Chinese mobile number; with ``x-landline: true`` a landline with area code too."""

    name = "phone"
    widgets = ("phone", "input")
    keywords = frozenset({"x-landline"})

    def check_definition(
        self, prop: Mapping[str, Any], path: str, context: DefinitionContext
    ) -> Iterator[Issue]:
        yield from check_bool_keyword(prop, "x-landline", path)

    def value_check(self, spec: FieldSpec) -> ValueCheck | None:
        landline = spec.schema.get("x-landline") is True
        title = spec.title()

        def check(value: Any, path: str, context: CheckContext) -> Sequence[Issue]:
            if not isinstance(value, str) or MOBILE.match(value):
                return NO_ISSUES
            if landline and LANDLINE.match(value):
                return NO_ISSUES
            if landline:
                message = _(
                    "{value} in {field} is not a phone number; enter an 11-digit mobile "
                    "number such as 13812345678, or a landline with its area code such as "
                    "010-12345678.",
                    value=quote(value),
                    field=title,
                )
            else:
                message = _(
                    "{value} in {field} is not a mobile number; enter 11 digits starting "
                    "with 13 to 19, such as 13812345678.",
                    value=quote(value),
                    field=title,
                )
            return [Issue(path, message, "phone")]

        return check


@register
class UrlType(_Text):
    """A web address starting with ``http://`` or ``https://``."""

    name = "url"
    shape: ClassVar[Mapping[str, Any]] = {"format": "uri", "maxLength": 2048}
    widgets = ("url", "input")

    def value_check(self, spec: FieldSpec) -> ValueCheck | None:
        title = spec.title()

        def check(value: Any, path: str, context: CheckContext) -> Sequence[Issue]:
            if not isinstance(value, str):
                return NO_ISSUES
            try:
                parts = urlsplit(value)
            except ValueError:
                parts = None
            if parts is not None and parts.scheme.lower() in {"http", "https"} and parts.netloc:
                return NO_ISSUES
            return [
                Issue(
                    path,
                    _(
                        "{value} in {field} is not a web address; it must start with "
                        "http:// or https://.",
                        value=quote(value),
                        field=title,
                    ),
                    "url",
                )
            ]

        return check


@register
class IdcardType(_Text):
    """An 18-character Chinese resident ID number, checked with GB 11643's check digit."""

    name = "idcard"
    widgets = ("idcard", "input")

    def value_check(self, spec: FieldSpec) -> ValueCheck | None:
        def check(value: Any, path: str, context: CheckContext) -> Sequence[Issue]:
            if not isinstance(value, str):
                return NO_ISSUES
            problem = idcard_problem(value, context.today)
            return NO_ISSUES if problem is None else [Issue(path, problem, "idcard")]

        return check


@register
class UsccType(_Text):
    """A unified social credit code of a Chinese organisation, checked with GB 32100."""

    name = "uscc"
    widgets = ("uscc", "input")

    def value_check(self, spec: FieldSpec) -> ValueCheck | None:
        def check(value: Any, path: str, context: CheckContext) -> Sequence[Issue]:
            if not isinstance(value, str):
                return NO_ISSUES
            problem = uscc_problem(value)
            return NO_ISSUES if problem is None else [Issue(path, problem, "uscc")]

        return check
