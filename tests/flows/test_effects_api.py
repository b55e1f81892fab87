"""What automatic steps do, carried out for real: set fields, one record per sub-table row,
update the linked record of another form, notify with the designer's words, start a flow."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from formflow.storage.models import Notice


def _run_through(world: Any, source: str, data: dict[str, Any]) -> Any:
    world.publish(source)
    record = world.submit("zhang", data)
    response = world.act("li", world.task_of("li", record["id"]), "approve")
    assert response.status_code == 200, response.payload
    return record


def test_an_automatic_step_sets_fields_of_the_record_with_an_audit_line(world: Any) -> None:
    record = _run_through(
        world,
        """
        flow posting on expense {
          step manager { approve by manager(initiator) }
          step post { set status_text = "posted" }
        }
        """,
        {"title": "Trip", "amount": 5},
    )
    after = world.record(record["id"])
    assert (after["status"], after["data"]["status_text"]) == ("approved", "posted")
    trail = world.admin.get(f"/api/records/{record['id']}/history").payload
    update = next(a for a in trail if a["action"] == "update")
    assert update["actor_id"] is None
    assert update["changes"] == [{"path": "$.status_text", "old": None, "new": "posted"}]


def test_one_record_is_created_per_sub_table_row(world: Any) -> None:
    _run_through(
        world,
        """
        flow per_row on expense {
          step manager {
            approve by manager(initiator)
            then create payment for each items {
              amount: row.amount, payee: initiator, memo: row.note
            }
          }
        }
        """,
        {
            "title": "Trip",
            "amount": 30,
            "items": [{"amount": 10, "note": "taxi"}, {"amount": 20, "note": "hotel"}],
        },
    )
    payments = world.admin.get("/api/forms/payment/records?sort=id").payload["items"]
    assert [(p["data"]["amount"], p["data"]["memo"]) for p in payments] == [
        (10, "taxi"),
        (20, "hotel"),
    ]


def test_the_linked_record_of_another_form_is_updated(world: Any) -> None:
    customer = world.submit("zhang", {"name": "ACME", "stage": "lead"}, "customer")
    _run_through(
        world,
        """
        flow billing on expense {
          step manager {
            approve by manager(initiator)
            then update customer via customer { stage: "billed" }
          }
        }
        """,
        {"title": "Trip", "amount": 30, "customer": customer["id"]},
    )
    after = world.record(customer["id"])
    assert (after["data"]["stage"], after["version"]) == ("billed", 2)


def test_a_notification_carries_the_designers_words(world: Any) -> None:
    _run_through(
        world,
        """
        flow told on expense {
          step manager { approve by manager(initiator) then notify initiator "报销已批准 {ok}" }
        }
        """,
        {"title": "Trip", "amount": 30},
    )
    with world.database.session() as session:
        bodies = list(
            session.scalars(
                select(Notice.body).where(
                    Notice.user_id == world.ids["zhang"], Notice.kind == "flow:notify"
                )
            )
        )
    assert bodies == [{"zh-CN": "报销已批准 {ok}", "en": "报销已批准 {ok}"}]


def test_an_automation_starts_the_flow_of_a_record_submitted_before_it_existed(
    world: Any,
) -> None:
    old = world.submit("zhang", {"title": "Old claim", "amount": 10})
    assert old["status"] == "submitted"
    world.publish("flow claim on expense { step manager { approve by manager(initiator) } }")
    published = world.admin.post(
        "/api/automations",
        {"source": "automation restart on expense { when changed reason start flow claim }"},
    )
    assert published.status_code == 200, published.payload
    changed = world.admin.patch(
        f"/api/records/{old['id']}", {"data": {"reason": "audit"}, "version": old["version"]}
    )
    assert changed.status_code == 200, changed.payload
    assert world.record(old["id"])["status"] == "in_progress"
    assert [i["record"]["id"] for i in world.open_tasks("li")] == [old["id"]]
    assert world.instance_of(old["id"])["initiator"] == world.ids["zhang"]
