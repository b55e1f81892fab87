"""The DSL tests share the engine tests' kit (tests/engine/flowkit.py)."""

from __future__ import annotations

import sys
from pathlib import Path

KIT = str(Path(__file__).resolve().parents[1] / "engine")
if KIT not in sys.path:
    sys.path.insert(0, KIT)
