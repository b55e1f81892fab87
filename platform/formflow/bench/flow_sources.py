"""Flow texts for ``bench flow``: the two-approval flow the throughput figure runs, and a
500-step flow for the compile-time figure.

The big flow is not 500 copies of one line: steps alternate approver rules (named users, the
initiator's manager), carry field permissions, and every fifth one sits behind a condition on
the form's data, so the checker has types, people and routes to check.
"""

from __future__ import annotations

APPROVERS = ("bench.approver1", "bench.approver2")
BIG_FLOW_STEPS = 500


def two_step_flow(form_key: str) -> str:
    """Submit, then two approvals by two different people (no de-duplication applies)."""
    first, second = APPROVERS
    return (
        f'flow {form_key} "基准测试流程" on {form_key} {{\n'
        f'  step manager "主管审批" {{ approve by user("{first}") }}\n'
        f'  step finance "财务审批" {{ approve by user("{second}") }}\n'
        "}\n"
    )


def _step(number: int) -> str:
    rules = (
        f'user("{APPROVERS[0]}")',
        f'user("{APPROVERS[1]}")',
        "manager(initiator)",
    )
    permissions = ("edit remark", "hide contact_phone", "read amount, items.price")
    return (
        f'step s{number} "第 {number} 步审批" {{ approve by {rules[number % 3]}; '
        f"{permissions[number % 3]} }}"
    )


def big_flow(form_key: str, steps: int = BIG_FLOW_STEPS) -> str:
    """A flow of ``steps`` approval steps bound to ``form_key``."""
    lines = [f'flow big_{form_key} "{steps} 步流程" on {form_key} {{']
    for number in range(1, steps + 1):
        step = _step(number)
        if number % 5 == 0:
            step = f"if amount > {number * 100} and urgent {{ {step} }}"
        lines.append(f"  {step}")
    lines.append("}")
    return "\n".join(lines) + "\n"
