"""The flow half of installing a pack: its flows and automations, published with its settings.

Registered with :mod:`formflow.services.packs` (which must not import the flow services, as
they sit above it). Each flow of the pack's flow files is created, or — when its source or the
pack's settings changed — published as a new version; automations are (re)published per file.
Uninstalling switches them off; purging deletes them with their instances.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from formflow.dsl import compile_file
from formflow.packs.source import PackSource
from formflow.services import automations, flows
from formflow.services.actor import Actor
from formflow.services.flow_context import checker_forms
from formflow.services.org import load_org_chart
from formflow.services.packs import register_flow_installer
from formflow.storage.models import AutomationDefinition, FlowDefinition, FlowInstance


def install_pack_flows(
    session: Session, actor: Actor, source: PackSource, settings: Mapping[str, Any]
) -> list[str]:
    """Publish every flow and automation of ``source``; returns the flow keys."""
    keys: list[str] = []
    for flow_file in source.flows:
        compiled = compile_file(
            flow_file.text,
            forms=checker_forms(session),
            org=load_org_chart(session),
            settings=settings,
        )
        for key in compiled.flows:
            row = session.scalar(select(FlowDefinition).where(FlowDefinition.key == key))
            if row is None:
                flows.create_flow(
                    session,
                    actor,
                    source=flow_file.text,
                    key=key,
                    settings=settings,
                    pack=source.name,
                    note=f"pack {source.name}",
                )
            else:
                row.active = True
                current = flows.get_flow(session, key)
                if current.version.source != flow_file.text or (
                    current.version.settings or {}
                ) != dict(settings):
                    flows.publish_version(
                        session,
                        actor,
                        key,
                        source=flow_file.text,
                        settings=settings,
                        note=f"pack {source.name}",
                    )
            keys.append(key)
        if compiled.automations:
            automations.publish_automations(
                session, actor, source=flow_file.text, settings=settings, pack=source.name
            )
    return keys


def remove_pack_flows(session: Session, actor: Actor, name: str, purge: bool) -> None:
    """Switch off (or, with ``purge``, delete) the flows and automations of pack ``name``."""
    pack_flows = list(session.scalars(select(FlowDefinition).where(FlowDefinition.pack == name)))
    pack_automations = list(
        session.scalars(select(AutomationDefinition).where(AutomationDefinition.pack == name))
    )
    if not purge:
        for flow in pack_flows:
            flow.active = False
        for automation in pack_automations:
            automation.active = False
        session.flush()
        return
    flow_ids = [flow.id for flow in pack_flows]
    if flow_ids:
        session.execute(delete(FlowInstance).where(FlowInstance.flow_id.in_(flow_ids)))
    for flow in pack_flows:
        session.delete(flow)
    for automation in pack_automations:
        session.delete(automation)
    session.flush()


def reconfigure_pack_flows(
    session: Session, actor: Actor, name: str, settings: Mapping[str, Any]
) -> None:
    """Publish a new version of every flow (and the automations) of pack ``name`` with
    ``settings``, from the sources they run now."""
    for flow in session.scalars(select(FlowDefinition).where(FlowDefinition.pack == name)):
        current = flows.get_flow(session, flow.key)
        if (current.version.settings or {}) != dict(settings):
            flows.publish_version(
                session,
                actor,
                flow.key,
                source=current.version.source,
                settings=settings,
                note=f"pack {name}: settings changed",
            )
    sources = {
        row.source
        for row in session.scalars(
            select(AutomationDefinition).where(AutomationDefinition.pack == name)
        )
    }
    for source in sorted(sources):
        automations.publish_automations(session, actor, source=source, settings=settings, pack=name)


register_flow_installer(install_pack_flows, remove_pack_flows, reconfigure_pack_flows)
