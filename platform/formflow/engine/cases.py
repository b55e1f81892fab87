"""Simulation cases kept next to a flow: regression tests a consultant can write.

A cases file (``<flow>.cases.json`` beside ``<flow>.flow``) is JSON::

    {
      "flow": "expense_claim",
      "cases": [
        {
          "name": "a small claim only needs the manager",
          "initiator": "zhangsan",                  // username
          "data": {"amount": 300},                  // the record's data
          "chosen": {"reviewer": ["lisi"]},         // optional: people the initiator picks
          "decisions": {"cfo": "reject"},           // optional: default approve
          "expect": {
            "path": ["manager", "cashier"],        // optional: steps in order
            "approvers": {"manager": ["lisi"]},     // optional: usernames per step
            "status": "approved"                    // optional
          }
        }
      ]
    }

:func:`run_cases` is pure: it simulates each case and compares; ``formflow check`` and pack
lint print the failures.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from formflow.dsl.spec import FlowSpec
from formflow.engine.context import ExpressionPort
from formflow.engine.simulation import SimulationResult, simulate
from formflow.errors import DefinitionInvalid, FormflowError, Issue
from formflow.i18n import Msg, _
from formflow.orgchart import OrgChart


@dataclass(frozen=True)
class CaseResult:
    name: str
    passed: bool
    problems: tuple[Msg, ...] = field(default=())
    result: SimulationResult | None = field(default=None, compare=False)


def load_cases(text: str) -> dict[str, Any]:
    """Parse a cases file (numbers become exact decimals); DefinitionInvalid when malformed."""
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise DefinitionInvalid(
            [
                Issue(
                    "$",
                    _(
                        "The cases file is not valid JSON: {problem} (line {line}).",
                        problem=error.msg,
                        line=error.lineno,
                    ),
                    "json",
                )
            ]
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise DefinitionInvalid(
            [Issue("$.cases", _("A cases file needs a list `cases`."), "required")]
        )
    issues = []
    for index, case in enumerate(data["cases"]):
        if not isinstance(case, dict) or not isinstance(case.get("initiator"), str):
            issues.append(
                Issue(
                    f"$.cases[{index}].initiator",
                    _("Each case needs an `initiator` (a username)."),
                    "required",
                )
            )
    if issues:
        raise DefinitionInvalid(issues)
    return data


def _user_id(org: OrgChart, username: str) -> int | None:
    user = org.user_by_name(username)
    return None if user is None else user.id


def run_cases(
    spec: FlowSpec,
    cases: Mapping[str, Any],
    org: OrgChart,
    *,
    expressions: ExpressionPort | None = None,
) -> list[CaseResult]:
    """Simulate every case of a (loaded) cases document and compare with its expectations."""
    results: list[CaseResult] = []
    for index, case in enumerate(cases.get("cases", [])):
        name = str(case.get("name") or f"case {index + 1}")
        initiator = _user_id(org, str(case.get("initiator")))
        if initiator is None:
            results.append(
                CaseResult(
                    name,
                    False,
                    (
                        _(
                            "There is no user `{name}` to start the case.",
                            name=case.get("initiator"),
                        ),
                    ),
                )
            )
            continue
        chosen: dict[str, tuple[int, ...]] = {}
        unknown: list[str] = []
        for step, names in (case.get("chosen") or {}).items():
            ids = [_user_id(org, str(n)) for n in names]
            unknown.extend(n for n, i in zip(names, ids, strict=True) if i is None)
            chosen[step] = tuple(i for i in ids if i is not None)
        if unknown:
            results.append(
                CaseResult(
                    name,
                    False,
                    (_("Unknown users in `chosen`: {names}.", names=", ".join(map(str, unknown))),),
                )
            )
            continue
        try:
            outcome = simulate(
                spec,
                case.get("data") or {},
                initiator,
                org,
                chosen=chosen,
                decisions=case.get("decisions") or {},
                expressions=expressions,
            )
        except FormflowError as error:
            results.append(CaseResult(name, False, (error.message,)))
            continue
        problems = _compare(case.get("expect") or {}, outcome, org)
        results.append(CaseResult(name, not problems, tuple(problems), outcome))
    return results


def _compare(expect: Mapping[str, Any], outcome: SimulationResult, org: OrgChart) -> list[Msg]:
    problems: list[Msg] = []
    if "status" in expect and expect["status"] != outcome.status:
        problems.append(
            _(
                "expected the request to end {expected}, but it ended {actual}",
                expected=expect["status"],
                actual=outcome.status,
            )
        )
    if "path" in expect and list(expect["path"]) != list(outcome.path):
        problems.append(
            _(
                "expected the path {expected}, but it was {actual}",
                expected=" → ".join(expect["path"]),
                actual=" → ".join(outcome.path) or "-",
            )
        )
    asked: dict[str, list[str]] = {}
    for step in outcome.steps:
        names = asked.setdefault(step.step, [])
        for user in step.people:
            info = org.user(user)
            username = info.username if info else str(user)
            if username not in names:
                names.append(username)
    for step, expected in (expect.get("approvers") or {}).items():
        actual = asked.get(step, [])
        if list(expected) != actual:
            problems.append(
                _(
                    "at step {step} expected {expected} to be asked, but it was {actual}",
                    step=step,
                    expected=", ".join(expected) or "nobody",
                    actual=", ".join(actual) or "nobody",
                )
            )
    return problems
