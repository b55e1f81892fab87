"""What the flow services hand the engine, and the ambient settings of one unit of work.

* :func:`engine_context` builds the :class:`~formflow.engine.EngineContext` for one event: the
  org chart, the org's working-day calendars, the record's data and an expression evaluator
  for the form version the record was written with. ``now`` is given in the **org time zone**
  (Asia/Shanghai unless configured), because working-day timeouts keep the time of day: "3
  workdays after Friday 10:00" must mean 10:00 in Shanghai, not in UTC.
* :func:`spec_of` parses a published version's spec once per process (versions never change).
* :func:`flow_environment` sets the org time zone and the clock for a block of work (the web
  layer passes the installation's ``default_timezone``; the worker its own clock).
* :func:`submitting` carries what comes with a submission besides the data — the approvers
  the initiator chose (发起人自选) and a comment — to the submit hook that starts the flow.
* :func:`nested` guards against loops: an automation whose effect triggers itself, or a flow
  that creates a record whose flow creates the first one again, stops at :data:`MAX_DEPTH`
  with a clear error, and the whole write is rolled back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from formflow.dsl import FlowSpec
from formflow.engine import EngineContext, FormExpressions
from formflow.errors import ConfigurationError, NotFound, TransitionNotAllowed
from formflow.expr import EvalContext
from formflow.forms import CompiledForm
from formflow.i18n import Msg, _
from formflow.orgchart import OrgChart
from formflow.process_cache import ProcessCache
from formflow.services import forms as form_service
from formflow.services.evaluation import StoreResolver
from formflow.services.forms import FormView
from formflow.services.org import load_calendar, load_org_chart
from formflow.storage import stamps
from formflow.storage.models import FlowVersion, Record
from formflow.storage.types import utcnow
from formflow.storage.unit import unit_cache
from formflow.workcalendar import WorkCalendar

#: The org time zone when none is configured (``Settings.default_timezone``).
DEFAULT_ZONE = "Asia/Shanghai"
#: How deeply automations and flows may trigger each other within one write.
MAX_DEPTH = 8

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class FlowEnvironment:
    """The org time zone and the clock the flow services use in the current block."""

    zone: str = DEFAULT_ZONE
    clock: Clock = utcnow

    def now(self) -> datetime:
        """The current moment, in the org time zone."""
        return self.clock().astimezone(ZoneInfo(self.zone))


@dataclass(frozen=True)
class Submission:
    """What a submission brings besides its data: chosen approvers per step, a comment."""

    chosen: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    comment: str | None = None


_DEFAULT_ENVIRONMENT = FlowEnvironment()
_environment: ContextVar[FlowEnvironment | None] = ContextVar(
    "formflow_flow_environment", default=None
)
_submission: ContextVar[Submission | None] = ContextVar("formflow_submission", default=None)
_depth: ContextVar[tuple[str, ...]] = ContextVar("formflow_flow_depth", default=())


def environment() -> FlowEnvironment:
    """The org time zone and clock in effect (the defaults outside any block)."""
    return _environment.get() or _DEFAULT_ENVIRONMENT


@contextmanager
def flow_environment(zone: str | None = None, clock: Clock | None = None) -> Iterator[None]:
    """Use ``zone`` as the org time zone and ``clock`` as the clock inside the block."""
    current = environment()
    zone = zone or current.zone
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(
            _("The time zone {zone!r} is unknown; set FORMFLOW_DEFAULT_TIMEZONE.", zone=zone)
        ) from None
    token = _environment.set(FlowEnvironment(zone, clock or current.clock))
    try:
        yield
    finally:
        _environment.reset(token)


@contextmanager
def submitting(
    chosen: Mapping[str, tuple[int, ...] | list[int]] | None = None, comment: str | None = None
) -> Iterator[None]:
    """Let the flow started by a submission in this block use ``chosen`` and ``comment``."""
    options = Submission({k: tuple(v) for k, v in (chosen or {}).items()}, comment)
    token = _submission.set(options)
    try:
        yield
    finally:
        _submission.reset(token)


def take_submission() -> Submission:
    """The options of the current submission (used once: nested records get none)."""
    options = _submission.get() or Submission()
    _submission.set(None)
    return options


@contextmanager
def nested(what: str) -> Iterator[None]:
    """Run a triggered piece of work one level deeper; refuse beyond :data:`MAX_DEPTH`."""
    chain = _depth.get()
    if len(chain) >= MAX_DEPTH:
        raise TransitionNotAllowed(
            _(
                "Automations and flows triggered each other more than {limit} times in a row "
                "({chain}); nothing was saved. Change an automation so that its action does "
                "not trigger it again.",
                limit=MAX_DEPTH,
                chain=" → ".join((*chain, what)[-6:]),
            )
        )
    token = _depth.set((*chain, what))
    try:
        yield
    finally:
        _depth.reset(token)


# -- specs ------------------------------------------------------------------------------------

_SPECS: ProcessCache[tuple[int, str], FlowSpec] = ProcessCache(256)


def _unit(session: Session) -> dict[str, Any]:
    """Lookups made once per unit of work (one transaction of the session)."""
    return unit_cache(session, "flows")


def org_chart(session: Session) -> OrgChart:
    """The org chart, read once per unit of work."""
    unit = _unit(session)
    if "org" not in unit:
        unit["org"] = load_org_chart(session)
    chart: OrgChart = unit["org"]
    return chart


def work_calendar(session: Session, key: str = "default") -> WorkCalendar:
    """A working-day calendar, read once per unit of work."""
    calendars = _unit(session).setdefault("calendars", {})
    if key not in calendars:
        calendars[key] = load_calendar(session, key)
    calendar: WorkCalendar = calendars[key]
    return calendar


def form_view(session: Session, record: Record) -> FormView:
    """The form version ``record`` was written with (read once per unit of work)."""
    views = _unit(session).setdefault("views", {})
    key = (record.form_id, record.form_version)
    if key not in views:
        views[key] = form_service.get_form_by_id(session, record.form_id, record.form_version)
    view: FormView = views[key]
    return view


def remember_view(session: Session, view: FormView) -> None:
    """Note a form version already read in this unit of work (saves reading it again)."""
    _unit(session).setdefault("views", {})[(view.form.id, view.version.version)] = view


def compiled_form_of(session: Session, record: Record) -> CompiledForm:
    """The compiled form version ``record`` was written with (once per unit of work)."""
    forms = _unit(session).setdefault("forms", {})
    key = (record.form_id, record.form_version)
    if key not in forms:
        forms[key] = form_service.compiled(session, form_view(session, record))
    compiled: CompiledForm = forms[key]
    return compiled


def spec_of(session: Session, version_id: int) -> FlowSpec:
    """The compiled spec of a published flow version.

    Parsed once per process: versions are immutable. The cache key includes the flows stamp
    (or, in a database whose flows never changed since stamps were kept for them, the
    version's creation time), so a process that outlives its database (tests, a re-created
    demo) never mistakes a new version for an old one with the same id.
    """
    specs = _unit(session).setdefault("specs", {})
    if version_id in specs:
        known: FlowSpec = specs[version_id]
        return known
    stamp = stamps.current(session, stamps.FLOWS)
    if stamp:  # every new flow version bumps the stamp: it tells databases apart
        key = (version_id, stamp)
    else:
        created = session.scalar(select(FlowVersion.created_at).where(FlowVersion.id == version_id))
        if created is None:
            raise NotFound(_("Flow version {id} not found.", id=version_id))
        key = (version_id, created.isoformat())
    found = _SPECS.get(key)
    if found is None:
        stored = session.scalar(select(FlowVersion.spec).where(FlowVersion.id == version_id))
        if stored is None and stamp:
            raise NotFound(_("Flow version {id} not found.", id=version_id))
        found = _SPECS.put(key, FlowSpec.from_json(stored or {}))
    specs[version_id] = found
    return found


def checker_forms(session: Session) -> dict[str, CompiledForm]:
    """Every current form, compiled: what the flow checker resolves form names against
    (the bound form, and the forms a flow creates or updates records of)."""
    return {
        view.key: form_service.compiled(session, view) for view in form_service.list_forms(session)
    }


def engine_context(
    session: Session,
    record: Record,
    calendar_key: str | None,
    *,
    now: datetime | None = None,
    data: Mapping[str, object] | None = None,
) -> EngineContext:
    """The engine's view of the world for one event on ``record`` (see the module docstring)."""
    env = environment()
    moment = (now or env.clock()).astimezone(ZoneInfo(env.zone))
    org = org_chart(session)
    calendar = work_calendar(session)
    calendars = {calendar_key: work_calendar(session, calendar_key)} if calendar_key else {}
    evaluation = EvalContext(
        today=moment.date(),
        now=moment,
        calendar=calendar,
        resolver=StoreResolver(session, org),
        timezone=env.zone,
    )
    return EngineContext(
        now=moment,
        org=org,
        data=dict(record.data if data is None else data),
        calendar=calendar,
        calendars=calendars,
        expressions=FormExpressions(compiled_form_of(session, record).scope, evaluation),
    )


def status_label(status: str) -> Msg | str:
    """A translated word for the fixed statuses; a named end (``paid``) as it is."""
    return _STATUS_WORDS.get(status, status)


_STATUS_WORDS: dict[str, Msg | str] = {
    "in_progress": _("in progress"),
    "running": _("in progress"),
    "returned": _("returned"),
    "approved": _("approved"),
    "rejected": _("rejected"),
    "withdrawn": _("withdrawn"),
}
