"""``formflow bench`` end to end: the JSON contract of DESIGN.md, never the timings."""

from __future__ import annotations

import importlib.util
import json
import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from formflow.cli import cli

PG_URL = os.environ.get("FORMFLOW_TEST_DATABASE_URL", "")
CORE_FIGURES = {
    "validate_valid",
    "validate_invalid",
    "record_create",
    "record_create_floor",
    "list_filtered_indexed",
    "list_filtered_json_scan",
}
#: Small and quick: the test checks the shape of the output, not the speed.
FLOW_FIGURES = ["flow_compile", "flow_approve_twice", "flow_approve_floor", "inbox_open_tasks"]
QUICK = ["--records", "2000", "--json", "--repeat", "1", "--min-time", "0.01"]


def _run(*args: str) -> Any:
    runner = CliRunner(env={"FORMFLOW_LANG": "en"})
    return runner.invoke(cli, ["bench", *args], catch_exceptions=False)


def _databases() -> list[str]:
    return ["sqlite", *(["postgresql"] if PG_URL else [])]


def _pg_schemas() -> set[str]:
    engine = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'formflow_bench_%'")
            )
            return {row[0] for row in rows}
    finally:
        engine.dispose()


@pytest.mark.parametrize("database", _databases())
def test_bench_core_prints_every_figure_beside_its_baseline_and_cleans_up(
    database: str, tmp_path: Path
) -> None:
    if database == "sqlite":
        target = tmp_path / f"bench-{uuid.uuid4().hex}.db"
        url = f"sqlite:///{target}"
    else:
        before = _pg_schemas()
        url = PG_URL
    result = _run("core", *QUICK, "--database", url)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    names = [item["name"] for item in report["results"]]
    assert set(names) == CORE_FIGURES
    assert len(names) == len(set(names))
    for item in report["results"]:
        assert {"name", "unit", "ours", "baseline", "ratio"} <= set(item)
        assert isinstance(item["unit"], str) and item["unit"].startswith("s/")
        assert item["ours"] > 0
        assert item["baseline"] > 0
        assert item["ratio"] == pytest.approx(item["ours"] / item["baseline"], rel=1e-9)
    lists = [item for item in report["results"] if item["name"].startswith("list_")]
    assert all(item["records"] == 2000 for item in lists)
    if database == "sqlite":
        assert not target.exists()
        assert not Path(f"{target}-wal").exists()
    else:
        assert _pg_schemas() == before


@pytest.mark.parametrize("database", _databases())
def test_bench_flow_prints_its_figures_once_the_flow_services_exist(
    database: str, tmp_path: Path
) -> None:
    """Until ``formflow.services.flows`` exists the suite says so; then it measures."""
    target = tmp_path / "flow.db"
    before = _pg_schemas() if database == "postgresql" else set()
    url = f"sqlite:///{target}" if database == "sqlite" else PG_URL
    result = _run("flow", *QUICK, "--database", url)
    if importlib.util.find_spec("formflow.services.flows") is None:
        assert result.exit_code == 1
        assert "not available yet" in result.stderr
        return
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [item["name"] for item in report["results"]] == FLOW_FIGURES
    for item in report["results"]:
        assert item["ours"] > 0
        assert item["baseline"] > 0
        assert item["ratio"] == pytest.approx(item["ours"] / item["baseline"], rel=1e-9)
    by_name = {item["name"]: item for item in report["results"]}
    assert by_name["flow_compile"]["steps"] == 500
    assert by_name["inbox_open_tasks"]["open_tasks"] == 2000
    assert by_name["inbox_open_tasks"]["limit_seconds"] == 0.02
    assert not target.exists()
    if database == "postgresql":
        assert _pg_schemas() == before


def test_a_suite_that_is_not_built_yet_says_so_and_exits_non_zero() -> None:
    result = _run("reports", "--json")
    assert result.exit_code == 1
    assert "not available yet" in result.stderr
    assert result.stdout == ""


def test_an_existing_sqlite_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    existing = tmp_path / "keep.db"
    existing.write_bytes(b"precious")
    result = _run("core", *QUICK, "--database", f"sqlite:///{existing}")
    assert result.exit_code == 1
    assert "already exists" in result.stderr
    assert existing.read_bytes() == b"precious"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("mysql://root@localhost/formflow", "SQLite or PostgreSQL"),
        ("sqlite://", "needs a SQLite file"),
        ("not a url", "not a database URL"),
    ],
)
def test_an_unsuitable_database_gets_a_message_saying_what_to_use(url: str, words: str) -> None:
    result = _run("core", *QUICK, "--database", url)
    assert result.exit_code == 1
    assert words in result.stderr


def test_an_unknown_suite_is_a_usage_error_listing_the_suites() -> None:
    result = _run("everything")
    assert result.exit_code == 2
    for name in ("core", "flow", "reports", "all"):
        assert name in result.stderr
