"""The small world the database benchmarks act in, made through the services.

A company, one department and one ordinary user (not an administrator, so authorization runs
its normal course), and the benchmark form published with ``forms.create_form`` — which also
builds the ``x-index`` index exactly as publishing does in production.
"""

from __future__ import annotations

from dataclasses import dataclass

from formflow.bench.workload import order_schema, order_title
from formflow.services import auth, companies, org
from formflow.services import forms as form_service
from formflow.services.actor import SYSTEM, Actor
from formflow.storage.db import Database

#: Everyone may create records and read all of them: lists then need no per-owner filter,
#: like the plain table they are compared with.
BENCH_GRANTS = {"everyone": ["create", "read_all"]}


@dataclass(frozen=True)
class BenchWorld:
    """Who acts in the benchmark, and the ids their documents refer to."""

    actor: Actor
    user_id: int
    department_id: int


@dataclass(frozen=True)
class BenchForm:
    key: str
    form_id: int
    version: int


def seed_world(database: Database) -> BenchWorld:
    """Create the company, department and user of the benchmark."""
    with database.session(write=True) as session:
        company = companies.create_company(session, SYSTEM, code="bench", name="基准测试公司")
        department = org.create_department(
            session, SYSTEM, name="采购部", code="bench-purchasing", company_id=company.id
        )
        user = org.create_user(
            session,
            SYSTEM,
            username="bench.buyer",
            display_name="基准采购员",
            department_id=department.id,
        )
        actor = auth.actor_for(session, user)
        return BenchWorld(actor=actor, user_id=user.id, department_id=department.id)


def publish_order_form(database: Database, key: str) -> BenchForm:
    """Publish the benchmark form under ``key`` (indexes included)."""
    with database.session(write=True) as session:
        view = form_service.create_form(
            session,
            SYSTEM,
            key=key,
            title=order_title(),
            schema=order_schema(),
            grants=BENCH_GRANTS,
        )
        return BenchForm(key=key, form_id=view.form.id, version=view.version.version)
