"""Every message of ``formflow bench`` has a zh-CN translation with the same placeholders."""

from __future__ import annotations

import string
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import read_po

from formflow.i18n import Msg

PACKAGE = Path(str(resources.files("formflow")))
CATALOGUE = PACKAGE / "locales" / "zh_CN" / "LC_MESSAGES" / "bench.po"


def _placeholders(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def _translations() -> dict[str, str]:
    with CATALOGUE.open("rb") as handle:
        return {str(m.id): str(m.string) for m in read_po(handle) if m.id}


def _source_messages() -> set[str]:
    found = {
        str(message)
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(PACKAGE / "bench"), keywords={"_": None}
        )
    }
    found.update(
        str(message)
        for _line, message, _comments, _context in extract_from_file(
            "python", str(PACKAGE / "commands" / "bench.py"), keywords={"_": None}
        )
    )
    return found


def test_every_bench_message_in_the_code_is_translated() -> None:
    assert _source_messages() - set(_translations()) == set()


def test_the_catalogue_holds_no_message_the_code_no_longer_has() -> None:
    assert set(_translations()) - _source_messages() == set()


@pytest.mark.parametrize(("msgid", "msgstr"), sorted(_translations().items()))
def test_each_translation_keeps_the_placeholders_of_its_message(msgid: str, msgstr: str) -> None:
    assert msgstr
    assert _placeholders(msgstr) == _placeholders(msgid)


def test_bench_messages_render_in_chinese() -> None:
    assert Msg("timing validation").render("zh-CN") == "正在计时：数据校验"
