"""The formflow command: init, users, tokens and form files, as scripts use them."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from formflow.cli import cli
from formflow.storage.db import Database


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
