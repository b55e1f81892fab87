"""Installation and administration: init, db upgrade, users, tokens."""

from __future__ import annotations

import secrets

import click

from formflow.commands.base import Context, pass_context, read_secret_from_stdin, reports_errors
from formflow.services import auth, org
from formflow.services import forms as form_service
from formflow.services.actor import SYSTEM
from formflow.storage import migrate


def register(cli: click.Group) -> None:
    cli.add_command(init)
    cli.add_command(db_group)
    cli.add_command(users_group)
    cli.add_command(token_group)


@click.command()
@click.option("--admin", "admin_name", default="admin", show_default=True, help="First admin.")
@click.option("--password-stdin", is_flag=True, help="Read the admin password from stdin.")
@pass_context
@reports_errors
def init(ctx: Context, admin_name: str, password_stdin: bool) -> None:
    """Create or upgrade the database and make sure a first administrator exists."""
    migrate.upgrade(ctx.database)
    password = read_secret_from_stdin("password") if password_stdin else None
    with ctx.unit_of_work() as session:
        if org.user_exists(session, admin_name):
            click.echo(
                f"database ready at {ctx.settings.effective_database_url}; "
                f"user {admin_name} already exists"
            )
            return
        generated = password is None
        password = password or secrets.token_urlsafe(12)
        org.create_user(
            session,
            SYSTEM,
            username=admin_name,
            display_name="Administrator",
            password=password,
            platform_role="admin",
        )
    click.echo(f"database ready at {ctx.settings.effective_database_url}")
    click.echo(f"administrator: {admin_name}")
    if generated:
        click.echo(f"password: {password}")


@click.group("db")
def db_group() -> None:
    """Database schema management."""


@db_group.command("upgrade")
@pass_context
@reports_errors
def db_upgrade(ctx: Context) -> None:
    """Apply the platform's migrations and bring every form's indexes up to date (safe to run
    again)."""
    migrate.upgrade(ctx.database)
    click.echo(f"database at revision {migrate.current_revision(ctx.database)}")
    with ctx.unit_of_work() as session:
        moved = form_service.refresh_indexes(session, SYSTEM)
    if moved:
        click.echo(f"indexed fields moved into value slots: {', '.join(moved)}")


@click.group("users")
def users_group() -> None:
    """Create and list users, set passwords."""


@users_group.command("create")
@click.argument("username")
@click.option("--name", "display_name", help="Display name (default: the username).")
@click.option("--email")
@click.option(
    "--role",
    "platform_role",
    type=click.Choice(["admin", "designer", "user"]),
    default="user",
    show_default=True,
)
@click.option("--locale", type=click.Choice(["zh-CN", "en"]), default="zh-CN", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
@pass_context
@reports_errors
def users_create(
    ctx: Context,
    username: str,
    display_name: str | None,
    email: str | None,
    platform_role: str,
    locale: str,
    password_stdin: bool,
) -> None:
    """Create a user (non-interactive: pipe the password with --password-stdin)."""
    password = read_secret_from_stdin("password") if password_stdin else None
    with ctx.unit_of_work() as session:
        user = org.create_user(
            session,
            SYSTEM,
            username=username,
            display_name=display_name,
            password=password,
            email=email,
            platform_role=platform_role,
            locale=locale,
        )
        click.echo(f"created user {user.username} (id {user.id}, {user.platform_role})")


@users_group.command("list")
@pass_context
@reports_errors
def users_list(ctx: Context) -> None:
    """List users: id, username, role, active, display name."""
    with ctx.unit_of_work(write=False) as session:
        users, _total = org.list_users(session, SYSTEM, include_inactive=True, limit=100_000)
        for user in users:
            state = "active" if user.active else "inactive"
            click.echo(
                f"{user.id}\t{user.username}\t{user.platform_role}\t{state}\t{user.display_name}"
            )


@users_group.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the new password from stdin.")
@pass_context
@reports_errors
def users_set_password(ctx: Context, username: str, password_stdin: bool) -> None:
    """Set a user's password; ends their sessions and tokens."""
    password = (
        read_secret_from_stdin("password")
        if password_stdin
        else click.prompt("New password", hide_input=True, confirmation_prompt=True)
    )
    with ctx.unit_of_work() as session:
        user = org.find_user(session, username)
        org.set_password(session, SYSTEM, user.id, password)
    click.echo(f"password of {username} changed")


@click.group("token")
def token_group() -> None:
    """API tokens."""


@token_group.command("create")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="A note to recognise the token.")
@click.option("--days", type=int, default=None, help="Lifetime in days (default: setting).")
@pass_context
@reports_errors
def token_create(ctx: Context, username: str, name: str, days: int | None) -> None:
    """Create an API token for USERNAME and print only the token."""
    with ctx.unit_of_work() as session:
        user = org.find_user(session, username)
        token = auth.create_token(
            session, SYSTEM, user, name=name, days=days or ctx.settings.token_days
        )
    click.echo(token)
