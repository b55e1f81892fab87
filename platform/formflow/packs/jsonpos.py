"""Where a JSON path points in a JSON text: line and column, for messages about pack files.

A small scanner over the text (not a second JSON parser for values): it walks objects and
arrays, recording the position of every value by its path, so "$.schema.properties.amount"
can be reported as ``forms/expense.json:14:7``.
"""

from __future__ import annotations

import contextlib
import json
import re

_WS = re.compile(r"[ \t\r\n]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null")


def _skip(text: str, pos: int) -> int:
    match = _WS.match(text, pos)
    return match.end() if match is not None else pos


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    return line, offset - start + 1


def positions(text: str) -> dict[str, tuple[int, int]]:
    """Map every JSON path in ``text`` (``$``, ``$.a``, ``$.a[0].b``) to (line, column).

    Keys that are not identifiers are written like the forms package writes them
    (``$.properties.x-scale`` keeps the dash). Returns what it found up to a syntax error.
    """
    found: dict[str, tuple[int, int]] = {}

    def value(pos: int, path: str) -> int:
        pos = _skip(text, pos)
        found[path] = _line_col(text, pos)
        if pos >= len(text):
            raise ValueError("end of text")
        char = text[pos]
        if char == "{":
            pos = _skip(text, pos + 1)
            if text.startswith("}", pos):
                return pos + 1
            while True:
                match = _STRING.match(text, pos)
                if match is None:
                    raise ValueError("key expected")
                key = json.loads(match.group())
                pos = _skip(text, match.end())
                if not text.startswith(":", pos):
                    raise ValueError(": expected")
                pos = value(pos + 1, f"{path}.{key}")
                pos = _skip(text, pos)
                if text.startswith(",", pos):
                    pos = _skip(text, pos + 1)
                    continue
                if text.startswith("}", pos):
                    return pos + 1
                raise ValueError(", or } expected")
        if char == "[":
            pos = _skip(text, pos + 1)
            if text.startswith("]", pos):
                return pos + 1
            index = 0
            while True:
                pos = value(pos, f"{path}[{index}]")
                index += 1
                pos = _skip(text, pos)
                if text.startswith(",", pos):
                    pos += 1
                    continue
                if text.startswith("]", pos):
                    return pos + 1
                raise ValueError(", or ] expected")
        match = _STRING.match(text, pos) or _SCALAR.match(text, pos)
        if match is None:
            raise ValueError("value expected")
        return match.end()

    with contextlib.suppress(ValueError, RecursionError):  # keep what was found so far
        value(0, "$")
    return found


def locate(text: str, path: str) -> tuple[int, int]:
    """The position of ``path`` in ``text``, or of its nearest ancestor that exists."""
    table = positions(text)
    candidate = path
    while candidate:
        if candidate in table:
            return table[candidate]
        cut = max(candidate.rfind("."), candidate.rfind("["))
        if cut <= 0:
            break
        candidate = candidate[:cut]
    return table.get("$", (1, 1))
