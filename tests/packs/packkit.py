"""Builds small packs on disk for tests: a valid one, and variants with one thing wrong."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from formflow.packs.canonical import canonical_json

MANIFEST: dict[str, Any] = {
    "description": {"en": "A tiny pack for tests", "zh-CN": "测试用的小包"},
    "name": "tiny",
    "stage": "startup",
    "title": {"en": "Tiny", "zh-CN": "小包"},
    "version": "1.0.0",
}
LEAVE_FORM: dict[str, Any] = {
    "key": "tiny.leave",
    "schema": {
        "properties": {
            "days": {"type": "number", "x-label": {"en": "Days", "zh-CN": "天数"}},
            "reason": {"type": "string", "x-label": {"en": "Reason", "zh-CN": "事由"}},
        },
        "required": ["days"],
        "type": "object",
    },
    "title": {"en": "Leave", "zh-CN": "请假"},
}
LEAVE_FLOW = """flow tiny.leave "请假" on tiny.leave {
  param long = 3
  step manager "主管审批" { approve by manager(initiator) }
  if days > long { step hr "人事审批" { approve by role(hr) } }
}
"""
CASES: dict[str, Any] = {
    "cases": [
        {
            "data": {"days": 1},
            "expect": {
                "approvers": {"manager": ["li.na"]},
                "path": ["manager"],
                "status": "approved",
            },
            "initiator": "zhang.wei",
            "name": "a short leave needs the manager",
        },
        {
            "data": {"days": 5},
            "expect": {"path": ["manager", "hr"], "status": "approved"},
            "initiator": "zhang.wei",
            "name": "a long leave needs HR too",
        },
    ],
    "flow": "tiny.leave",
}
I18N: dict[str, Any] = {
    "en": {"主管审批": "Manager approval", "人事审批": "HR approval", "请假": "Leave"},
    "zh-CN": {},
}
ROLES = [{"key": "hr", "name": {"en": "HR", "zh-CN": "人事"}}]
MENUS = {
    "items": [{"form": "tiny.leave", "title": {"en": "Leave", "zh-CN": "请假"}, "view": "new"}]
}
SETTINGS = {"long": {"default": 3, "label": {"en": "Long leave from", "zh-CN": "长假天数"}}}


def write_pack(root: Path, **changes: Any) -> Path:
    """Write the tiny pack under ``root/tiny`` with ``changes`` applied; returns its folder.

    ``changes`` may replace ``manifest``, ``form``, ``flow``, ``cases``, ``i18n``, ``roles``,
    ``menus``, ``settings`` (None leaves the file out) or add ``extra_files`` {name: text}.
    """
    folder = root / changes.get("folder", "tiny")
    (folder / "forms").mkdir(parents=True, exist_ok=True)
    (folder / "flows").mkdir(parents=True, exist_ok=True)
    files: dict[str, Any] = {
        "pack.json": changes.get("manifest", copy.deepcopy(MANIFEST)),
        "forms/leave.json": changes.get("form", copy.deepcopy(LEAVE_FORM)),
        "flows/leave.cases.json": changes.get("cases", copy.deepcopy(CASES)),
        "i18n.json": changes.get("i18n", copy.deepcopy(I18N)),
        "roles.json": changes.get("roles", copy.deepcopy(ROLES)),
        "menus.json": changes.get("menus", copy.deepcopy(MENUS)),
        "settings.json": changes.get("settings", copy.deepcopy(SETTINGS)),
    }
    for name, value in files.items():
        if value is not None:
            (folder / name).write_text(canonical_json(value), "utf-8")
    flow = changes.get("flow", LEAVE_FLOW)
    if flow is not None:
        (folder / "flows/leave.flow").write_text(flow, "utf-8")
    for name, text in changes.get("extra_files", {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, "utf-8")
    return folder
