"""The checker: each diagnostic it knows, with its position, and every problem at once."""

from __future__ import annotations

import pytest
from flowkit import FORMS, ORG

from formflow.dsl import check_flow, compile_flow
from formflow.errors import Severity, SourceError


def diagnostics(text: str, settings: dict[str, object] | None = None) -> list[tuple[str, str, int]]:
    found = check_flow(text, forms=FORMS, org=ORG, settings=settings)
    return [(d.code, d.severity.value, d.line) for d in found]


CASES = [
    ("unknown_form", "flow f on expense {\n step a { approve by role(cfo) } }", 1, "error"),
    (
        "duplicate_flow",
        "flow f on expense_claim { step a { approve by role(cfo) } }\n"
        "flow f on expense_claim { step a { approve by role(cfo) } }",
        2,
        "error",
    ),
    (
        "duplicate_step",
        "flow f on expense_claim {\n step a { approve by role(cfo) }\n"
        " step a { approve by role(hr) } }",
        3,
        "error",
    ),
    ("empty_step", "flow f on expense_claim {\n step a { edit amount } }", 2, "error"),
    (
        "unknown_field",
        "flow f on expense_claim {\n step a { approve by role(cfo)\n edit amout } }",
        3,
        "error",
    ),
    (
        "unknown_field",
        "flow f on expense_claim {\n step a { approve by role(cfo)\n hide items.amout } }",
        3,
        "error",
    ),
    (
        "unknown_user",
        "flow f on expense_claim {\n step a { approve by user(nobody) } }",
        2,
        "error",
    ),
    (
        "unknown_department",
        'flow f on expense_claim {\n step a { approve by role(hr, "无此部门") } }',
        2,
        "error",
    ),
    (
        "not_a_user_field",
        "flow f on expense_claim {\n step a { approve by field(reason) } }",
        2,
        "error",
    ),
    ("role_empty", "flow f on expense_claim {\n step a { approve by role(ceo) } }", 2, "warning"),
    (
        "no_manager",
        "flow f on expense_claim {\n step a { approve by manager(initiator) } }",
        2,
        "warning",
    ),
    (
        "no_head",
        'flow f on expense_claim {\n step a { approve by department_head("项目组") } }',
        2,
        "warning",
    ),
    (
        "not_a_department_field",
        "flow f on expense_claim {\n step a { approve by role(hr, field(reason)) } }",
        2,
        "error",
    ),
    (
        "inactive_user",
        "flow f on expense_claim {\n step a { approve by user(zhengshi) } }",
        2,
        "warning",
    ),
    (
        "unknown_step",
        "flow f on expense_claim {\n step a { approve by role(cfo) }\n goto b }",
        3,
        "error",
    ),
    (
        "unknown_step",
        "flow f on expense_claim {\n on reject return to manger\n"
        " step manager { approve by role(cfo) } }",
        2,
        "error",
    ),
    (
        "goto_region",
        "flow f on expense_claim {\n step a { approve by role(cfo) }\n parallel {\n"
        " branch { step b { approve by role(hr) } goto a }\n"
        " branch { step c { approve by role(hr) } }"
        " } }",
        4,
        "error",
    ),
    (
        "no_default",
        "flow f on expense_claim {\n if amount > 10 { step a { approve by role(cfo) } }"
        " else if amount > 5 { step b { approve by role(hr) } } }",
        2,
        "error",
    ),
    (
        "join_count",
        "flow f on expense_claim {\n parallel join 3 {\n branch { step a { approve by "
        "role(cfo) } }\n branch { step b { approve by role(hr) } } } }",
        2,
        "error",
    ),
    (
        "never_joins",
        "flow f on expense_claim {\n parallel {\n branch { step a { approve by "
        "role(cfo) } end rejected }\n branch { step b { approve by role(hr) } } } }",
        2,
        "error",
    ),
    (
        "unreachable",
        "flow f on expense_claim {\n step a { approve by role(cfo) }\n end\n"
        " step b { approve by role(hr) } }",
        4,
        "error",
    ),
    (
        "no_end",
        "flow f on expense_claim {\n step a { approve by role(cfo) }\n goto a }",
        2,
        "error",
    ),
    (
        "bad_vote",
        "flow f on expense_claim {\n step a { approve by user(lisi, sunqi) vote 3 } }",
        2,
        "error",
    ),
    (
        "unknown_field",
        "flow f on expense_claim {\n if amout > 5 { step a { approve by role(cfo) } } }",
        2,
        "error",
    ),
    (
        "unknown_target_field",
        "flow f on expense_claim {\n step a { approve by role(cfo)\n"
        " then create payment { amount: amount, payee: initiator, colour: reason } } }",
        3,
        "error",
    ),
    (
        "unmapped_required",
        "flow f on expense_claim {\n step a { approve by role(cfo)\n"
        " then create payment { amount: amount } } }",
        3,
        "error",
    ),
    (
        "not_subtable",
        "flow f on expense_claim {\n step a { approve by role(cfo)\n"
        " then create ledger for each reason { amount: 1 } } }",
        3,
        "error",
    ),
    (
        "not_link",
        "flow f on expense_claim {\n step a { approve by role(cfo)\n"
        " then update payment via reason { memo: reason } } }",
        3,
        "error",
    ),
    (
        "set_column",
        "flow f on expense_claim {\n step a { approve by role(cfo)\n set items.amount = 1 } }",
        3,
        "error",
    ),
    (
        "bad_url",
        'flow f on expense_claim {\n step a { approve by role(cfo)\n then webhook "ftp://x" } }',
        3,
        "error",
    ),
    ("no_trigger", 'automation a on customer {\n notify field(owner) "hi" }', 1, "error"),
    (
        "not_date",
        "automation a on customer {\n 3 days before name\n notify field(owner) }",
        2,
        "error",
    ),
]


