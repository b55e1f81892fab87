"""Every message of the list, export, import and inbox services has a Chinese translation that
keeps its placeholders (the page modules and templates are checked by the pages' own test)."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file

import formflow
from formflow.i18n import gettext

SERVICES = Path(formflow.__file__).parent / "services"
MODULES = [
    "list_views.py",
    "exports.py",
    "imports.py",
    "import_columns.py",
    "import_files.py",
    "sheet_cells.py",
    "sheet_reading.py",
]


def _messages() -> list[str]:
    found: list[str] = []
    for name in MODULES:
        for _line, message, _comments, _context in extract_from_file("python", SERVICES / name):
            if isinstance(message, str) and message not in found:
                found.append(message)
    return found


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


MESSAGES = _messages()


def test_the_services_have_messages_to_translate() -> None:
    assert len(MESSAGES) > 30


@pytest.mark.parametrize("message", MESSAGES)
def test_a_service_message_is_translated_with_the_same_placeholders(message: str) -> None:
    translated = gettext("zh-CN", message)
    assert translated != message, f"no Chinese translation for {message!r}"
    assert _fields(translated) == _fields(message)
