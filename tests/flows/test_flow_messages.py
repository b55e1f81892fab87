"""Every message the flow services write has a Chinese translation with the same
placeholders, so no user gets English or a broken sentence."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file

import formflow
from formflow.i18n import gettext

PACKAGE = Path(formflow.__file__).parent
MODULES = [
    *(
        PACKAGE / "services" / f"{name}.py"
        for name in (
            "automations",
            "effect_scope",
            "flow_context",
            "flow_effects",
            "flow_jobs",
            "flow_runtime",
            "flows",
            "inbox",
            "instance_views",
            "record_effects",
            "step_access",
            "tasks",
            "webhooks",
        )
    ),
    PACKAGE / "web" / "api" / "flows.py",
    PACKAGE / "web" / "api" / "tasks.py",
]
#: Messages whose text is only a placeholder for words written by a designer.
VERBATIM = {"{message}"}


def _messages() -> list[str]:
    found: list[str] = []
    for path in MODULES:
        for _line, text, _comments, _context in extract_from_file(
            "python", str(path), keywords={"_": None}
        ):
            if isinstance(text, str) and text not in found and text not in VERBATIM:
                found.append(text)
    return found


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("message", _messages())
def test_every_flow_service_message_is_translated_with_the_same_placeholders(
    message: str,
) -> None:
    translated = gettext("zh-CN", message)
    assert translated != message
    assert _fields(translated) == _fields(message)
