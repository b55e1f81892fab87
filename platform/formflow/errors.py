"""The one error hierarchy of Formflow.

Every error the platform raises on purpose is a :class:`FormflowError`. Each subclass stands for
one kind of failure a caller can act on; the web layer maps the kind to an HTTP status and an
RFC 9457 problem document in one table (``formflow.web.problems``), the CLI prints the message.

Messages are :class:`~formflow.i18n.Msg` objects, rendered in the reader's language when shown.
Errors about *input* carry a list of :class:`Issue` (a JSON path and a message each) so a form
can show every problem next to its field; errors about *source text* (expressions, flow DSL)
carry :class:`Diagnostic` objects with line and column.

Library exceptions (jsonschema, lark, SQLAlchemy) are wrapped where they enter the platform and
never leak to a user.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from formflow.i18n import Msg, _


@dataclass(frozen=True)
class Issue:
    """One problem with an input value.

    ``path`` is a JSON path into the submitted document (``$.items[0].qty``); ``code`` is a
    stable machine name (``required``, ``type``, ``unknown_field`` ...) for scripts and tests.
    """

    path: str
    message: Msg
    code: str = "invalid"

    def render(self, locale: str | None) -> dict[str, str]:
        """The issue as the API shows it: ``{"path", "message", "code"}``."""
        return {"path": self.path, "message": self.message.render(locale), "code": self.code}


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Diagnostic:
    """A problem found in source text (an expression or a flow), with its position.

    ``line`` and ``column`` are 1-based; ``end_line``/``end_column`` mark the end of the span
    when known. ``hint`` is an optional second sentence ("did you mean `approve`?").
    """

    message: Msg
    line: int = 1
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None
    severity: Severity = Severity.ERROR
    code: str = "error"
    hint: Msg | None = None
    source: str | None = None  # which text: a file name, a field path, "flow", ...

    def render(self, locale: str | None, text: str | None = None) -> dict[str, Any]:
        """The diagnostic as the API shows it; with ``text``, adds the line and a caret."""
        out: dict[str, Any] = {
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message.render(locale),
            "line": self.line,
            "column": self.column,
        }
        if self.end_line is not None:
            out["end_line"] = self.end_line
            out["end_column"] = self.end_column
        if self.hint is not None:
            out["hint"] = self.hint.render(locale)
        if self.source is not None:
            out["source"] = self.source
        if text is not None:
            out["excerpt"] = excerpt(text, self.line, self.column)
        return out

    def shifted(self, line: int, column: int, source: str | None = None) -> Diagnostic:
        """This diagnostic moved into a larger text that starts at ``line``/``column``.

        Used when an expression embedded in a flow file reports a position relative to
        itself: the flow checker shifts it to the position in the file.
        """
        new_column = self.column + column - 1 if self.line == 1 else self.column
        new_end_column = self.end_column
        if self.end_line == 1 and self.end_column is not None:
            new_end_column = self.end_column + column - 1
        return Diagnostic(
            message=self.message,
            line=self.line + line - 1,
            column=new_column,
            end_line=None if self.end_line is None else self.end_line + line - 1,
            end_column=new_end_column,
            severity=self.severity,
            code=self.code,
            hint=self.hint,
            source=source if source is not None else self.source,
        )


def excerpt(text: str, line: int, column: int) -> str:
    """The source line at ``line`` with a caret under ``column`` (both 1-based)."""
    lines = text.splitlines() or [""]
    index = min(max(line, 1), len(lines)) - 1
    source_line = lines[index].expandtabs(1)
    return f"{source_line}\n{' ' * max(column - 1, 0)}^"


class FormflowError(Exception):
    """Root of every error Formflow raises on purpose."""

    #: Stable machine-readable kind, used as the problem ``type`` suffix.
    code = "error"

    def __init__(
        self,
        message: Msg | str,
        *,
        issues: Iterable[Issue] = (),
        diagnostics: Iterable[Diagnostic] = (),
    ) -> None:
        self.message: Msg = message if isinstance(message, Msg) else Msg(message)
        self.issues: tuple[Issue, ...] = tuple(issues)
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        super().__init__(str(self.message))

    def render(self, locale: str | None) -> str:
        return self.message.render(locale)


class InvalidInput(FormflowError):
    """The request itself is malformed: bad JSON, unknown fields, wrong parameter types."""

    code = "invalid_input"


class UnsupportedMediaType(InvalidInput):
    """The request body is not in a format the route accepts (for the API: JSON)."""

    code = "unsupported_media_type"


class ValidationFailed(FormflowError):
    """Submitted data breaks the rules of its form (every problem listed in ``issues``)."""

    code = "validation_failed"

    def __init__(self, issues: Sequence[Issue], message: Msg | None = None) -> None:
        count = len(issues)
        super().__init__(
            message or _("The data has {count} problem(s); see errors.", count=count),
            issues=issues,
        )


class DefinitionInvalid(ValidationFailed):
    """A form, flow or pack definition is wrong: the designer's problem, not the user's."""

    code = "definition_invalid"


class SourceError(FormflowError):
    """Source text (an expression or a flow) does not parse or does not check.

    ``diagnostics`` lists every problem found, each with line and column.
    """

    code = "source_invalid"

    def __init__(self, diagnostics: Sequence[Diagnostic], message: Msg | None = None) -> None:
        first = diagnostics[0] if diagnostics else None
        if message is None:
            if first is not None:
                message = _(
                    "line {line}, column {column}: {message}",
                    line=first.line,
                    column=first.column,
                    message=first.message,
                )
            else:
                message = _("The text could not be read.")
        super().__init__(message, diagnostics=diagnostics)


class EvaluationFailed(FormflowError):
    """An expression could not be evaluated (step limit, value out of range, bad lookup)."""

    code = "evaluation_failed"


class AuthenticationRequired(FormflowError):
    """No valid credentials were presented."""

    code = "authentication_required"


class PermissionDenied(FormflowError):
    """The acting user is known but may not do this."""

    code = "permission_denied"


class NotFound(FormflowError):
    """The thing does not exist, or the acting user may not know that it exists."""

    code = "not_found"


class Conflict(FormflowError):
    """The request collides with the current state (stale version, duplicate key)."""

    code = "conflict"


class StaleVersion(Conflict):
    """Optimistic concurrency: the record changed since the caller read it."""

    code = "stale_version"


class TransitionNotAllowed(Conflict):
    """A flow or record action that the current state does not allow."""

    code = "transition_not_allowed"


class TooManyRequests(FormflowError):
    """Throttled, for example after repeated failed logins."""

    code = "too_many_requests"

    def __init__(self, message: Msg | str, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PayloadTooLarge(FormflowError):
    """A body or an upload is larger than the configured limit."""

    code = "payload_too_large"


class ConfigurationError(FormflowError):
    """The installation is misconfigured (bad database URL, unreadable instance folder)."""

    code = "configuration_error"


class ConstraintViolated(ValidationFailed):
    """A form-level rule (constraint, unique key, ledger balance) would be broken by a write."""

    code = "constraint_violated"


class BenchmarkFailed(FormflowError):
    """``formflow bench`` cannot give a meaningful figure: a suite is not available yet, the
    benchmark database is unsuitable, or the two sides of a comparison disagree on a result."""

    code = "benchmark_failed"
