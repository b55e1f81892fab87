"""Pack lint: every problem reported with its file and position; shipped packs are clean."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from packkit import CASES, LEAVE_FORM, MANIFEST, MENUS, write_pack

from formflow.cli import cli
from formflow.packs import lint_pack, read_pack
from formflow.packs.library import pack_folders
from formflow.packs.lint import has_errors


def _problems(folder: Path) -> list[tuple[str, int, int, str]]:
    return [
        (p.file, p.line, p.column, p.code)
        for p in lint_pack(read_pack(folder))
        if p.severity == "error"
    ]


def test_a_good_pack_has_no_errors_only_org_warnings(tmp_path: Path) -> None:
    problems = lint_pack(read_pack(write_pack(tmp_path)))
    # 刘洋 (the general manager) has no manager: worth a warning, not an error.
    assert [(p.code, p.severity) for p in problems] == [("no_manager", "warning")]


def _untranslated_label() -> dict[str, Any]:
    form = copy.deepcopy(LEAVE_FORM)
    form["schema"]["properties"]["reason"]["x-label"] = "Reason"
    return {"form": form}


def _wrong_key() -> dict[str, Any]:
    form = copy.deepcopy(LEAVE_FORM)
    form["key"] = "other.leave"
    return {"form": form}


def _failing_case() -> dict[str, Any]:
    cases = copy.deepcopy(CASES)
    cases["cases"][0]["expect"]["path"] = ["manager", "hr"]
    return {"cases": cases}


def _menu_to_nowhere() -> dict[str, Any]:
    menus = copy.deepcopy(MENUS)
    menus["items"][0]["form"] = "tiny.nothing"
    return {"menus": menus}


def _bad_version() -> dict[str, Any]:
    manifest = copy.deepcopy(MANIFEST)
    manifest["version"] = "one"
    return {"manifest": manifest}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (_untranslated_label(), ("forms/leave.json", 14, 20, "untranslated")),
        (_wrong_key(), ("forms/leave.json", 2, 10, "form_key")),
        (
            {"flow": 'flow tiny.leave "请假" on tiny.leave {\n  step a { approve by }\n}\n'},
            ("flows/leave.flow", 2, 23, "unknown_approver"),
        ),
        (
            {
                "flow": 'flow tiny.leave "请假" on tiny.leave {\n  step a "A" { approve by '
                "role(hr) }\n  if dayz > 3 { end }\n}\n"
            },
            ("flows/leave.flow", 3, 6, "unknown_field"),
        ),
        (_failing_case(), ("flows/leave.cases.json", 3, 5, "case_failed")),
        (_menu_to_nowhere(), ("menus.json", 4, 15, "menus")),
        (_bad_version(), ("pack.json", 12, 14, "version")),
        ({"i18n": {"en": {}, "zh-CN": {}}}, ("flows/leave.flow", 1, 17, "untranslated")),
        ({"extra_files": {"forms/hook.py": "import os\n"}}, ("forms", 1, 1, "python")),
    ],
)
def test_each_problem_is_reported_at_its_file_and_position(
    tmp_path: Path, changes: dict[str, Any], expected: tuple[str, int, int, str]
) -> None:
    problems = _problems(write_pack(tmp_path, **changes))
    assert expected in problems, problems


def test_a_missing_dependency_is_an_error(tmp_path: Path) -> None:
    manifest = copy.deepcopy(MANIFEST)
    manifest["depends"] = {"hr": ">=1.0"}
    problems = _problems(write_pack(tmp_path, manifest=manifest))
    assert [p[3] for p in problems] == ["missing_dependency"]


def test_a_file_out_of_canonical_form_is_a_warning(tmp_path: Path) -> None:
    folder = write_pack(tmp_path)
    (folder / "roles.json").write_text('[{"key":"hr","name":{"zh-CN":"人事","en":"HR"}}]')
    problems = lint_pack(read_pack(folder))
    assert [(p.file, p.code, p.severity) for p in problems if p.code != "no_manager"] == [
        ("roles.json", "not_canonical", "warning")
    ]


def test_the_cli_exits_non_zero_on_errors_and_names_the_file(tmp_path: Path) -> None:
    runner = CliRunner()
    good = runner.invoke(cli, ["pack", "lint", str(write_pack(tmp_path / "a"))])
    assert good.exit_code == 0, good.output
    assert "tiny: 0 error(s)" in good.output
    bad = runner.invoke(cli, ["pack", "lint", str(write_pack(tmp_path / "b", **_wrong_key()))])
    assert bad.exit_code == 1
    assert "tiny/forms/leave.json:2:10: error:" in bad.output


def test_check_lints_every_pack_of_a_folder(tmp_path: Path) -> None:
    write_pack(tmp_path, folder="one")
    write_pack(tmp_path, folder="two", **_wrong_key())
    result = CliRunner().invoke(cli, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert "two/forms/leave.json:2:10: error:" in result.output
    assert "one/" in result.output and ": error:" not in result.output.split("two/")[0]


@pytest.mark.parametrize("folder", pack_folders(), ids=lambda p: p.name)
def test_every_shipped_pack_lints_without_errors(folder: Path) -> None:
    problems = lint_pack(read_pack(folder), {p.name: read_pack(p) for p in pack_folders()})
    assert not has_errors(problems), [p.as_text("en") for p in problems if p.severity == "error"]


def test_a_field_called_title_is_not_taken_for_an_untranslated_label(tmp_path: Path) -> None:
    form = copy.deepcopy(LEAVE_FORM)
    form["schema"]["properties"]["title"] = {
        "type": "string",
        "x-label": {"en": "Title", "zh-CN": "标题"},
    }
    form["ui"] = {"fields": {"title": {"help": {"en": "A short title", "zh-CN": "简短标题"}}}}
    assert _problems(write_pack(tmp_path, form=form)) == []


def _feed(**changes: Any) -> dict[str, Any]:
    menus = copy.deepcopy(MENUS)
    feed = {
        "form": "tiny.leave",
        "title": {"en": "Long leaves", "zh-CN": "长假"},
        "filter": "days > 3",
        "sort": "-days",
        "headline": "reason",
        "date": "days",
        "limit": 5,
        **changes,
    }
    menus["home"] = [feed]
    return {"menus": menus}


def test_a_home_feed_names_fields_and_a_filter_its_form_knows(tmp_path: Path) -> None:
    good = lint_pack(read_pack(write_pack(tmp_path / "good", **_feed())))
    assert [p for p in good if p.file == "menus.json"] == []
    bad = _feed(
        title="Long leaves",
        filter="dayz > 3",
        sort="-colour",
        headline="subject",
        limit=50,
    )
    problems = lint_pack(read_pack(write_pack(tmp_path / "bad", **bad)))
    messages = sorted(p.as_text("en") for p in problems if p.file == "menus.json")
    assert len(messages) == 5, messages
    joined = "\n".join(messages)
    for expected in ("for every language", "dayz", "colour", "no field subject", "1 to 20"):
        assert expected in joined, joined


def test_a_home_feed_of_an_unknown_form_is_an_error(tmp_path: Path) -> None:
    problems = _problems(write_pack(tmp_path, **_feed(form="tiny.nothing")))
    assert [p[3] for p in problems] == ["menus"]
