"""``formflow pack ...`` and ``formflow check``: packs for consultants, from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from formflow.commands.base import Context, pass_context, reports_errors
from formflow.errors import Severity
from formflow.packs.canonical import canonical_json, loads
from formflow.packs.library import available_packs, find_pack, pack_folders
from formflow.packs.lint import has_errors, lint_pack
from formflow.packs.source import PackSource


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
