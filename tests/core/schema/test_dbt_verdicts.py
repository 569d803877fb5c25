"""dbt models through the engine: DESIGN.md §3's familiar table of breaking changes, per mode."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tessera_core.compat.check import check_compatibility
from tessera_core.schema.dbt import normalize_dbt
from tessera_core.types import Severity

Edit = Callable[[dict[str, Any]], None]


def base(adapter: str = "postgres") -> dict[str, Any]:
    return {
        "name": "orders",
        "adapter": adapter,
        "contract_enforced": True,
        "columns": [
            {"name": "id", "data_type": "integer", "constraints": [{"type": "primary_key"}]},
            {"name": "customer_id", "data_type": "int", "constraints": [{"type": "not_null"}]},
            {
                "name": "status",
                "data_type": "varchar(20)",
                "tests": [{"name": "not_null"}, {"name": "accepted_values", "values": ["placed", "shipped"]}],
            },
            {"name": "amount", "data_type": "numeric(10,2)"},
            {"name": "placed_at", "data_type": "timestamp"},
            {"name": "placed_on", "data_type": "date"},
            {"name": "location", "data_type": "geography"},
        ],
    }


def column(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in doc["columns"] if c["name"] == name)


def set_type(name: str, data_type: str) -> Edit:
    return lambda doc: column(doc, name).__setitem__("data_type", data_type)


def remove_column(name: str) -> Edit:
    return lambda doc: doc.__setitem__("columns", [c for c in doc["columns"] if c["name"] != name])


def add_column(col: dict[str, Any]) -> Edit:
    return lambda doc: doc["columns"].append(col)


def drop_not_null(name: str) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        col = column(doc, name)
        col["constraints"] = [c for c in col.get("constraints", []) if c["type"] != "not_null"]
        col["tests"] = [t for t in col.get("tests", []) if t["name"] != "not_null"]

    return edit


def add_not_null(name: str) -> Edit:
    return lambda doc: column(doc, name).setdefault("constraints", []).append({"type": "not_null"})


def accepted(values: list[str]) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        for test in column(doc, "status")["tests"]:
            if test["name"] == "accepted_values":
                test["values"] = values

    return edit


def judge(edit: Edit, mode: str, adapter: str = "postgres") -> bool:
    old = base(adapter)
    new = copy.deepcopy(old)
    edit(new)
    return check_compatibility(normalize_dbt(old), normalize_dbt(new), mode).compatible


# (id, edit, compatible under backward, compatible under forward)
TABLE: list[tuple[str, Edit, bool, bool]] = [
    ("remove column", remove_column("amount"), False, True),
    ("remove not-null column", remove_column("customer_id"), False, False),
    # tables are closed: forward(old, new) == backward(new, old), and removing a column breaks backward
    (
        "add not-null column",
        add_column({"name": "x", "data_type": "int", "tests": ["not_null"]}),
        False,
        False,
    ),
    ("add nullable column", add_column({"name": "x", "data_type": "int"}), True, False),
    ("narrow int type", set_type("customer_id", "smallint"), False, True),
    ("widen int type", set_type("customer_id", "bigint"), True, False),
    ("narrow varchar", set_type("status", "varchar(10)"), False, True),
    ("widen varchar", set_type("status", "varchar(50)"), True, False),
    ("varchar to text", set_type("status", "text"), True, False),
    ("decimal grows", set_type("amount", "numeric(12,2)"), True, False),
    ("decimal shrinks", set_type("amount", "numeric(8,2)"), False, True),
    ("date to timestamp", set_type("placed_on", "timestamp"), True, False),
    ("timestamp to timestamptz", set_type("placed_at", "timestamptz"), False, False),
    ("alias int to integer", set_type("customer_id", "integer"), True, True),
    ("alias int to int4", set_type("customer_id", "int4"), True, True),
    ("remove accepted value", accepted(["placed"]), False, True),
    ("add accepted value", accepted(["placed", "shipped", "returned"]), True, False),
    ("drop not_null", drop_not_null("status"), True, False),
    ("add not_null", add_not_null("amount"), False, True),
    ("opaque type unchanged", set_type("location", "GEOGRAPHY"), True, True),
    ("opaque type renamed", set_type("location", "geometry"), False, False),
    ("opaque to string", set_type("location", "text"), False, False),
    ("known type to opaque", set_type("amount", "money"), False, False),
]


@pytest.mark.parametrize(("edit", "backward"), [(e, b) for _, e, b, _ in TABLE], ids=[t[0] for t in TABLE])
def test_backward(edit: Edit, backward: bool) -> None:
    assert judge(edit, "backward") is backward


@pytest.mark.parametrize(("edit", "forward"), [(e, f) for _, e, _, f in TABLE], ids=[t[0] for t in TABLE])
def test_forward_is_the_mirror(edit: Edit, forward: bool) -> None:
    assert judge(edit, "forward") is forward


@pytest.mark.parametrize(("edit", "full"), [(e, b and f) for _, e, b, f in TABLE], ids=[t[0] for t in TABLE])
def test_full_is_both(edit: Edit, full: bool) -> None:
    assert judge(edit, "full") is full


def test_snowflake_integer_aliases_are_one_type() -> None:
    assert judge(set_type("customer_id", "bigint"), "full", adapter="snowflake")
    assert judge(set_type("customer_id", "number(38,0)"), "full", adapter="snowflake")


def test_duckdb_varchar_lengths_are_not_enforced() -> None:
    assert judge(set_type("status", "varchar(5)"), "full", adapter="duckdb")


def test_identical_models_have_no_changes() -> None:
    report = check_compatibility(normalize_dbt(base()), normalize_dbt(base()), "full")
    assert report.compatible
    assert report.changes == ()


def test_widening_is_reported_as_dangerous_not_breaking_under_backward() -> None:
    old, new = base(), base()
    set_type("customer_id", "bigint")(new)
    report = check_compatibility(normalize_dbt(old), normalize_dbt(new), "backward")
    assert report.compatible
    assert [c.severity for c in report.changes] == [Severity.DANGEROUS]
    assert report.changes[0].path.startswith("/properties/customer_id")


def test_removing_a_guarantee_breaks_forward() -> None:
    old, new = base(), base()
    column(old, "amount")["tests"] = [{"name": "unique"}]
    assert check_compatibility(normalize_dbt(old), normalize_dbt(new), "backward").compatible
    assert not check_compatibility(normalize_dbt(old), normalize_dbt(new), "forward").compatible
