"""Turning JSON Schema errors into messages a form user understands, in their language.

python ``jsonschema`` explains errors in programmer's English (``'qty' is a required
property``). Users must never see that text: each error is translated here by its keyword
into a :class:`~formflow.i18n.Msg` that names the field by its label, quotes the bad value and
says what to do. The same translator explains meta-schema errors in a form definition (then
the "field" is the keyword that is wrong).

The field a data path points at is named with its labels and row numbers —
"Items › row 2 › Quantity" for ``$.items[1].qty`` — so the message reads well even where the
path is not shown next to an input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from jsonschema import ValidationError

from formflow.errors import Issue
from formflow.forms.engines import PatternTimeoutError
from formflow.forms.fields import FieldSpec
from formflow.forms.labels import label_msg
from formflow.forms.paths import join
from formflow.forms.quoting import number_text, quote
from formflow.i18n import Msg, _

_TYPE_NAMES: Mapping[str, Msg] = {
    "string": _("a text"),
    "number": _("a number"),
    "integer": _("a whole number"),
    "boolean": _("yes or no (true/false)"),
    "array": _("a list"),
    "object": _("a group of fields"),
    "null": _("empty"),
}

#: Type names in a definition (the meta-schema speaks about schemas, not about form data).
_SCHEMA_TYPE_NAMES: Mapping[str, Msg] = {
    **_TYPE_NAMES,
    "boolean": _("true/false"),
    "object": _("a schema object"),
}

_FORMAT_HINTS: Mapping[str, Msg] = {
    "date": _("a date such as 2026-01-31"),
    "date-time": _("a date and time such as 2026-01-31T08:00:00Z"),
    "time": _("a time such as 08:30"),
    "email": _("an e-mail address such as name@example.com"),
    "uri": _("a web address such as https://example.com"),
    "uuid": _("an identifier such as 123e4567-e89b-12d3-a456-426614174000"),
    "ipv4": _("an IPv4 address such as 192.168.1.10"),
    "ipv6": _("an IPv6 address such as 2001:db8::1"),
    "hostname": _("a host name such as www.example.com"),
}


def _limit(value: Any) -> str:
    return (
        number_text(value)
        if isinstance(value, int | float) or hasattr(value, "as_tuple")
        else str(value)
    )


class ErrorTranslator:
    """Translates python ``jsonschema`` errors for one form (or for the meta-schema).

    ``fields`` gives labels, options and pattern messages; ``root`` is the JSON path the error
    paths are relative to (``$`` for data, ``$.schema`` for a definition).
    """

    def __init__(
        self,
        fields: Mapping[str, FieldSpec] | None = None,
        root: str = "$",
        keyword_names: bool = False,
    ) -> None:
        self.fields = fields or {}
        self.root = root
        self.keyword_names = keyword_names

    # -- naming --------------------------------------------------------------------------

    def spec_at(self, keys: Sequence[str | int]) -> FieldSpec | None:
        """The deepest field spec along a data path."""
        current: Mapping[str, FieldSpec] = self.fields
        found: FieldSpec | None = None
        for key in keys:
            if isinstance(key, int):
                continue
            spec = current.get(key)
            if spec is None:
                return found
            found, current = spec, spec.children
        return found

    def name(self, keys: Sequence[str | int]) -> Msg:
        """How to call the place at ``keys``: labels, row numbers, and raw keys below."""
        if not keys:
            return _("The schema") if self.keyword_names else _("The form")
        if self.keyword_names:
            last = keys[-1]
            return label_msg(None, quote(last if isinstance(last, str) else f"[{last}]"))
        parts: list[Msg] = []
        current: Mapping[str, FieldSpec] = self.fields
        in_table = False
        for key in keys:
            if isinstance(key, int):
                if in_table:
                    parts.append(_("row {number}", number=key + 1))
                else:
                    parts.append(_("entry {number}", number=key + 1))
                continue
            spec = current.get(key)
            if spec is not None:
                parts.append(spec.title())
                current = spec.children
                in_table = spec.is_subtable
            else:
                parts.append(label_msg(None, quote(key)))
                current = {}
                in_table = False
        message = parts[0]
        for part in parts[1:]:
            message = _("{outer} › {inner}", outer=message, inner=part)
        return message

    # -- translation -----------------------------------------------------------------------

    def translate(self, error: ValidationError) -> Issue:
        """One error as an issue at its JSON path, with a translated message."""
        keys = list(error.absolute_path)
        keyword = str(error.validator) if error.validator is not None else "false"
        handler = _HANDLERS.get(keyword, _generic)
        message = handler(self, error, keys)
        if isinstance(error, PatternTimeoutError):
            keyword = "pattern_timeout"
        return Issue(join(self.root, keys), message, keyword)

    def translate_all(self, errors: Sequence[ValidationError]) -> list[Issue]:
        """Every error translated, duplicates (same path and message) dropped, in order."""
        issues: list[Issue] = []
        seen: set[tuple[str, str, str]] = set()
        for error in errors:
            issue = self.translate(error)
            key = (issue.path, issue.code, issue.message.render("en"))
            if key not in seen:
                seen.add(key)
                issues.append(issue)
        return issues


Handler = Callable[[ErrorTranslator, ValidationError, list[str | int]], Msg]


def _required(self: ErrorTranslator, error: ValidationError, keys: list[str | int]) -> Msg:
    return _("{field} is required; please fill it in.", field=self.name(keys))


def _dependent_required(
    self: ErrorTranslator, error: ValidationError, keys: list[str | int]
) -> Msg:
    missing = keys[-1] if keys else ""
    triggers = [
        trigger
        for trigger, names in dict(error.validator_value).items()
        if missing in names and isinstance(error.instance, Mapping) and trigger in error.instance
    ]
    trigger_name = self.name([*keys[:-1], triggers[0]]) if triggers else _("another field")
    return _(
        "{field} is required when {other} is filled in.", field=self.name(keys), other=trigger_name
    )


def _additional(self: ErrorTranslator, error: ValidationError, keys: list[str | int]) -> Msg:
    key = keys[-1] if keys else ""
    return _("{name} is not a field here; remove it.", name=quote(key))


def _unevaluated(self: ErrorTranslator, error: ValidationError, keys: list[str | int]) -> Msg:
    return _("{field} holds entries that are not allowed here; remove them.", field=self.name(keys))


def _type(self: ErrorTranslator, error: ValidationError, keys: list[str | int]) -> Msg:
    wanted = error.validator_value
    names = [wanted] if isinstance(wanted, str) else list(wanted)
    table = _SCHEMA_TYPE_NAMES if self.keyword_names else _TYPE_NAMES
    expected: list[Msg] = [table.get(str(name), label_msg(None, str(name))) for name in names]
    phrase = expected[0]
    for other in expected[1:]:
        phrase = _("{first} or {second}", first=phrase, second=other)
    return _(
        "{field} must be {expected}, not {value}.",
        field=self.name(keys),
        expected=phrase,
        value=quote(error.instance),
    )


def _enum(self: ErrorTranslator, error: ValidationError, keys: list[str | int]) -> Msg:
    spec = self.spec_at(keys)
    values = [str(value) for value in error.validator_value]
    if spec is not None and spec.options:
        shown = [spec.option_label(value) for value in values[:10]]
    else:
        shown = [label_msg(None, value) for value in values[:10]]
    more = "…" if len(values) > 10 else ""
    return _(
        "{value} is not one of the choices of {field}; choose one of: {choices}{more}.",
        value=quote(error.instance),
        field=self.name(keys),
        choices=join_msgs(shown),
        more=more,
    )


def join_msgs(parts: Sequence[Msg]) -> Msg:
    """Several messages as one comma-separated message (each rendered in the same locale)."""
    if not parts:
        return label_msg(None, "")
    message = parts[0]
    for part in parts[1:]:
        message = _("{first}, {second}", first=message, second=part)
    return message


def _const(self: ErrorTranslator, error: ValidationError, keys: list[str | int]) -> Msg:
    return _(
        "{field} must be {expected}.", field=self.name(keys), expected=quote(error.validator_value)
    )


Template = Callable[..., Msg]


def _bound(template: Template) -> Handler:
    def handler(self: ErrorTranslator, error: ValidationError, keys: list[str | int]) -> Msg:
        return template(
            field=self.name(keys), limit=_limit(error.validator_value), value=quote(error.instance)
        )

    return handler


def _length(template: Template) -> Handler:
    def handler(self: ErrorTranslator, error: ValidationError, keys: list[str | int]) -> Msg:
        size = len(error.instance) if hasattr(error.instance, "__len__") else 0
        return template(field=self.name(keys), limit=error.validator_value, count=size)

    return handler


def _pattern(self: ErrorTranslator, error: ValidationError, keys: list[str | int]) -> Msg:
    if isinstance(error, PatternTimeoutError):
        return _(
            "{field} could not be checked in time against its pattern; shorten the value, "
            "or ask the form designer to simplify the pattern.",
            field=self.name(keys),
        )
    spec = self.spec_at(keys)
    custom = spec.schema.get("x-pattern-message") if spec is not None else None
    if custom is not None and spec is not None and len(keys) and keys[-1] == spec.name:
        return _("{field}: {hint}", field=self.name(keys), hint=label_msg(custom, ""))
    return _(
        "{value} does not have the form {field} expects; check what you typed.",
        value=quote(error.instance),
        field=self.name(keys),
    )


def _format(self: ErrorTranslator, error: ValidationError, keys: list[str | int]) -> Msg:
    hint = _FORMAT_HINTS.get(str(error.validator_value))
    if hint is None:
        return _(
            "{value} is not valid for {field}.", value=quote(error.instance), field=self.name(keys)
        )
    return _(
        "{value} in {field} is not {hint}.",
        value=quote(error.instance),
        field=self.name(keys),
        hint=hint,
    )


def _unique(self: ErrorTranslator, error: ValidationError, keys: list[str | int]) -> Msg:
    return _("{field} lists the same entry twice; remove the duplicate.", field=self.name(keys))


def _contains(self: ErrorTranslator, error: ValidationError, keys: list[str | int]) -> Msg:
    return _("{field} does not contain the entries it needs.", field=self.name(keys))


def _not(self: ErrorTranslator, error: ValidationError, keys: list[str | int]) -> Msg:
    return _(
        "{value} is not allowed in {field}.", value=quote(error.instance), field=self.name(keys)
    )


def _any_of(self: ErrorTranslator, error: ValidationError, keys: list[str | int]) -> Msg:
    if self.keyword_names and keys and keys[-1] == "type":
        return _(
            "{value} is not a JSON type; use string, number, integer, boolean, array, object "
            "or null.",
            value=quote(error.instance),
        )
    if error.validator == "oneOf" and not error.context:
        return _(
            "{field} fits more than one of the allowed shapes; make it fit exactly one.",
            field=self.name(keys),
        )
    return _("{field} does not fit any of the allowed shapes.", field=self.name(keys))


def _false(self: ErrorTranslator, error: ValidationError, keys: list[str | int]) -> Msg:
    return _("{field} is not allowed here; remove it.", field=self.name(keys))


def _generic(self: ErrorTranslator, error: ValidationError, keys: list[str | int]) -> Msg:
    return _(
        "{value} is not valid for {field}.", value=quote(error.instance), field=self.name(keys)
    )


_HANDLERS: Mapping[str, Handler] = {
    "required": _required,
    "dependentRequired": _dependent_required,
    "additionalProperties": _additional,
    "unevaluatedProperties": _unevaluated,
    "unevaluatedItems": _unevaluated,
    "type": _type,
    "enum": _enum,
    "const": _const,
    "minimum": _bound(
        lambda **kw: _("{field} must be at least {limit}; {value} is too small.", **kw)
    ),
    "maximum": _bound(
        lambda **kw: _("{field} must be at most {limit}; {value} is too large.", **kw)
    ),
    "exclusiveMinimum": _bound(
        lambda **kw: _("{field} must be greater than {limit}; {value} is too small.", **kw)
    ),
    "exclusiveMaximum": _bound(
        lambda **kw: _("{field} must be less than {limit}; {value} is too large.", **kw)
    ),
    "multipleOf": _bound(
        lambda **kw: _("{field} must be a multiple of {limit}; {value} is not.", **kw)
    ),
    "minLength": _length(
        lambda **kw: _("{field} needs at least {limit} characters; it has {count}.", **kw)
    ),
    "maxLength": _length(
        lambda **kw: _("{field} takes at most {limit} characters; it has {count}.", **kw)
    ),
    "minItems": _length(
        lambda **kw: _("{field} needs at least {limit} entries; it has {count}.", **kw)
    ),
    "maxItems": _length(
        lambda **kw: _("{field} takes at most {limit} entries; it has {count}.", **kw)
    ),
    "minProperties": _length(
        lambda **kw: _("{field} needs at least {limit} entries; it has {count}.", **kw)
    ),
    "maxProperties": _length(
        lambda **kw: _("{field} takes at most {limit} entries; it has {count}.", **kw)
    ),
    "pattern": _pattern,
    "format": _format,
    "uniqueItems": _unique,
    "contains": _contains,
    "minContains": _contains,
    "maxContains": _contains,
    "not": _not,
    "anyOf": _any_of,
    "oneOf": _any_of,
    "false": _false,
}
