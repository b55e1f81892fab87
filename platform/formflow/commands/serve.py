"""Running the product: ``serve`` (waitress, a production WSGI server) and ``demo``."""

from __future__ import annotations

import secrets
from pathlib import Path

import click

from formflow.commands.base import Context, pass_context, reports_errors
from formflow.commands.worker import start_in_thread
from formflow.services import demo
from formflow.storage import migrate

DEMO_DATABASE = "demo.db"
DEMO_PASSWORD_FILE = "demo-password"  # noqa: S105 - a file name, not a password


def register(cli: click.Group) -> None:
    cli.add_command(serve)
    cli.add_command(demo_command)


def _demo_password(instance_dir: Path, requested: str | None) -> str:
    """The demo password: as requested, else the one chosen when the demo was first made."""
    path = instance_dir / DEMO_PASSWORD_FILE
    if requested:
        return requested
    if path.is_file():
        return path.read_text("utf-8").strip()
    password = secrets.token_urlsafe(9)
    path.write_text(password, "utf-8")
    path.chmod(0o600)
    return password


def load_demo(ctx: Context, password: str) -> list[demo.DemoUser]:
    """Migrate, then load the demo company with its packs and records (one transaction)."""
    migrate.upgrade(ctx.database)
    with ctx.unit_of_work() as session:
        users, reports = demo.load_demo(
            session,
            password,
            uploads=ctx.settings.uploads_dir,
            zone=ctx.settings.default_timezone,
        )
    for pack, report in reports.items():
        if report.skipped:
            click.echo(f"pack {pack}: installed, demo records already loaded")
        else:
            click.echo(
                f"pack {pack}: installed, {report.records} demo records with "
                f"{report.actions} approval actions"
            )
    return users


def _print_users(users: list[demo.DemoUser], password: str) -> None:
    click.echo("Demo users (all with the password shown):")
    for user in users:
        roles = ", ".join(user.roles) or "-"
        click.echo(
            f"  {user.username:<10} {user.display_name}  {user.department}  roles: {roles}"
            + ("  (administrator)" if user.platform_role == "admin" else "")
        )
    click.echo(f"Password: {password}")


@click.command("demo")
@click.option("--password", help="Password for every demo user (default: generated once).")
@pass_context
@reports_errors
def demo_command(ctx: Context, password: str | None) -> None:
    """Load the demo company into the current database (safe to run twice)."""
    password = _demo_password(ctx.settings.instance_dir, password)
    users = load_demo(ctx, password)
    _print_users(users, password)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int, help="Worker threads.")
@click.option("--demo", "with_demo", is_flag=True, help="Serve a ready demo on embedded SQLite.")
@click.option("--password", help="With --demo: the demo users' password.")
@pass_context
@reports_errors
def serve(
    ctx: Context, host: str, port: int, threads: int, with_demo: bool, password: str | None
) -> None:
    """Serve Formflow with waitress (a production WSGI server)."""
    import waitress  # noqa: PLC0415 - only this command needs it

    from formflow.web.app import create_app  # noqa: PLC0415

    if with_demo:
        instance = ctx.settings.instance_dir
        ctx.override(database_url=f"sqlite:///{instance / DEMO_DATABASE}")
        password = _demo_password(instance, password)
        _print_users(load_demo(ctx, password), password)
    elif not migrate.is_up_to_date(ctx.database):
        raise click.ClickException(
            "the database schema is not up to date: run `formflow init` or `formflow db upgrade`"
        )
    app = create_app(ctx.settings, database=ctx.database)
    if with_demo or ctx.settings.worker_in_process:
        start_in_thread(ctx)  # timers and notifications without a separate process
        click.echo("A worker runs in this process (timers, automations, e-mail, webhooks).")
    shown = "localhost" if host in {"127.0.0.1", "0.0.0.0"} else host  # noqa: S104
    click.echo(
        f"Formflow {ctx.settings.effective_database_url.split(':')[0]} — "
        f"open http://{shown}:{port}/"
    )
    waitress.serve(app, host=host, port=port, threads=threads, ident="formflow")
