"""Labels written by form designers, and the message object that shows them.

A label (a field's ``x-label``, an option's label, a section title, a constraint message) is
either a plain string or a map from locale to text, ``{"zh-CN": "金额", "en": "Amount"}``.
It is untrusted text from an admin: it is shown as-is (never used as a format template) and
escaped by whoever renders HTML.

:class:`LabelMsg` lets a label travel where the platform expects a translatable
:class:`~formflow.i18n.Msg` — as an :class:`~formflow.errors.Issue` message (a constraint's own
message) or as a parameter of a platform message ("{field} is required") — and be picked in the
reader's locale when rendered.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from formflow.errors import Issue
from formflow.forms.paths import child
from formflow.i18n import SUPPORTED_LOCALES, Msg, _, pick

#: A designer-written text: one string, or one string per locale.
Label = str | Mapping[str, str]


@dataclass(frozen=True)
class LabelMsg(Msg):
    """A designer's label used as a message; renders the text for the reader's locale.

    ``text`` is the fallback shown when the label has no usable text (usually the field name).
    """

    labels: Label | None = None

    def render(self, locale: str | None = None) -> str:
        """The label in ``locale`` (or the closest available), never formatted further."""
        return pick(self.labels, locale, self.text)


def label_msg(labels: Label | None, fallback: str) -> LabelMsg:
    """Wrap a label (or nothing) as a message, falling back to ``fallback``."""
    return LabelMsg(fallback, {}, labels)


def is_label(value: Any) -> bool:
    """True when ``value`` has the shape of a label (see :func:`check_label`)."""
    return not list(check_label(value, "$"))


def check_label(value: Any, path: str) -> Iterator[Issue]:
    """Problems with a label at ``path``: not a string or locale map, unknown locale, empty."""
    if isinstance(value, str):
        if not value.strip():
            yield Issue(path, _("The text is empty; write the text to show."), "label_empty")
        return
    if not isinstance(value, Mapping):
        yield Issue(
            path,
            _(
                "A label must be a text or a map of languages such as {example}.",
                example='{"zh-CN": "金额", "en": "Amount"}',
            ),
            "label_invalid",
        )
        return
    if not value:
        yield Issue(path, _("The label has no text in any language."), "label_empty")
        return
    for locale, text in value.items():
        where = child(path, str(locale))
        if locale not in SUPPORTED_LOCALES:
            yield Issue(
                where,
                _(
                    'Unknown language "{locale}" in a label; use one of {supported}.',
                    locale=locale,
                    supported=", ".join(SUPPORTED_LOCALES),
                ),
                "label_locale",
            )
        elif not isinstance(text, str) or not text.strip():
            yield Issue(
                where,
                _("The {locale} text of this label is empty or not a text.", locale=locale),
                "label_empty",
            )
