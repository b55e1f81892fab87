"""Translations for messages the platform itself writes, and labels written by admins.

Two kinds of text reach a user:

* **Platform messages** (errors, diagnostics, page chrome). They are written in English in the
  code as :class:`Msg` objects (``_("unknown field {name}", name="amout")``) and translated
  when they are shown, so one error object can be rendered for a zh-CN user and an en user.
  Catalogues are gettext ``.po`` files under ``formflow/locales/``; ``pybabel extract`` finds
  every ``_(...)`` call (see ``docs/development.md``).
* **Labels from definitions** (form titles, field labels, option labels). They are either a plain
  string or a map ``{"zh-CN": ..., "en": ...}`` and are picked with :func:`pick`.

This module is part of the pure core: it does no I/O beyond reading the shipped catalogues once.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

SUPPORTED_LOCALES: tuple[str, ...] = ("zh-CN", "en")
DEFAULT_LOCALE = "zh-CN"
SOURCE_LOCALE = "en"  # the language msgids are written in

_FORMATTER = string.Formatter()


@dataclass(frozen=True)
class Msg:
    """A translatable message: an English template plus its parameters.

    The template uses ``str.format`` placeholders (``{name}``) without attribute or index
    access; parameters that are themselves :class:`Msg` are rendered in the same locale.
    """

    text: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, locale: str | None = None) -> str:
        """Return the message translated into ``locale`` (falls back to English)."""
        template = gettext(locale or SOURCE_LOCALE, self.text)
        rendered = {
            key: value.render(locale) if isinstance(value, Msg) else value
            for key, value in self.params.items()
        }
        try:
            return _FORMATTER.vformat(template, (), rendered)
        except (KeyError, IndexError, ValueError):
            # A translation that names a placeholder we did not pass must not turn an
            # error message into a crash; fall back to the English template.
            return _FORMATTER.vformat(self.text, (), rendered)

    def __str__(self) -> str:
        return self.render(SOURCE_LOCALE)


def _(text: str, /, **params: Any) -> Msg:
    """Mark ``text`` for translation and bind its parameters (rendered later, per user)."""
    return Msg(text, params)


def normalize_locale(value: str | None) -> str:
    """Map a locale tag from a user, header or setting onto a supported locale.

    ``zh``, ``zh_CN``, ``zh-Hans-CN`` give ``zh-CN``; ``en-US`` gives ``en``; anything else
    gives :data:`DEFAULT_LOCALE`.
    """
    if not value:
        return DEFAULT_LOCALE
    tag = value.strip().replace("_", "-").lower()
    if tag.startswith("zh"):
        return "zh-CN"
    if tag.startswith("en"):
        return "en"
    return DEFAULT_LOCALE


def negotiate(accept_language: str | None, default: str = DEFAULT_LOCALE) -> str:
    """Pick the best supported locale from an HTTP ``Accept-Language`` header."""
    if not accept_language:
        return default
    best: tuple[float, str] | None = None
    for part in accept_language.split(","):
        piece = part.strip()
        if not piece:
            continue
        tag, _sep, rest = piece.partition(";")
        quality = 1.0
        if rest.strip().startswith("q="):
            try:
                quality = float(rest.strip()[2:])
            except ValueError:
                quality = 0.0
        lowered = tag.strip().lower()
        if not lowered.startswith(("zh", "en")):
            continue
        if best is None or quality > best[0]:
            best = (quality, normalize_locale(lowered))
    return best[1] if best else default


def pick(labels: str | Mapping[str, str] | None, locale: str | None, fallback: str = "") -> str:
    """Choose the text for ``locale`` from an i18n label (a string or a locale map).

    Falls back to the other supported locale, then to any value, then to ``fallback``, so a
    half-translated definition still shows something readable.
    """
    if labels is None:
        return fallback
    if isinstance(labels, str):
        return labels
    wanted = normalize_locale(locale)
    if labels.get(wanted):
        return labels[wanted]
    for candidate in SUPPORTED_LOCALES:
        if labels.get(candidate):
            return labels[candidate]
    for value in labels.values():
        if value:
            return value
    return fallback


def clean_label(value: Any) -> str | dict[str, str] | None:
    """A label as stored: a non-empty string (stripped), or a map of languages to strings
    with at least one non-empty text. None when ``value`` is neither."""
    if isinstance(value, str):
        return value.strip() or None
    if (
        isinstance(value, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
        and any(v.strip() for v in value.values())
    ):
        return value
    return None


def gettext(locale: str, text: str) -> str:
    """Translate one msgid; untranslated messages stay in English."""
    if normalize_locale(locale) == SOURCE_LOCALE:
        return text
    return _catalog(normalize_locale(locale)).get(text) or text


@functools.cache
def _catalog(locale: str) -> dict[str, str]:
    """Load the shipped ``.po`` catalogues of a locale once per process.

    Every ``*.po`` file in ``formflow/locales/<locale>/LC_MESSAGES/`` is read and merged (one
    file per area: ``formflow.po``, ``expr.po``, ``forms.po``, ``flows.po`` ...), so areas keep
    their translations apart and merge cleanly in git. The files never change at run time.
    """
    from babel.messages.pofile import read_po  # noqa: PLC0415 - keeps importing the core cheap

    folder = resources.files("formflow") / "locales" / locale.replace("-", "_") / "LC_MESSAGES"
    merged: dict[str, str] = {}
    if not folder.is_dir():
        return merged
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if not entry.name.endswith(".po"):
            continue
        with entry.open("rb") as handle:
            catalog = read_po(handle, locale=locale.replace("-", "_"))
        for message in catalog:
            if message.id and message.string and not message.fuzzy and isinstance(message.id, str):
                merged[message.id] = str(message.string)
    return merged
