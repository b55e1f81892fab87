"""One language catalogue for the whole platform, kept consistent.

Each area keeps its own .po file (formflow.i18n merges them); a message used by two areas may
appear in both files, but then with the same translation — otherwise which one a user sees
would depend on file order.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from babel.messages.pofile import read_po

import formflow

FOLDER = Path(formflow.__file__).parent / "locales" / "zh_CN" / "LC_MESSAGES"


def test_a_message_in_several_catalogues_has_the_same_translation_everywhere() -> None:
    translations: dict[str, dict[str, str]] = defaultdict(dict)
    for path in sorted(FOLDER.glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale="zh_CN"):
                if message.id and message.string:
                    translations[str(message.id)][path.name] = str(message.string)
    conflicts = {
        msgid: files for msgid, files in translations.items() if len(set(files.values())) > 1
    }
    assert conflicts == {}
