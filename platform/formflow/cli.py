"""The ``formflow`` command: the group and its global options; subcommands live in
``formflow.commands`` (one module per area)."""

from __future__ import annotations

import click

from formflow import __version__
from formflow.commands import admin, bench, forms, packs, serve, worker
from formflow.commands.base import Context


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="formflow")
@click.option(
    "--database",
    "database_url",
    envvar="FORMFLOW_DATABASE_URL",
    help="Database URL (default: SQLite in the instance folder).",
)
@click.option(
    "--instance",
    envvar="FORMFLOW_INSTANCE_DIR",
    help="Instance folder: database, uploads, secret key (default: ./instance).",
)
@click.pass_context
def cli(ctx: click.Context, database_url: str | None, instance: str | None) -> None:
    """Formflow: forms, approval flows and OA/CRM/HR/ERP packs on one runtime."""
    ctx.obj = Context(database_url, instance)
    ctx.call_on_close(ctx.obj.close)


for module in (admin, serve, bench, packs, worker, forms):
    module.register(cli)


def main() -> None:
    """Entry point of the ``formflow`` console script."""
    cli(prog_name="formflow")
