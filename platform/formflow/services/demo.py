"""The demo company: an org with departments, roles and users, loaded idempotently.

Data lives in ``formflow/demo/company.json``; loading twice changes nothing the second time.
Packs add their own demo records on top (see services.packs).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from sqlalchemy.orm import Session

from formflow.demo.orgdata import demo_company
from formflow.packs.library import available_packs
from formflow.services import companies, org, packs
from formflow.services.actor import SYSTEM
from formflow.services.demo_records import DemoReport, load_pack_demo


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    department: str
    roles: tuple[str, ...]
    platform_role: str


def load_demo_org(session: Session, password: str) -> list[DemoUser]:
    """Create the demo company's org (skipping what exists); returns its users."""
    data = demo_company()
    company = companies.find_company(session, data["company"]["code"]) or companies.create_company(
        session, SYSTEM, code=data["company"]["code"], name=data["company"]["name"]
    )
    departments: dict[str, int] = {}
    dept_names: dict[str, str] = {}
    for spec in data["departments"]:
        dept = org.find_department(session, spec["code"]) or org.create_department(
            session,
            SYSTEM,
            name=spec["name"],
            code=spec["code"],
            parent_id=departments.get(spec.get("parent", "")),
            company_id=company.id,
        )
        departments[spec["code"]] = dept.id
        dept_names[spec["code"]] = spec["name"]
    for role in data["roles"]:
        org.ensure_role(session, SYSTEM, role["key"], role["name"])
    users: list[DemoUser] = []
    for spec in data["users"]:
        if not org.user_exists(session, spec["username"]):
            user = org.create_user(
                session,
                SYSTEM,
                username=spec["username"],
                display_name=spec["display_name"],
                password=password,
                email=spec.get("email"),
                platform_role=spec.get("platform_role", "user"),
                locale=spec.get("locale", "zh-CN"),
                department_id=departments[spec["department"]],
            )
        else:
            user = org.find_user(session, spec["username"])
        for role_key in spec.get("roles", []):
            org.assign_role(session, SYSTEM, role_key, user.id)
        users.append(
            DemoUser(
                username=spec["username"],
                display_name=spec["display_name"],
                department=dept_names[spec["department"]],
                roles=tuple(spec.get("roles", [])),
                platform_role=spec.get("platform_role", "user"),
            )
        )
    for spec in data["departments"]:
        head = org.find_user(session, spec["head"])
        org.update_department(session, SYSTEM, departments[spec["code"]], {"head_id": head.id})
    return users


def load_demo_calendar(session: Session) -> int:
    """Load China's holidays and make-up workdays (``demo/calendar_cn.json``) into the default
    calendar; returns how many days were stored. Loading again changes nothing."""
    text = (resources.files("formflow.demo") / "calendar_cn.json").read_text("utf-8")
    data = json.loads(text)
    days: list[tuple[date, bool, str | None]] = []
    for year, spec in sorted(data.items()):
        if not year.isdigit() or not isinstance(spec, dict):
            continue
        days += [(date.fromisoformat(day), False, name) for day, name in spec.get("holidays", [])]
        days += [(date.fromisoformat(day), True, name) for day, name in spec.get("workdays", [])]
    org.set_calendar_days(
        session, SYSTEM, "default", days, name={"zh-CN": "中国大陆", "en": "Mainland China"}
    )
    return len(days)


#: The packs the demo company runs (the seed advice for a young company: light OA first).
DEMO_PACKS = ("oa",)


def load_demo(
    session: Session, password: str, *, uploads: Path, zone: str = "Asia/Shanghai"
) -> tuple[list[DemoUser], dict[str, DemoReport]]:
    """The whole demo in one unit of work: org, calendar, the demo packs and their records.

    Safe to run again: what exists is kept, each pack's demo records are loaded once.
    """
    users = load_demo_org(session, password)
    load_demo_calendar(session)
    library = available_packs()
    reports: dict[str, DemoReport] = {}
    for name in DEMO_PACKS:
        source = library.get(name)
        if source is None:
            continue
        packs.install_pack(session, SYSTEM, source, library=library)
        reports[name] = load_pack_demo(session, source, uploads=uploads, zone=zone)
    return users, reports
