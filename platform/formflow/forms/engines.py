"""The two JSON Schema engines behind every form, set up to give identical verdicts.

* The **fast path** is ``jsonschema_rs`` (Rust), compiled once per form version: it answers
  "valid or not" for the common, valid submission in microseconds.
* The **explaining path** is python ``jsonschema``'s ``iter_errors``, run only when the fast
  path says "invalid", to collect every error with its path.

Both are configured alike: Draft 2020-12; Formflow's own format checks
(:mod:`formflow.forms.formats`) registered in both and asserted; no remote references ever
fetched (``jsonschema_rs`` gets a retriever that refuses every URI; definitions may only use
``#...`` references anyway); numbers compared exactly (``Decimal``); an integral ``Decimal``
such as ``5`` or ``5.0`` counts as an integer (as JSON Schema 2020-12 says) and ``NaN`` or
infinities are not numbers. Designer patterns run through :func:`formflow.forms.patterns.search`
with a timeout in the python engine and with a backtrack limit in the Rust one.

Python ``jsonschema`` reports a missing required property at the object; Formflow's
``required`` and ``dependentRequired`` report it at the missing property itself
(``$.items[0].qty``), and ``additionalProperties: false`` reports each unknown key at the key,
so every message lands next to its field.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import jsonschema
import jsonschema_rs
from jsonschema import ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import (
    Draft202012Validator,
    extend,
)

from formflow.forms.formats import FORMAT_CHECKS, format_checker
from formflow.forms.patterns import (
    PatternTimeout,
    pattern_budget,
    rust_pattern_options,
    search,
)


class PatternTimeoutError(ValidationError):  # type: ignore[misc]
    """A ``pattern`` could not be matched within the time limit (the value is refused)."""


def _is_number(checker: Any, instance: Any) -> bool:
    if isinstance(instance, bool):
        return False
    if isinstance(instance, Decimal):
        return instance.is_finite()
    if isinstance(instance, float):
        return math.isfinite(instance)
    return isinstance(instance, int)


def _is_integer(checker: Any, instance: Any) -> bool:
    if isinstance(instance, bool):
        return False
    if isinstance(instance, int):
        return True
    if isinstance(instance, Decimal):
        return instance.is_finite() and instance == instance.to_integral_value()
    if isinstance(instance, float):
        return instance.is_integer()
    return False


def _required(
    validator: Validator, required: Any, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for name in required:
        if name not in instance:
            yield ValidationError(f"{name!r} is a required property", path=[name])


def _dependent_required(
    validator: Validator, dependent: Any, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for trigger, names in dependent.items():
        if trigger not in instance:
            continue
        for name in names:
            if name not in instance:
                yield ValidationError(f"{name!r} is a dependency of {trigger!r}", path=[name])


def _additional_properties(
    validator: Validator, allowed: Any, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    known = schema.get("properties", {})
    extras = [key for key in instance if key not in known]
    if validator.is_type(allowed, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], allowed, path=extra)
    elif allowed is False:
        for extra in extras:
            yield ValidationError(f"{extra!r} is not allowed", path=[extra])


def _pattern(
    validator: Validator, pattern: Any, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "string"):
        return
    try:
        matched = search(pattern, instance)
    except PatternTimeout:
        yield PatternTimeoutError(f"matching {pattern!r} took too long")
        return
    if not matched:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@functools.cache
def python_validator_class() -> type[Validator]:
    """Draft 2020-12 with Formflow's number types and keyword implementations."""
    type_checker = Draft202012Validator.TYPE_CHECKER.redefine_many(
        {"number": _is_number, "integer": _is_integer}
    )
    cls: type[Validator] = extend(
        Draft202012Validator,
        validators={
            "required": _required,
            "dependentRequired": _dependent_required,
            "additionalProperties": _additional_properties,
            "pattern": _pattern,
        },
        type_checker=type_checker,
    )
    return cls


@functools.cache
def metaschema_validator() -> Validator:
    """A validator of form schemas against the Draft 2020-12 meta-schema."""
    cls = python_validator_class()
    return cls(Draft202012Validator.META_SCHEMA)


def exact_numbers(value: Any) -> Any:
    """A copy of JSON-like ``value`` with every float replaced by the Decimal it was written as.

    Floats only appear when a caller bypassed ``simplejson``'s ``use_decimal``; python
    ``jsonschema`` cannot mix floats and Decimals in ``multipleOf``, and money must not be
    binary anyway.
    """
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Mapping):
        return {key: exact_numbers(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [exact_numbers(item) for item in value]
    return value


def _refuse_retrieval(uri: str) -> Any:
    raise ValueError(f"Formflow never fetches schemas ({uri})")


class SchemaEngines:
    """One form schema compiled for both engines (build once per form version, reuse)."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema
        self._rust = jsonschema_rs.Draft202012Validator(
            dict(schema),
            formats=dict(FORMAT_CHECKS),
            validate_formats=True,
            ignore_unknown_formats=False,
            pattern_options=rust_pattern_options(),
            retriever=_refuse_retrieval,
        )
        self._python = python_validator_class()(
            exact_numbers(schema), format_checker=_shared_format_checker()
        )

    def is_valid(self, data: Any) -> bool:
        """The fast verdict (Rust)."""
        return bool(self._rust.is_valid(data))

    def errors(self, data: Any) -> list[ValidationError]:
        """Every error, with paths (python ``jsonschema``); slow, call only when invalid."""
        with pattern_budget():
            return list(self._python.iter_errors(exact_numbers(data)))

    def rust_errors(self, data: Any) -> list[tuple[list[str | int], str]]:
        """The fast engine's own error locations and keywords (a fallback explanation)."""
        found: list[tuple[list[str | int], str]] = []
        for error in self._rust.iter_errors(data):
            found.append((list(error.instance_path), str(error.kind.name)))
        return found


@functools.cache
def _shared_format_checker() -> jsonschema.FormatChecker:
    return format_checker()
