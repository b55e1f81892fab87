"""The canonical text of a pack's JSON files: sorted keys, two-space indent, UTF-8, a final
newline. Canonical files give clean, mergeable diffs in git; lint reports files that are not,
and ``formflow pack fmt`` rewrites them."""

from __future__ import annotations

from typing import Any

import simplejson


def canonical_json(value: Any) -> str:
    text: str = simplejson.dumps(
        value, use_decimal=True, ensure_ascii=False, indent=2, sort_keys=True
    )
    return text + "\n"


def loads(text: str) -> Any:
    """Parse a pack's JSON (numbers exact); ``simplejson.JSONDecodeError`` on bad syntax."""
    return simplejson.loads(text, use_decimal=True)
