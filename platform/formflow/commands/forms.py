"""``formflow forms export|import``: form definitions as files, for git and for moving forms
between installations. The file format is a pack's form file (docs/packs.md):
``{"key", "title", "schema", "ui", "grants"}``, canonical JSON."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from formflow.commands.base import Context, pass_context, reports_errors
from formflow.errors import InvalidInput
from formflow.i18n import _
from formflow.packs.canonical import canonical_json, loads
from formflow.services import forms
from formflow.services.actor import SYSTEM

FORM_FILE_KEYS = frozenset({"key", "title", "schema", "ui", "grants"})


def register(cli: click.Group) -> None:
    cli.add_command(forms_group)


@click.group("forms")
def forms_group() -> None:
    """Export and import form definitions as JSON files."""


@forms_group.command("export")
@click.argument("key")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@pass_context
@reports_errors
def forms_export(ctx: Context, key: str, file: Path | None) -> None:
    """Write the current version of form KEY to FILE (default: standard output)."""
    with ctx.unit_of_work(write=False) as session:
        view = forms.get_form(session, key)
        document = {
            "grants": forms.grants_of(session, view.form),
            "key": view.key,
            "schema": view.version.schema,
            "title": view.version.title,
            "ui": view.version.ui or {},
        }
    text = canonical_json(document)
    if file is None:
        sys.stdout.write(text)
    else:
        file.write_text(text, "utf-8")
        click.echo(f"wrote {key} version {view.version.version} to {file}")


@forms_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--note", help="A note for the new version (when the form exists).")
@pass_context
@reports_errors
def forms_import(ctx: Context, file: Path, note: str | None) -> None:
    """Create the form in FILE, or publish it as a new version of the existing form."""
    try:
        document = loads(file.read_text("utf-8"))
    except ValueError as exc:
        raise InvalidInput(
            _("{file} is not valid JSON: {error}", file=str(file), error=str(exc))
        ) from None
    if not isinstance(document, dict) or not {"key", "title", "schema"} <= set(document):
        raise InvalidInput(
            _(
                '{file} must hold a form: {{"key", "title", "schema", "ui", "grants"}}.',
                file=str(file),
            )
        )
    unknown = set(document) - FORM_FILE_KEYS
    if unknown:
        raise InvalidInput(
            _("Unknown keys in {file}: {names}.", file=str(file), names=", ".join(sorted(unknown)))
        )
    with ctx.unit_of_work() as session:
        exists = forms.form_exists(session, document["key"])
        if not exists:
            view = forms.create_form(
                session,
                SYSTEM,
                key=document["key"],
                title=document["title"],
                schema=document["schema"],
                ui=document.get("ui"),
                grants=document.get("grants"),
            )
        else:
            view = forms.publish_version(
                session,
                SYSTEM,
                document["key"],
                schema=document["schema"],
                ui=document.get("ui"),
                title=document["title"],
                note=note,
            )
            if document.get("grants") is not None:
                forms.set_grants(session, SYSTEM, document["key"], document["grants"])
    action = "published" if exists else "created"
    click.echo(f"{action} {view.key} version {view.version.version}")
