"""The people and the flow ``bench flow`` runs: two approvers and a two-approval flow bound to
the benchmark form, published through :mod:`formflow.services.flows` like any flow.

Importing this module imports the flow services (and so registers their record hooks:
submitting a record of a form with a flow starts it). Only the flow suite imports it.
"""

from __future__ import annotations

from dataclasses import dataclass

from formflow.bench.flow_sources import APPROVERS, two_step_flow
from formflow.bench.seed import BenchForm, BenchWorld, publish_order_form
from formflow.services import auth, flows, org
from formflow.services.actor import SYSTEM, Actor
from formflow.storage.db import Database

FLOW_FORM = "bench_flow"


@dataclass(frozen=True)
class FlowWorld:
    """Who submits, who approves, and the form whose records run the flow."""

    initiator: Actor
    approvers: tuple[Actor, ...]
    form: BenchForm


def seed_flow(database: Database, world: BenchWorld) -> FlowWorld:
    """Create the approvers, publish the benchmark form under ``bench_flow`` and its flow."""
    form = publish_order_form(database, FLOW_FORM)
    with database.session(write=True) as session:
        approvers = [
            org.create_user(session, SYSTEM, username=name, department_id=world.department_id)
            for name in APPROVERS
        ]
        org.update_department(session, SYSTEM, world.department_id, {"head_id": approvers[0].id})
        actors = tuple(auth.actor_for(session, user) for user in approvers)
    with database.session(write=True) as session:
        flows.create_flow(session, SYSTEM, source=two_step_flow(FLOW_FORM))
    return FlowWorld(initiator=world.actor, approvers=actors, form=form)
