"""Loading a pack's demo records (``demo/records.json``) with the histories that move them.

Every record is created through the records service as its author, and every action is taken
through the task services as the person who takes it, at the moment the demo says — so a demo
request has exactly the audit trail, flow history, tasks and notices a real one would have.
Dates are relative to the day of loading (see docs/packs.md, "demo/records.json"), so a demo
always looks current. Loading a pack's demo twice loads it once.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from formflow.errors import FormflowError, InvalidInput, NotFound
from formflow.i18n import _
from formflow.packs.source import PackSource
from formflow.services import attachments, org, records
from formflow.services.auth import actor_for
from formflow.services.flow_runtime import withdraw
from formflow.services.tasks import TaskRequest, act_on_task
from formflow.storage import stamps
from formflow.storage.models import FlowInstance, FlowTask
from formflow.storage.types import clock_at, utcnow
from formflow.workcalendar import WorkCalendar

#: A valid 1x1 PNG, used for demo images (and for any placeholder image type).
_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201d6d5a3"
    "b70000000049454e44ae426082"
)
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass
class DemoReport:
    records: int = 0
    actions: int = 0
    skipped: bool = False
    problems: list[str] = field(default_factory=list)


class _Resolver:
    """Turns the demo notation (relative dates, references, placeholder files) into data."""

    def __init__(
        self,
        session: Session,
        calendar: WorkCalendar,
        today: date,
        zone: ZoneInfo,
        uploads: Path,
    ) -> None:
        self.session = session
        self.calendar = calendar
        self.today = today
        self.zone = zone
        self.uploads = uploads
        self._departments: dict[str, int] = {}

    def moment(self, spec: Any, default: datetime) -> datetime:
        if not isinstance(spec, Mapping):
            return default
        day = self._day(spec)
        clock = time.fromisoformat(str(spec.get("at", "09:00")))
        return datetime.combine(day, clock, tzinfo=self.zone)

    def _day(self, spec: Mapping[str, Any]) -> date:
        if "workdays" in spec:
            return self.calendar.add_workdays(self.today, int(spec["workdays"]))
        return self.today + timedelta(days=int(spec.get("days", 0)))

    def value(self, value: Any, actor: Any) -> Any:
        if isinstance(value, list):
            return [self.value(item, actor) for item in value]
        if not isinstance(value, Mapping):
            return value
        keys = set(value)
        if keys in ({"days"}, {"workdays"}):
            return self._day(value).isoformat()
        if keys == {"days", "at"}:
            moment = self.moment(value, datetime.now(self.zone))
            return moment.astimezone(ZoneInfo("UTC")).isoformat().replace("+00:00", "Z")
        if keys == {"user"}:
            return org.find_user(self.session, str(value["user"])).id
        if keys == {"department"}:
            department = org.find_department(self.session, str(value["department"]))
            if department is None:
                raise NotFound(_("Department {id} not found.", id=value["department"]))
            return department.id
        if keys == {"name", "content_type", "size"}:
            return self._placeholder(value, actor)
        return {key: self.value(item, actor) for key, item in value.items()}

    def _placeholder(self, spec: Mapping[str, Any], actor: Any) -> dict[str, Any]:
        content_type = str(spec["content_type"])
        content = _PDF if content_type == "application/pdf" else _PNG
        name = str(spec["name"])
        if content_type.startswith("image/") and not name.lower().endswith(".png"):
            name = name.rsplit(".", 1)[0] + ".png"
        if content_type == "application/pdf" and not name.lower().endswith(".pdf"):
            name += ".pdf"
        stored = attachments.store_upload(
            self.session,
            actor,
            self.uploads,
            io.BytesIO(content),
            name,
            max_bytes=len(content) + 1,
        )
        return attachments.attachment_json(stored)


def _open_task(session: Session, record_id: int, user_id: int) -> FlowTask:
    task = session.scalar(
        select(FlowTask)
        .where(
            FlowTask.record_id == record_id,
            FlowTask.assignee_id == user_id,
            FlowTask.status == "open",
            FlowTask.kind != "cc",
        )
        .order_by(FlowTask.id)
    )
    if task is None:
        raise InvalidInput(
            _(
                "The demo acts on record {id} as user {user}, who has no open task there.",
                id=record_id,
                user=user_id,
            )
        )
    return task


def load_pack_demo(
    session: Session,
    source: PackSource,
    *,
    uploads: Path,
    zone: str = "Asia/Shanghai",
    today: date | None = None,
) -> DemoReport:
    """Create the demo records of ``source`` (once per installation) in this unit of work.

    Raises the first FormflowError a demo record causes, naming the record: a demo that does
    not load is a bug in the pack, and a half-loaded demo would be worse than none.
    """
    report = DemoReport()
    marker = f"demo:{source.name}"
    if stamps.current(session, marker) or source.demo is None:
        report.skipped = True
        return report
    tz = ZoneInfo(zone)
    resolver = _Resolver(
        session,
        org.load_calendar(session),
        today or utcnow().astimezone(tz).date(),
        tz,
        uploads,
    )
    items = source.demo.value if isinstance(source.demo.value, list) else []
    for index, item in enumerate(items):
        try:
            _load_item(session, resolver, item)
        except FormflowError as error:
            raise InvalidInput(
                _(
                    "Demo record {index} ({form}) of the pack {pack} does not load: {error}",
                    index=index + 1,
                    form=item.get("form", "?"),
                    pack=source.name,
                    error=error.message,
                ),
                issues=error.issues,
            ) from error
        report.records += 1
        report.actions += len(item.get("actions", []))
    stamps.bump(session, marker)
    return report


def _load_item(session: Session, resolver: _Resolver, item: Mapping[str, Any]) -> None:
    author = actor_for(session, org.find_user(session, str(item["as"])))
    submitted = resolver.moment(item.get("at"), utcnow())
    with clock_at(submitted):
        data = resolver.value(item.get("data", {}), author)
        view = records.create_record(
            session, author, str(item["form"]), data, draft=bool(item.get("draft", False))
        )
    record_id = view.record.id
    for action in item.get("actions", []):
        user = org.find_user(session, str(action["as"]))
        actor = actor_for(session, user)
        moment = resolver.moment(action.get("at"), utcnow())
        with clock_at(moment):
            if action["do"] == "withdraw":
                instance = session.scalar(
                    select(FlowInstance)
                    .where(FlowInstance.record_id == record_id)
                    .order_by(FlowInstance.id.desc())
                )
                if instance is None:
                    raise InvalidInput(_("Record {id} has no flow to withdraw.", id=record_id))
                withdraw(session, actor, instance.id)
                continue
            changes = resolver.value(action.get("data"), actor) if action.get("data") else None
            task = _open_task(session, record_id, user.id)
            current = records.get_record(session, actor, record_id).record
            act_on_task(
                session,
                actor,
                task.id,
                TaskRequest(
                    action=str(action["do"]),
                    comment=action.get("comment"),
                    data=changes,
                    version=current.version if changes else None,
                    target=action.get("to"),
                ),
            )
