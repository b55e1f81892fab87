"""``formflow pack ...`` and ``formflow check``: packs for consultants, from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from formflow.commands.base import Context, pass_context, reports_errors
from formflow.errors import Severity
from formflow.i18n import pick
from formflow.packs.canonical import canonical_json, loads
from formflow.packs.library import available_packs, find_pack, pack_folders
from formflow.packs.lint import has_errors, lint_pack
from formflow.packs.source import PackSource
from formflow.services import packs as packs_service
from formflow.services.actor import SYSTEM
from formflow.storage import migrate


def register(cli: click.Group) -> None:
    cli.add_command(pack_group)
    cli.add_command(check)


def _lint_and_print(source: PackSource, locale: str) -> bool:
    """Print every problem of one pack; True when it has no errors."""
    others = available_packs()
    others.update(available_packs(source.root.parent))
    problems = lint_pack(source, others)
    for problem in problems:
        click.echo(f"{source.root.name}/{problem.as_text(locale)}")
    errors = sum(1 for p in problems if p.severity == Severity.ERROR)
    warnings = len(problems) - errors
    click.echo(f"{source.name}: {errors} error(s), {warnings} warning(s)")
    return not has_errors(problems)


@click.group("pack")
def pack_group() -> None:
    """Template packs: list, lint, install, uninstall, format."""


@pack_group.command("list")
@pass_context
@reports_errors
def pack_list(ctx: Context) -> None:
    """Packs in the library and installed here, with versions and status."""
    with ctx.unit_of_work(write=False) as session:
        for item in packs_service.list_packs(session):
            title = pick(item.title, ctx.locale)
            click.echo(
                f"{item.name:<10} {item.status:<10} library {item.version or '-':<8} "
                f"installed {item.installed_version or '-':<8} {item.stage:<8} {title}"
            )


@pack_group.command("info")
@click.argument("pack")
@pass_context
@reports_errors
def pack_info(ctx: Context, pack: str) -> None:
    """A pack's manifest, forms and flows."""
    source = find_pack(pack)
    manifest = source.manifest
    if manifest is None:
        click.echo(f"{pack}: the manifest is invalid; run `formflow pack lint {pack}`")
        sys.exit(1)
    click.echo(f"{manifest.name} {manifest.version} — {pick(manifest.title, ctx.locale)}")
    click.echo(f"  {pick(manifest.description, ctx.locale)}")
    click.echo(f"  stage: {manifest.stage.value}")
    for pain in manifest.pains:
        click.echo(f"  solves: {pick(pain, ctx.locale)}")
    for name, spec in manifest.depends.items():
        click.echo(f"  depends on: {name} {spec}")
    for _file, form in source.form_values():
        click.echo(f"  form {form.get('key')}: {pick(form.get('title'), ctx.locale)}")
    for flow in source.flows:
        click.echo(f"  flows: {flow.name}" + (" (with simulation cases)" if flow.cases else ""))


@pack_group.command("install")
@click.argument("pack")
@click.option(
    "--setting",
    "settings",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a pack setting (repeatable).",
)
@pass_context
@reports_errors
def pack_install(ctx: Context, pack: str, settings: tuple[str, ...]) -> None:
    """Install a pack (library name or folder) in one transaction: all or nothing."""
    source = find_pack(pack)
    values = dict(_parse_setting(item) for item in settings)
    migrate.upgrade(ctx.database)
    with ctx.unit_of_work() as session:
        installed = packs_service.install_pack(session, SYSTEM, source, settings=values)
    if installed:
        click.echo("installed: " + ", ".join(installed))
    else:
        click.echo(f"{source.name} is already installed at this version; nothing to do")


@pack_group.command("uninstall")
@click.argument("name")
@click.option("--purge", is_flag=True, help="Delete the pack's records too (asks to confirm).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_context
@reports_errors
def pack_uninstall(ctx: Context, name: str, purge: bool, yes: bool) -> None:
    """Archive an installed pack (data kept); --purge deletes its records."""
    with ctx.unit_of_work(write=False) as session:
        impact = packs_service.impact(session, name)
    click.echo(f"{name}: {impact.total} record(s) in {len(impact.records)} form(s)")
    for key, count in impact.records.items():
        click.echo(f"  {key}: {count}")
    if purge and not yes:
        click.confirm(f"Delete these {impact.total} record(s) for good?", abort=True)
    with ctx.unit_of_work() as session:
        packs_service.uninstall_pack(session, SYSTEM, name, purge=purge)
    click.echo(f"{name}: {'purged' if purge else 'archived (data kept)'}")


def _parse_setting(item: str) -> tuple[str, object]:
    key, sep, raw = item.partition("=")
    if not sep or not key:
        raise click.BadParameter(f"{item!r}: use NAME=VALUE")
    try:
        return key, loads(raw)
    except ValueError:
        return key, raw


@pack_group.command("lint")
@click.argument("packs", nargs=-1, required=True)
@pass_context
@reports_errors
def pack_lint(ctx: Context, packs: tuple[str, ...]) -> None:
    """Check packs (library names or folders); exit 1 if any has an error."""
    ok = True
    for name in packs:
        ok = _lint_and_print(find_pack(name), ctx.locale) and ok
    if not ok:
        sys.exit(1)


@pack_group.command("fmt")
@click.argument("packs", nargs=-1, required=True)
@click.option("--check", "check_only", is_flag=True, help="Only report files that would change.")
@reports_errors
def pack_fmt(packs: tuple[str, ...], check_only: bool) -> None:
    """Rewrite a pack's JSON files in canonical form (sorted keys, 2-space indent)."""
    changed = 0
    for name in packs:
        source = find_pack(name)
        for path in sorted(source.root.rglob("*.json")):
            text = path.read_text("utf-8")
            try:
                canonical = canonical_json(loads(text))
            except ValueError:
                click.echo(f"{path}: not valid JSON, left as it is", err=True)
                continue
            if canonical != text:
                changed += 1
                click.echo(f"{'would rewrite' if check_only else 'rewrote'} {path}")
                if not check_only:
                    path.write_text(canonical, "utf-8")
    if check_only and changed:
        sys.exit(1)


@click.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@pass_context
@reports_errors
def check(ctx: Context, folder: Path) -> None:
    """Check every definition in FOLDER (a pack, or a folder of packs) — for CI."""
    folders = [folder] if (folder / "pack.json").is_file() else pack_folders(folder)
    if not folders:
        click.echo(f"{folder}: no packs found (a pack is a folder with a pack.json)")
        return
    ok = True
    for path in folders:
        ok = _lint_and_print(find_pack(str(path)), ctx.locale) and ok
    if not ok:
        sys.exit(1)
