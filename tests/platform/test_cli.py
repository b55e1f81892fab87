"""The formflow command: init, users, tokens and form files, as scripts use them."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import delete, text

from formflow.cli import cli
from formflow.services import forms as form_service
from formflow.services.actor import SYSTEM
from formflow.services.record_lists import list_records
from formflow.services.records import create_record
from formflow.storage.db import Database
from formflow.storage.json_fields import FieldKind, ensure_field_index
from formflow.storage.models import FormIndexSlot


def _run(database: Database, *args: str, stdin: str | None = None) -> tuple[int, str]:
    url = database.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(cli, ["--database", url, *args], input=stdin)
    return result.exit_code, result.output


def test_init_is_idempotent_and_users_are_created_from_scripts(database: Database) -> None:
    code, output = _run(database, "init", "--password-stdin", stdin="a long password\n")
    assert code == 0, output
    assert "administrator: admin" in output
    code, output = _run(database, "init")
    assert code == 0 and "already exists" in output
    code, output = _run(
        database,
        "users",
        "create",
        "li.na",
        "--role",
        "designer",
        "--password-stdin",
        stdin="another password\n",
    )
    assert code == 0, output
    code, output = _run(database, "users", "list")
    assert "li.na\tdesigner\tactive" in output


def test_token_create_prints_only_the_token(database: Database) -> None:
    _run(database, "init", "--password-stdin", stdin="a long password\n")
    code, output = _run(database, "token", "create", "admin")
    assert code == 0
    assert output.startswith("ff_") and output.count("\n") == 1


def test_errors_are_reported_without_a_traceback(database: Database) -> None:
    code, output = _run(database, "token", "create", "nobody")
    assert code == 1
    assert "error: User nobody not found." in output
    assert "Traceback" not in output


def test_forms_export_then_import_round_trips(database: Database, tmp_path: Path) -> None:
    _run(database, "init", "--password-stdin", stdin="a long password\n")
    definition = {
        "key": "visit",
        "title": {"en": "Visit", "zh-CN": "拜访"},
        "schema": {"type": "object", "properties": {"place": {"type": "string"}}},
    }
    source = tmp_path / "visit.json"
    source.write_text(json.dumps(definition), "utf-8")
    code, output = _run(database, "forms", "import", str(source))
    assert (code, output.strip()) == (0, "created visit version 1")
    exported = tmp_path / "out.json"
    code, output = _run(database, "forms", "export", "visit", str(exported))
    assert code == 0, output
    data = json.loads(exported.read_text("utf-8"))
    assert data["schema"] == definition["schema"]
    assert data["grants"] == {"everyone": ["create", "read_own"]}
    data["schema"]["properties"]["note"] = {"type": "string"}
    exported.write_text(json.dumps(data), "utf-8")
    code, output = _run(database, "forms", "import", str(exported), "--note", "add a note")
    assert (code, output.strip()) == (0, "published visit version 2")
    bad = tmp_path / "bad.json"
    bad.write_text('{"key": "x", "schema": {}}', "utf-8")
    code, output = _run(database, "forms", "import", str(bad))
    assert code == 1 and "must hold a form" in output


def test_db_upgrade_moves_the_indexed_fields_of_older_forms_into_value_slots(
    database: Database,
) -> None:
    schema = {"type": "object", "properties": {"amount": {"type": "number", "x-index": True}}}
    with database.session(write=True) as session:
        form_service.create_form(session, SYSTEM, key="older", title="Older", schema=schema)
        for amount in (1, 50, 99):
            create_record(session, SYSTEM, "older", {"amount": amount})
    # As a form published before its database had value slots: no slot, an expression index.
    with database.session(write=True) as session:
        form = form_service.get_form(session, "older")
        session.execute(delete(FormIndexSlot))
        form.version.index_slots = None
        session.execute(text(f"DROP INDEX ixs_{form.form.id}_ixn_1"))
        session.execute(text("UPDATE records SET ixn_1 = NULL"))
        ensure_field_index(session, form.form.id, "amount", FieldKind.NUMBER)

    code, output = _run(database, "db", "upgrade")
    assert code == 0, output
    assert "value slots: older" in output
    with database.session() as session:
        assert form_service.get_form(session, "older").version.index_slots == {"amount": "ixn_1"}
        page = list_records(session, SYSTEM, "older", filter_text="amount > 10", sort="amount")
        assert [record.data["amount"] for record in page.items] == [50, 99]
        filled = session.execute(text("SELECT ixn_1 FROM records ORDER BY id")).scalars()
        assert [int(value) for value in filled] == [1, 50, 99]
    code, output = _run(database, "db", "upgrade")
    assert code == 0 and "value slots" not in output, output