@pytest.mark.parametrize(
    ("code", "text", "line", "severity"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_each_diagnostic_is_reported_with_its_line(
    code: str, text: str, line: int, severity: str
) -> None:
    found = diagnostics(text)
    assert (code, severity, line) in found, found


def test_a_condition_that_is_not_true_or_false_is_a_type_error() -> None:
    found = check_flow(
        "flow f on expense_claim {\n if amount + 1 { step a { approve by role(cfo) } } }",
        forms=FORMS,
        org=ORG,
    )
    errors = [d for d in found if d.severity == Severity.ERROR]
    assert errors
    assert errors[0].line == 2


def test_a_typo_in_a_step_name_gets_a_did_you_mean_hint() -> None:
    found = check_flow(
        "flow f on expense_claim {\n step approve_step { approve by role(cfo) }\n"
        " goto aprove_step }",
        forms=FORMS,
        org=ORG,
    )
    unknown = next(d for d in found if d.code == "unknown_step")
    assert unknown.hint is not None
    assert "approve_step" in unknown.hint.render("en")
    assert "approve_step" in unknown.hint.render("zh-CN")


def test_every_problem_is_reported_at_once() -> None:
    found = diagnostics(
        "flow f on expense_claim {\n step a { approve by user(nobody) edit amout }\n"
        " if reasn = 'x' { step b { approve by role(cfo) } }\n goto c }"
    )
    codes = {code for code, _severity, _line in found}
    assert {"unknown_user", "unknown_field", "unknown_step"} <= codes
    assert sum(1 for code, _s, _l in found if code == "unknown_field") == 2


def test_a_correct_flow_has_no_errors() -> None:
    found = check_flow(
        """
flow expense_claim "费用报销" on expense_claim {
  param big_amount = 5000
  step manager "主管审批" { approve by department_head(initiator) }
  if amount > big_amount { step cfo "财务总监" { approve by role(cfo) } }
  step pay "出纳付款" { task by role(cashier) edit paid_on, voucher_no
    then create payment { amount: amount, payee: initiator } }
}""",
        forms=FORMS,
        org=ORG,
    )
    assert [d for d in found if d.severity == Severity.ERROR] == []


def test_settings_override_parameters_and_must_fit_their_type() -> None:
    text = (
        "flow f on expense_claim {\n param limit = 5000\n"
        " if amount > limit { step a { approve by role(cfo) } } }"
    )
    assert ("setting_type", "error", 2) in diagnostics(text, {"limit": "lots"})
    spec = compile_flow(text, forms=FORMS, org=ORG, settings={"limit": 9000})
    assert str(spec.params["limit"]) == "9000"


def test_compile_flow_raises_with_every_error() -> None:
    with pytest.raises(SourceError) as raised:
        compile_flow(
            "flow f on expense_claim {\n step a { approve by user(nobody) }\n goto zzz }",
            forms=FORMS,
            org=ORG,
        )
    assert {d.code for d in raised.value.diagnostics} >= {"unknown_user", "unknown_step"}
