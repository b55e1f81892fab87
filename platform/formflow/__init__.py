"""Formflow: low-code forms and approval flows on one runtime.

The import package lives in ``platform/formflow``; ``platform/`` itself is a plain folder so
that Python's standard ``platform`` module is never shadowed.
"""

from __future__ import annotations

__version__ = "0.1.0"
