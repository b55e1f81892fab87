"""Every message of the feature services (flow-only and required fields, the read filter,
record readers) has a zh-CN translation in features.po with the same placeholders."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import formflow

PACKAGE = Path(formflow.__file__).parent
MODULES = ("flow_fields.py", "record_reading.py", "reader_access.py", "record_readers.py")
CATALOGUE = PACKAGE / "locales" / "zh_CN" / "LC_MESSAGES" / "features.po"


def _msgids() -> list[str]:
    found: list[str] = []
    for name in MODULES:
        tree = ast.parse((PACKAGE / "services" / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "_"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and node.args[0].value not in found
            ):
                found.append(node.args[0].value)
    return found


def _placeholders(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def _translations() -> dict[str, str]:
    with CATALOGUE.open("rb") as handle:
        return {str(m.id): str(m.string) for m in read_po(handle) if m.id and m.string}


@pytest.mark.parametrize("msgid", _msgids())
def test_each_feature_message_is_translated_with_the_same_placeholders(msgid: str) -> None:
    translations = _translations()
    assert msgid in translations
    assert _placeholders(translations[msgid]) == _placeholders(msgid)
