"""Every message of the flow DSL and engine has a zh-CN translation with the same placeholders."""

from __future__ import annotations

import string
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

PACKAGE = Path(resources.files("formflow").joinpath(""))  # type: ignore[arg-type]
CATALOGUE = PACKAGE / "locales" / "zh_CN" / "LC_MESSAGES" / "flows.po"


def _placeholders(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def _translations() -> dict[str, str]:
    with CATALOGUE.open("rb") as handle:
        return {str(m.id): str(m.string) for m in read_po(handle) if m.id}


def _source_messages() -> set[str]:
    found: set[str] = set()
    for area in ("dsl", "engine"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(PACKAGE / area), keywords={"_": None}
        ):
            found.add(str(message))
    return found


def test_every_flow_message_in_the_code_is_translated() -> None:
    shared = {"The text could not be read."}  # lives in formflow.po
    missing = _source_messages() - set(_translations()) - shared
    assert missing == set()


@pytest.mark.parametrize(("msgid", "msgstr"), sorted(_translations().items()))
def test_each_translation_keeps_the_placeholders_of_its_message(msgid: str, msgstr: str) -> None:
    assert msgstr
    assert _placeholders(msgstr) == _placeholders(msgid)
