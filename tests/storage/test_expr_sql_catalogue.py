"""Every message the SQL filter compiler can show has a Chinese translation in storage.po."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import formflow.storage.expr_sql
from formflow.i18n import Msg

PACKAGE = Path(formflow.storage.expr_sql.__file__).parent
CATALOGUE = PACKAGE.parents[1] / "locales" / "zh_CN" / "LC_MESSAGES" / "storage.po"


def _msgids() -> list[str]:
    found: list[str] = []
    for path in sorted(PACKAGE.glob("*.py")):
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
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string}


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_compiler_has_messages_to_translate() -> None:
    assert len(MSGIDS) >= 15


@pytest.mark.parametrize("msgid", MSGIDS)
def test_each_message_has_a_chinese_translation_with_the_same_placeholders(msgid: str) -> None:
    translations = _translations()
    assert msgid in translations
    assert _placeholders(translations[msgid]) == _placeholders(msgid)
    rendered = Msg(msgid, dict.fromkeys(_placeholders(msgid), "X")).render("zh-CN")
    assert rendered != Msg(msgid, dict.fromkeys(_placeholders(msgid), "X")).render("en")


def test_the_catalogue_holds_no_message_the_compiler_no_longer_shows() -> None:
    assert sorted(set(_translations()) - set(MSGIDS)) == []
