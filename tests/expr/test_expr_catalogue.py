"""Every message the expression language can show has a Chinese translation in expr.po."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import formflow.expr
from formflow.i18n import Msg

PACKAGE = Path(formflow.expr.__file__).parent
CATALOGUE = PACKAGE.parent / "locales" / "zh_CN" / "LC_MESSAGES" / "expr.po"


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
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string}


def test_the_expression_package_has_many_messages() -> None:
    assert len(MSGIDS) > 100


@pytest.mark.parametrize("msgid", MSGIDS)
def test_each_message_has_a_chinese_translation_with_the_same_placeholders(msgid: str) -> None:
    translations = _translations()
    assert msgid in translations
    english = Msg(msgid, dict.fromkeys(_placeholders(msgid), "X"))
    assert english.render("zh-CN") != msgid or msgid.isascii() is False
    assert _placeholders(translations[msgid]) == _placeholders(msgid)


def _placeholders(text: str) -> set[str]:
    import string

    return {name for _, name, _, _ in string.Formatter().parse(text) if name}
