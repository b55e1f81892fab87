"""Flow definitions: check, publish versions, read, and dry runs.

A flow is DSL text bound to a form (``flow NAME on FORM``). Publishing compiles it with the
live forms and org (``formflow.dsl``) and stores an immutable version: its source, the
settings its ``param``s were given, and the compiled spec the engine runs and the designer
draws. Errors refuse the publication with every diagnostic (422); warnings (approvers that
resolve to nobody for some initiators) are returned with the published version.

Each form has at most one flow; submitting a record of that form starts the flow's current
version (``services.flow_runtime``). Running instances keep the version they started with;
:func:`version_counts` tells an admin how many run on each.

Importing this module also registers the flow services' record hooks (starting flows on
submission, automations on writes), so every entry point that writes records — the web app,
the worker, the CLI — imports it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from formflow.dsl import FlowSpec, check_flow, compile_file
from formflow.engine import FormExpressions, SimulationResult, simulate
from formflow.errors import (
    Conflict,
    Diagnostic,
    InvalidInput,
    NotFound,
    Severity,
    SourceError,
    ValidationFailed,
)
from formflow.i18n import _
from formflow.services import automations as _automations  # noqa: F401 - registers hooks
from formflow.services import flow_runtime as _flow_runtime  # noqa: F401 - registers hooks
from formflow.services import forms as form_service
from formflow.services.actor import Actor
from formflow.services.authz import require_designer
from formflow.services.evaluation import eval_context
from formflow.services.flow_context import checker_forms, environment, spec_of
from formflow.services.flow_runtime import LIVE_STATUSES
from formflow.services.org import load_calendar, load_org_chart
from formflow.storage.models import FlowDefinition, FlowInstance, FlowVersion

#: A flow key: a name, optionally with a pack prefix (``oa.leave_request``).
FLOW_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z_][A-Za-z0-9_]{0,34})?$")


@dataclass(frozen=True)
class FlowView:
    """A flow with one published version (the current one unless asked otherwise)."""

    flow: FlowDefinition
    version: FlowVersion
    spec: FlowSpec
    warnings: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class VersionInfo:
    """One published version and how many instances started on it."""

    version: int
    created_at: datetime
    created_by: int | None
    note: str | None
    running: int
    total: int


# -- checking and compiling ----------------------------------------------------------------


def check_source(
    session: Session,
    actor: Actor,
    source: str,
    *,
    form_key: str | None = None,
    settings: Mapping[str, Any] | None = None,
) -> list[Diagnostic]:
    """Every problem of ``source`` against the live forms and org (designers; never raises).

    With ``form_key``, a flow bound to another form is reported too.
    """
    require_designer(actor)
    diagnostics = check_flow(
        source, forms=checker_forms(session), org=load_org_chart(session), settings=settings
    )
    if form_key and not any(d.severity is Severity.ERROR for d in diagnostics):
        compiled = compile_file(
            source, forms=checker_forms(session), org=load_org_chart(session), settings=settings
        )
        for spec in compiled.flows.values():
            if spec.form != form_key:
                diagnostics.append(
                    Diagnostic(
                        _(
                            "The flow `{flow}` is bound to the form `{bound}`, not to `{form}`.",
                            flow=spec.key,
                            bound=spec.form,
                            form=form_key,
                        ),
                        code="other_form",
                    )
                )
    return diagnostics


def _compile(
    session: Session, source: str, key: str | None, settings: Mapping[str, Any] | None
) -> tuple[FlowSpec, tuple[Diagnostic, ...]]:
    compiled = compile_file(
        source, forms=checker_forms(session), org=load_org_chart(session), settings=settings
    )
    if key is None and len(compiled.flows) == 1:
        key = next(iter(compiled.flows))
    if key is None or key not in compiled.flows:
        raise SourceError(
            [
                Diagnostic(
                    _(
                        "Say which flow to publish: the text defines {names}.",
                        names=", ".join(compiled.flows) or _("no flow"),
                    )
                    if key is None
                    else _(
                        "The text does not define the flow `{key}` (it defines: {names}).",
                        key=key,
                        names=", ".join(compiled.flows) or "-",
                    ),
                    code="no_such_flow",
                )
            ]
        )
    return compiled.flows[key], tuple(compiled.warnings)


def _add_version(
    session: Session,
    actor: Actor,
    flow: FlowDefinition,
    number: int,
    source: str,
    spec: FlowSpec,
    settings: Mapping[str, Any] | None,
    note: str | None,
) -> FlowVersion:
    now = environment().now()
    version = FlowVersion(
        flow_id=flow.id,
        version=number,
        source=source,
        spec=spec.to_json(),
        settings=dict(settings or {}),
        note=note,
        created_by=actor.id,
        created_at=now,
    )
    session.add(version)
    flow.current_version = number
    flow.title = spec.title
    flow.updated_at = now
    session.flush()
    return version


# -- publishing ---------------------------------------------------------------------------------


def create_flow(
    session: Session,
    actor: Actor,
    *,
    source: str,
    key: str | None = None,
    settings: Mapping[str, Any] | None = None,
    pack: str | None = None,
    note: str | None = None,
) -> FlowView:
    """Create a flow from ``source`` and publish its version 1 (designers and admins).

    Raises SourceError (422) with every diagnostic, Conflict (409) when the key is taken or
    the form already has a flow.
    """
    require_designer(actor)
    if key is not None and not FLOW_KEY.match(key):
        raise InvalidInput(
            _(
                "The flow key {value!r} is not a name: use letters, digits and _, optionally "
                "with a pack prefix (oa.leave_request).",
                value=key,
            )
        )
    spec, warnings = _compile(session, source, key, settings)
    if session.scalar(select(FlowDefinition.id).where(FlowDefinition.key == spec.key)):
        raise Conflict(
            _(
                "A flow with the key {key} already exists; publish a new version of it with "
                "PUT /api/flows/{key}.",
                key=spec.key,
            )
        )
    bound = session.scalar(select(FlowDefinition.key).where(FlowDefinition.form_key == spec.form))
    if bound is not None:
        raise Conflict(
            _(
                "The form {form} already has the flow {flow}; a form starts one flow. Change "
                "that flow instead.",
                form=spec.form,
                flow=bound,
            )
        )
    now = environment().now()
    flow = FlowDefinition(
        key=spec.key,
        form_key=spec.form,
        title=spec.title,
        pack=pack,
        current_version=1,
        created_by=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(flow)
    session.flush()
    version = _add_version(session, actor, flow, 1, source, spec, settings, note)
    return FlowView(flow, version, spec, warnings)


def publish_version(
    session: Session,
    actor: Actor,
    key: str,
    *,
    source: str,
    settings: Mapping[str, Any] | None = None,
    note: str | None = None,
) -> FlowView:
    """Publish a new version of the flow ``key`` (running instances keep theirs).

    ``settings`` default to those of the current version. The new version must define the
    flow ``key`` on the same form (Conflict otherwise: records of one form cannot move to
    another).
    """
    require_designer(actor)
    current = get_flow(session, key)
    if settings is None:
        settings = current.version.settings or {}
    spec, warnings = _compile(session, source, key, settings)
    if spec.form != current.flow.form_key:
        raise Conflict(
            _(
                "The flow {key} is bound to the form {form}; a new version cannot move it to "
                "{other}. Create a new flow for that form instead.",
                key=key,
                form=current.flow.form_key,
                other=spec.form,
            )
        )
    number = current.flow.current_version + 1
    version = _add_version(session, actor, current.flow, number, source, spec, settings, note)
    return FlowView(current.flow, version, spec, warnings)


# -- reading ----------------------------------------------------------------------------------


def get_flow(session: Session, key: str, version: int | None = None) -> FlowView:
    """The flow ``key`` at ``version`` (default: current); any signed-in user may read it."""
    flow = session.scalar(select(FlowDefinition).where(FlowDefinition.key == key))
    if flow is None:
        raise NotFound(_("Flow {key} not found.", key=key))
    wanted = version or flow.current_version
    row = session.scalar(
        select(FlowVersion).where(FlowVersion.flow_id == flow.id, FlowVersion.version == wanted)
    )
    if row is None:
        raise NotFound(_("Flow {key} has no version {version}.", key=key, version=wanted))
    return FlowView(flow, row, spec_of(session, row.id))


def list_flows(session: Session) -> list[FlowDefinition]:
    return list(session.scalars(select(FlowDefinition).order_by(FlowDefinition.key)))


def version_counts(session: Session, flow: FlowDefinition) -> list[VersionInfo]:
    """Every version of ``flow`` with its running and total instance counts, oldest first."""
    counts: dict[int, tuple[int, int]] = {}
    rows = session.execute(
        select(FlowInstance.flow_version_id, FlowInstance.status, func.count(FlowInstance.id))
        .where(FlowInstance.flow_id == flow.id)
        .group_by(FlowInstance.flow_version_id, FlowInstance.status)
    )
    for version_id, status, count in rows:
        running, total = counts.get(version_id, (0, 0))
        live = count if status in LIVE_STATUSES else 0
        counts[version_id] = (running + live, total + count)
    versions = session.scalars(
        select(FlowVersion).where(FlowVersion.flow_id == flow.id).order_by(FlowVersion.version)
    )
    return [
        VersionInfo(
            version=v.version,
            created_at=v.created_at,
            created_by=v.created_by,
            note=v.note,
            running=counts.get(v.id, (0, 0))[0],
            total=counts.get(v.id, (0, 0))[1],
        )
        for v in versions
    ]


# -- dry runs ---------------------------------------------------------------------------------


def _user_id(session: Session, value: Any, what: str) -> int:
    org = load_org_chart(session)
    if isinstance(value, int) and not isinstance(value, bool) and org.user(value) is not None:
        return value
    if isinstance(value, str):
        found = org.user_by_name(value.strip().lower())
        if found is not None:
            return found.id
    raise InvalidInput(
        _(
            "{what}: there is no user {value!r}; give a username or a user id.",
            what=what,
            value=value,
        )
    )


def simulate_flow(
    session: Session,
    actor: Actor,
    key: str,
    *,
    data: Mapping[str, Any],
    initiator: Any,
    chosen: Mapping[str, list[Any]] | None = None,
    decisions: Mapping[str, str] | None = None,
    version: int | None = None,
) -> SimulationResult:
    """Which path a request with ``data`` from ``initiator`` would take, who would be asked
    at each step and why — computed by the real engine, writing nothing.

    ``initiator`` and the people in ``chosen`` are usernames or user ids; ``decisions`` maps
    step names to ``approve`` (default) or ``reject``.
    """
    view = get_flow(session, key, version)
    form = form_service.compiled(session, form_service.get_form(session, view.spec.form))
    env = environment()
    now = env.now()
    context = eval_context(session, None, now=now, timezone=env.zone)
    clean, issues = form.prepare(dict(data), draft=True, context=context)
    if issues:
        raise ValidationFailed(issues)
    for step, decision in (decisions or {}).items():
        if decision not in ("approve", "reject"):
            raise InvalidInput(
                _(
                    "The decision for step {step} must be approve or reject, not {value!r}.",
                    step=step,
                    value=decision,
                )
            )
    people = {
        step: tuple(_user_id(session, user, step) for user in users)
        for step, users in (chosen or {}).items()
    }
    return simulate(
        view.spec,
        clean,
        _user_id(session, initiator, "initiator"),
        load_org_chart(session),
        chosen=people,
        decisions=dict(decisions or {}),
        expressions=FormExpressions(form.scope, context),
        now=now,
        calendar=load_calendar(session),
    )


# Installing packs publishes their flows; the installer lives in its own module and registers
# itself with the pack service here, once the flow services exist.
from formflow.services import pack_flows as _pack_flows  # noqa: E402, F401
