"""Automatic steps, automations, simulation and simulation cases, and JSON round trips."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from flowkit import FORMS, NAMES, NOW, ORG, Driver, compile_text, expressions

from formflow.dsl import FlowSpec, compile_file
from formflow.engine import (
    EngineContext,
    InstanceState,
    automation_effects,
    automation_matches,
    load_cases,
    next_run,
    run_cases,
    simulate,
)
from formflow.engine.automation import RecordEvent
from formflow.errors import DefinitionInvalid

AUTO = """
flow f on expense_claim {
  step approve { approve by user(lisi) }
  step post "入账" {
    set status_text = "posted"
    create ledger for each items { amount: row.amount, note: row.note }
    create payment { amount: amount, payee: initiator, memo: "报销" }
    webhook "https://erp.example/hook" { total: amount }
    notify initiator "已入账"
  }
  end paid
}"""


def test_an_automatic_step_sets_fields_creates_records_per_row_and_calls_webhooks() -> None:
    items = [{"amount": 10, "note": "a"}, {"amount": 20, "note": "b"}]
    data = {"amount": Decimal(30), "items": items}
    run = Driver(AUTO, data)
    run.start()
    effects = run.act("lisi")
    by_kind = {e.kind: e for e in effects}
    assert by_kind["set_fields"].values == {"status_text": "posted"}  # type: ignore[attr-defined]
    created = [e for e in effects if e.kind == "create_record"]
    assert [(e.form, e.data) for e in created] == [  # type: ignore[attr-defined]
        ("ledger", {"amount": Decimal(10), "note": "a"}),
        ("ledger", {"amount": Decimal(20), "note": "b"}),
        ("payment", {"amount": Decimal(30), "payee": NAMES["zhangsan"], "memo": "报销"}),
    ]
    assert by_kind["call_webhook"].payload == {"total": Decimal(30)}  # type: ignore[attr-defined]
    assert by_kind["notify"].users == (NAMES["zhangsan"],)  # type: ignore[attr-defined]
    assert run.status == "paid"
    assert json.dumps([e.to_json() for e in effects], ensure_ascii=False)


AUTOMATIONS = """
automation stale "30天未跟进" on customer {
  every day at 09:00
  where days_between(last_contact, today()) >= 30
  notify field(owner) "客户已 30 天未跟进"
}
automation stage_changed on customer {
  when changed stage
  set last_contact = today()
}
automation renewal on customer {
  3 days before last_contact at 10:00
  notify field(owner)
}
"""


def compiled_automations() -> dict[str, object]:
    return dict(compile_file(AUTOMATIONS, forms=FORMS, org=ORG).automations)


def test_a_scheduled_automation_runs_daily_at_its_time() -> None:
    stale = compile_file(AUTOMATIONS, forms=FORMS, org=ORG).automations["stale"]
    assert next_run(stale, NOW) == datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    assert next_run(stale, NOW.replace(hour=8)) == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_date_based_automation_runs_days_before_the_records_date() -> None:
    renewal = compile_file(AUTOMATIONS, forms=FORMS, org=ORG).automations["renewal"]
    assert next_run(renewal, NOW, {"last_contact": "2026-03-20"}) == datetime(
        2026, 3, 17, 10, 0, tzinfo=UTC
    )
    assert next_run(renewal, NOW, {"last_contact": "2026-03-01"}) is None


@pytest.mark.parametrize(("last_contact", "matches"), [("2026-01-01", True), ("2026-03-01", False)])
def test_an_automation_filter_selects_records(last_contact: str, matches: bool) -> None:
    stale = compile_file(AUTOMATIONS, forms=FORMS, org=ORG).automations["stale"]
    ctx = EngineContext(now=NOW, org=ORG, expressions=expressions("customer"))
    event = RecordEvent("updated", {"owner": 2, "last_contact": last_contact})
    from formflow.engine.automation import passes_filter

    assert passes_filter(stale, event.data, ctx) is matches
    effects = automation_effects(stale, event.data, ctx)
    assert [(e.kind, e.users) for e in effects] == [("notify", (2,))]  # type: ignore[attr-defined]


def test_a_field_change_automation_fires_only_when_that_field_changed() -> None:
    changed = compile_file(AUTOMATIONS, forms=FORMS, org=ORG).automations["stage_changed"]
    ctx = EngineContext(now=NOW, org=ORG, expressions=expressions("customer"))
    data = {"stage": "won"}
    assert automation_matches(changed, RecordEvent("updated", data, frozenset({"stage"})), ctx)
    assert not automation_matches(changed, RecordEvent("updated", data, frozenset({"name"})), ctx)


CHOICE = """
flow expense_claim on expense_claim {
  step manager { approve by manager(initiator) }
  if amount > 5000 { step cfo { approve by role(cfo) } }
  step pay { task by role(cashier) }
}"""


def test_simulation_shows_the_path_and_who_is_asked_and_why() -> None:
    spec = compile_text(CHOICE)
    result = simulate(spec, {"amount": 9000}, NAMES["zhangsan"], ORG, expressions=expressions())
    assert result.status == "approved"
    assert result.path == ("manager", "cfo", "pay")
    manager = result.steps[0]
    assert manager.names == ("李四",)
    assert manager.explanations[0].render("en") == "manager of 张三, level 1: 李四"
    assert manager.explanations[0].render("zh-CN") == "张三的第 1 级主管：李四"
    assert result.render("en")["steps"][1]["why"] == ["role cfo: 赵六"]


def test_simulation_cases_pass_and_fail_with_a_readable_reason() -> None:
    spec = compile_text(CHOICE)
    cases = load_cases(
        json.dumps(
            {
                "flow": "expense_claim",
                "cases": [
                    {
                        "name": "small",
                        "initiator": "zhangsan",
                        "data": {"amount": 300},
                        "expect": {
                            "path": ["manager", "pay"],
                            "approvers": {"manager": ["lisi"]},
                            "status": "approved",
                        },
                    },
                    {
                        "name": "big but wrong",
                        "initiator": "zhangsan",
                        "data": {"amount": 9000.5},
                        "expect": {"path": ["manager", "pay"]},
                    },
                ],
            }
        )
    )
    results = run_cases(spec, cases, ORG, expressions=expressions())
    assert [(r.name, r.passed) for r in results] == [("small", True), ("big but wrong", False)]
    assert "manager → cfo → pay" in results[1].problems[0].render("en")


def test_a_malformed_cases_file_is_refused_with_its_path() -> None:
    with pytest.raises(DefinitionInvalid) as raised:
        load_cases('{"cases": [{"data": {}}]}')
    assert raised.value.issues[0].path == "$.cases[0].initiator"


def test_a_flow_spec_survives_a_json_round_trip() -> None:
    spec = compile_text(AUTO.replace("flow f", "flow g"))
    text = json.dumps(spec.to_json(), ensure_ascii=False)
    again = FlowSpec.from_json(json.loads(text))
    assert again == spec
    assert again.to_json()["format"] == 1


def test_a_spec_from_a_newer_format_is_refused() -> None:
    data = compile_text(CHOICE).to_json()
    data["format"] = 99
    with pytest.raises(DefinitionInvalid):
        FlowSpec.from_json(data)


def test_instance_state_survives_a_json_round_trip_mid_flight() -> None:
    run = Driver(CHOICE, {"amount": 9000})
    run.start()
    run.act("lisi")
    assert run.state is not None
    text = json.dumps(run.state.to_dict(), ensure_ascii=False)
    assert InstanceState.from_dict(json.loads(text)).to_dict() == run.state.to_dict()


def test_the_diagram_is_the_same_data_the_engine_runs() -> None:
    spec = compile_text(CHOICE)
    kinds = {node.id: node.kind.value for node in spec.nodes.values()}
    assert kinds == {
        "#start": "start",
        "manager": "approval",
        "if#1": "choice",
        "cfo": "approval",
        "pay": "task",
        "#end": "end",
    }
    assert {(e.source, e.target, e.kind.value) for e in spec.edges} == {
        ("#start", "manager", "next"),
        ("manager", "if#1", "next"),
        ("if#1", "cfo", "condition"),
        ("if#1", "pay", "default"),
        ("cfo", "pay", "next"),
        ("pay", "#end", "next"),
    }


def test_simulate_uses_a_fixed_clock_unless_given_one() -> None:
    spec = compile_text(CHOICE)
    when = datetime(2026, 5, 1, tzinfo=UTC)
    result = simulate(
        spec, {"amount": 1}, NAMES["zhangsan"], ORG, expressions=expressions(), now=when
    )
    assert result.state is not None
    assert result.state.started_at == when.isoformat()
