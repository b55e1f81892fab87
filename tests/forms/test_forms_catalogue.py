"""Every message of the forms package has a Chinese translation in forms.po."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import formflow.forms
from formflow.i18n import Msg

PACKAGE = Path(formflow.forms.__file__).parent
CATALOGUE = PACKAGE.parent / "locales" / "zh_CN" / "LC_MESSAGES" / "forms.po"


def _msgids() -> list[str]:
    found: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
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


MSGIDS = _msgids()


def _translations() -> dict[str, str]:
    with CATALOGUE.open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN")
    return {
        str(message.id): str(message.string) for message in catalog if message.id and message.string
    }


def _placeholders(text: str) -> set[str]:
    return {name for _text, name, _spec, _conv in string.Formatter().parse(text) if name}


def test_the_forms_package_has_its_messages_marked_for_translation() -> None:
    assert len(MSGIDS) > 150


@pytest.mark.parametrize("msgid", MSGIDS)
def test_each_message_has_a_chinese_translation_with_the_same_placeholders(msgid: str) -> None:
    translations = _translations()
    assert msgid in translations
    assert _placeholders(translations[msgid]) == _placeholders(msgid)
    rendered = Msg(msgid, dict.fromkeys(_placeholders(msgid), "X")).render("zh-CN")
    assert rendered == translations[msgid].format(**dict.fromkeys(_placeholders(msgid), "X"))


def test_the_catalogue_has_no_stale_entries() -> None:
    assert set(_translations()) <= set(MSGIDS)
