"""Version diffs, what breaks existing records, and migrations that repair them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from formkit import schema_of

from formflow.errors import InvalidInput
from formflow.forms import ChangeKind, Migration, apply_migration, compile_form, diff_versions

D = Decimal
LEAVE_TYPES = {"x-options": [{"value": "annual"}, {"value": "sick"}, {"value": "personal"}]}
V1: dict[str, Any] = {
    "employee": {"x-type": "user"},
    "leave_type": {"x-type": "select", **LEAVE_TYPES},
    "days": {"type": "number", "minimum": 0, "maximum": 30},
    "note": {"type": "string", "maxLength": 200, "x-label": "备注"},
    "items": {"x-type": "subtable", "items": {"properties": {"qty": {"type": "integer"}}}},
}


def kinds(old: dict[str, Any], new: dict[str, Any], **kwargs: Any) -> set[tuple[str, str, bool]]:
    diff = diff_versions(schema_of(old), schema_of(new), **kwargs)
    return {(change.kind.value, change.path, change.breaking) for change in diff.changes}


def test_identical_versions_have_no_changes() -> None:
    diff = diff_versions(schema_of(V1), compile_form(schema_of(V1)))
    assert diff.changes == ()
    assert not diff.is_breaking


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        ({**V1, "reason": {"type": "string"}}, ("field_added", "reason", False)),
        (
            {
                **V1,
                "items": {
                    "x-type": "subtable",
                    "items": {
                        "properties": {"qty": {"type": "integer"}, "sku": {"type": "string"}}
                    },
                },
            },
            ("field_added", "items.sku", False),
        ),
        ({k: v for k, v in V1.items() if k != "days"}, ("field_removed", "days", True)),
        ({**V1, "days": {"type": "string"}}, ("type_changed", "days", True)),
        (
            {**V1, "days": {"type": "number", "minimum": 1, "maximum": 30}},
            ("constraint_tightened", "days", True),
        ),
        (
            {**V1, "days": {"type": "number", "minimum": 0, "maximum": 20}},
            ("constraint_tightened", "days", True),
        ),
        (
            {**V1, "days": {"type": "number", "minimum": 0, "maximum": 60}},
            ("constraint_loosened", "days", False),
        ),
        (
            {
                **V1,
                "note": {
                    "type": "string",
                    "maxLength": 200,
                    "x-label": "备注",
                    "pattern": "^[a-z]*$",
                },
            },
            ("constraint_tightened", "note", True),
        ),
        (
            {**V1, "days": {"type": "integer", "minimum": 0, "maximum": 30}},
            ("type_changed", "days", True),
        ),
        (
            {**V1, "note": {"x-type": "textarea", "maxLength": 200, "x-label": "备注"}},
            ("type_changed", "note", False),
        ),
        (
            {
                **V1,
                "leave_type": {
                    "x-type": "select",
                    "x-options": [{"value": "annual"}, {"value": "sick"}],
                },
            },
            ("options_removed", "leave_type", True),
        ),
        (
            {
                **V1,
                "leave_type": {
                    "x-type": "select",
                    "x-options": [*LEAVE_TYPES["x-options"], {"value": "marriage"}],
                },
            },
            ("options_added", "leave_type", False),
        ),
        (
            {**V1, "note": {"type": "string", "maxLength": 200, "x-label": "说明"}},
            ("label_changed", "note", False),
        ),
        (
            {**V1, "days": {"type": "number", "minimum": 0, "maximum": 30, "x-formula": "1"}},
            ("formula_changed", "days", False),
        ),
        (
            {**V1, "days": {"type": "number", "minimum": 0, "maximum": 30, "x-index": True}},
            ("index_changed", "days", False),
        ),
    ],
)
def test_each_kind_of_change_is_listed_and_marked_breaking_or_not(
    new: dict[str, Any], expected: tuple[str, str, bool]
) -> None:
    assert expected in kinds(V1, new)


def test_a_field_that_becomes_required_is_breaking() -> None:
    diff = diff_versions(schema_of(V1), schema_of(V1, ["days"]))
    assert [(c.kind, c.path, c.breaking) for c in diff.changes] == [
        (ChangeKind.REQUIRED_ADDED, "days", True)
    ]


def test_a_new_required_field_is_breaking_and_a_new_rule_may_be() -> None:
    new = schema_of(
        {**V1, "reason": {"type": "string"}},
        ["reason"],
        root={"x-constraints": [{"key": "few_days", "check": "days <= 10"}]},
    )
    found = {(c.kind.value, c.path, c.breaking) for c in diff_versions(schema_of(V1), new).changes}
    assert ("field_added", "reason", True) in found
    assert ("rules_changed", "", True) in found


def test_a_removed_and_an_added_field_with_the_same_type_and_label_look_like_a_rename() -> None:
    new = {k: v for k, v in V1.items() if k != "note"}
    new["remark"] = V1["note"]
    guessed = {(kind, path, breaking) for kind, path, breaking in kinds(V1, new) if path}
    assert guessed == {("field_renamed", "note", True)}
    declared = {
        (kind, path, b) for kind, path, b in kinds(V1, new, renames={"note": "remark"}) if path
    }
    assert declared == {("field_renamed", "remark", False)}


def test_check_record_tells_which_records_the_new_version_would_refuse() -> None:
    new = schema_of(
        {
            **V1,
            "leave_type": {
                "x-type": "select",
                "x-options": [{"value": "annual"}, {"value": "sick"}],
            },
            "days": {"type": "number", "maximum": 20},
        },
        ["leave_type"],
    )
    diff = diff_versions(schema_of(V1), new)
    assert diff.is_breaking
    records: list[dict[str, Any]] = [
        {"leave_type": "annual", "days": 3},
        {"leave_type": "personal", "days": 3},
        {"days": 25},
    ]
    assert [sorted(issue.code for issue in diff.check_record(r)) for r in records] == [
        [],
        ["enum"],
        ["maximum", "required"],
    ]


def test_a_migration_repairs_the_records_a_breaking_change_would_refuse() -> None:
    new = schema_of(
        {
            "employee": {"x-type": "user"},
            "kind": {"x-type": "select", "x-options": [{"value": "annual"}, {"value": "sick"}]},
            "days": {"type": "number"},
            "items": {
                "x-type": "subtable",
                "items": {
                    "properties": {"quantity": {"type": "integer"}},
                    "required": ["quantity"],
                },
            },
            "reason": {"type": "string"},
        },
        ["kind", "reason"],
    )
    migration = Migration(
        renames={"leave_type": "kind", "items.qty": "items.quantity"},
        value_maps={"kind": {"personal": "annual"}},
        defaults={"reason": "（迁移前未填写）", "items.quantity": 1},
        drops=frozenset({"note"}),
    )
    diff = diff_versions(schema_of(V1), new, renames=migration.renames)
    old_record = {
        "employee": 3,
        "leave_type": "personal",
        "days": D("1.5"),
        "note": "x",
        "items": [{"qty": 2}, {}],
    }
    assert diff.check_record(old_record) != []
    data, issues = diff.migrate_record(old_record, migration)
    assert issues == []
    assert data == {
        "employee": 3,
        "kind": "annual",
        "days": D("1.5"),
        "items": [{"quantity": 2}, {"quantity": 1}],
        "reason": "（迁移前未填写）",
    }
    assert old_record["leave_type"] == "personal"


def test_apply_migration_maps_each_value_of_a_multiselect_without_duplicates() -> None:
    migration = Migration(value_maps={"tags": {"vip": "key", "gold": "key"}})
    assert apply_migration({"tags": ["vip", "gold", "new"]}, migration) == {"tags": ["key", "new"]}


def test_a_renamed_table_keeps_its_renamed_columns() -> None:
    migration = Migration(renames={"items": "lines", "items.qty": "items.quantity"})
    assert apply_migration({"items": [{"qty": 1}]}, migration) == {"lines": [{"quantity": 1}]}


def test_a_migration_reads_from_and_writes_to_json() -> None:
    raw = {
        "renames": {"a": "b"},
        "defaults": {"c": 1},
        "value_maps": {"d": {"x": "y"}},
        "drops": ["e"],
    }
    migration = Migration.from_json(raw)
    assert migration.to_json() == raw
    assert not migration.is_empty


@pytest.mark.parametrize(
    "raw",
    [
        [],
        {"renames": {"a": 1}},
        {"rename": {}},
        {"drops": "e"},
        {"value_maps": {"d": "x"}},
        {"renames": {"items.qty": "lines.qty"}},
    ],
)
def test_a_malformed_migration_is_invalid_input(raw: Any) -> None:
    with pytest.raises(InvalidInput):
        Migration.from_json(raw)


def test_a_diff_renders_for_the_api_in_the_readers_language() -> None:
    diff = diff_versions(schema_of(V1), schema_of({**V1, "reason": {"type": "string"}}, ["reason"]))
    body = diff.as_json("zh-CN")
    assert body["breaking"] is True
    assert body["changes"][0]["message"].startswith("新增了必填字段")
