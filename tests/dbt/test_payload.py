"""The macros and the manifest reader produce the same payload, and it becomes the right bulk items."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tessera_dbt.items import build_publish_plan, build_register_plan
from tessera_dbt.manifest import load_manifest, payload_from_manifest, project_vars
from tessera_dbt.records import parse_payload
from tests.dbt.conftest import capture
from tests.dbt.dbt_project import DbtProject

VOLATILE = ("invocation_id",)


def _stable(payload: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps({k: v for k, v in payload.items() if k not in VOLATILE}))


@pytest.mark.parametrize("which", ["shared_producer", "shared_consumer"])
@pytest.mark.parametrize("command", ["publish", "register"])
def test_macros_and_manifest_reader_produce_identical_payloads(
    request: pytest.FixtureRequest, which: str, command: str
) -> None:
    project: DbtProject = request.getfixturevalue(which)
    from_macro = capture(project, f"tessera_{command}", select="")
    from_manifest = payload_from_manifest(
        load_manifest(project.path("target/manifest.json")),
        command=command,
        options=from_macro["options"],
        vars_=project_vars(project.dir),
        target="dev",
    )
    assert _stable(from_macro) == _stable(from_manifest)


@pytest.fixture(scope="module", name="publish_payload")
def publish_payload_fixture(shared_producer: DbtProject) -> dict[str, Any]:
    return capture(shared_producer, "tessera_publish")


def _items_by_fqn(payload: dict[str, Any], **options: Any) -> dict[str, dict[str, Any]]:
    plan = build_publish_plan(parse_payload({**payload, "options": {**payload["options"], **options}}))
    return {item["fqn"]: item for item in plan.items}


def test_contracted_and_opted_in_models_are_published_uncontracted_are_not(
    publish_payload: dict[str, Any], shared_producer: DbtProject
) -> None:
    items = _items_by_fqn(publish_payload)
    assert sorted(items) == sorted(
        [
            shared_producer.fqn("customers"),
            shared_producer.fqn("orders_v1"),
            shared_producer.fqn("orders_v2"),
            f"{shared_producer.database}.finance.payments",  # meta.tessera.fqn override
        ]
    )


def test_publish_item_carries_document_owner_mode_metadata_and_lineage(
    publish_payload: dict[str, Any], shared_producer: DbtProject
) -> None:
    orders = _items_by_fqn(publish_payload)[shared_producer.fqn("orders_v1")]
    assert orders["format"] == "dbt"
    assert orders["kind"] == "dbt_model"
    assert orders["owner_team"] == "sales"  # the group owner
    assert orders["mode"] == "full"  # meta.tessera.mode beats var tessera_mode
    assert (
        orders["metadata"]["dbt"].items()
        >= {
            "version": 1,
            "latest_version": 2,
            "access": "public",
            "group": "sales",
            "unique_id": "model.shop.orders.v1",
            "contract_enforced": True,
        }.items()
    )
    assert orders["metadata"]["dbt"]["deprecation_date"].startswith("2030-01-01")
    document = orders["schema"]
    assert document["adapter"] == "duckdb"
    assert document["contract_enforced"] is True
    columns = {c["name"]: c for c in document["columns"]}
    assert list(columns) == ["id", "customer_id", "status"]
    assert columns["id"]["constraints"] == [{"type": "not_null"}]
    assert columns["id"]["tests"] == [{"name": "unique"}]
    assert columns["status"]["tests"] == [{"name": "accepted_values", "values": ["placed", "shipped"]}]
    assert columns["customer_id"]["tests"] == [
        {"name": "relationships", "to": "ref('customers')", "field": "id"}
    ]


def test_var_mode_tags_and_explicit_owner(
    publish_payload: dict[str, Any], shared_producer: DbtProject
) -> None:
    items = _items_by_fqn(publish_payload)
    customers = items[shared_producer.fqn("customers")]
    assert customers["mode"] == "backward"  # var tessera_mode
    assert customers["tags"] == ["core"]
    assert customers["schema"]["columns"][0]["constraints"] == [{"type": "not_null"}, {"type": "primary_key"}]
    payments = items[f"{shared_producer.database}.finance.payments"]
    assert payments["owner_team"] == "finance"
    assert payments["schema"]["contract_enforced"] is False
    assert payments["depends_on"] == [shared_producer.fqn("orders_v2")]  # ref lineage as FQNs


@pytest.mark.parametrize(
    ("select", "expected"),
    [
        ("customers", ["customers"]),
        ("orders", ["orders_v1", "orders_v2"]),
        ("orders.v2", ["orders_v2"]),
        ("tag:core", ["customers"]),
        ("group:sales", ["customers", "orders_v1", "orders_v2"]),
        ("customers payments", ["customers", "payments"]),
        ("stg_events", []),  # selected but not opted in
    ],
    ids=["name", "all-versions", "one-version", "tag", "group", "union", "not-opted-in"],
)
def test_select(publish_payload: dict[str, Any], select: str, expected: list[str]) -> None:
    plan = build_publish_plan(parse_payload({**publish_payload, "options": {"select": select}}))
    assert sorted(m.relation.identifier or "" for m in plan.models) == expected


def test_var_can_stop_contracted_models_from_publishing(publish_payload: dict[str, Any]) -> None:
    payload = {**publish_payload, "vars": {**publish_payload["vars"], "publish_contracted": False}}
    plan = build_publish_plan(parse_payload(payload))
    assert [m.name for m in plan.models] == ["payments"]


def test_register_items_from_sources_and_meta_consumes(
    shared_consumer: DbtProject, shared_producer: DbtProject
) -> None:
    payload = capture(shared_consumer, "tessera_register")
    items = build_register_plan(parse_payload(payload)).items
    db = shared_producer.database
    assert sorted(items, key=lambda i: (i["consumer_ref"], i["fqn"])) == [
        {
            "fqn": f"{db}.main.customers",
            "team": "analytics",
            "consumer_ref": "dbt:analytics.customer_orders",
            "source": "dbt",
            "columns": ["id", "email"],  # the columns marked meta.tessera.used
        },
        {
            "fqn": f"{db}.main.orders_v2",  # source identifier, no declared columns: all of them
            "team": "analytics",
            "consumer_ref": "dbt:analytics.customer_orders",
            "source": "dbt",
        },
        {
            "fqn": f"{db}.finance.payments",
            "team": "finance",  # meta.tessera.team beats var tessera_team
            "consumer_ref": "dbt:analytics.payment_methods",
            "source": "dbt",
            "columns": ["method"],
        },
    ]


def test_cross_project_refs_are_registered_when_contracted_or_public(shared_consumer: DbtProject) -> None:
    payload = capture(shared_consumer, "tessera_register")
    model = next(m for m in payload["models"] if m["name"] == "customer_orders")
    upstreams = {
        "model.core.dim_dates": {
            "unique_id": "model.core.dim_dates",
            "resource_type": "model",
            "name": "dim_dates",
            "package_name": "core",
            "relation": {"database": "WH", "schema": "Core", "identifier": "dim_dates"},
            "tessera": {},
            "contract_enforced": False,
            "access": "public",
            "columns": [{"name": "day", "meta": {}}],
        },
        "model.core.helper": {
            "unique_id": "model.core.helper",
            "resource_type": "model",
            "name": "helper",
            "package_name": "core",
            "relation": {"database": "wh", "schema": "core", "identifier": "helper"},
            "tessera": {},
            "contract_enforced": False,
            "access": "protected",
            "columns": [],
        },
    }
    model = {**model, "depends_on": list(upstreams)}
    items = build_register_plan(parse_payload({**payload, "models": [model], "upstreams": upstreams})).items
    assert items == [
        {
            "fqn": "wh.core.dim_dates",
            "team": "analytics",
            "consumer_ref": "dbt:analytics.customer_orders",
            "source": "dbt",
            "columns": ["day"],
        }
    ]


def test_register_without_a_team_is_an_error_for_that_model(shared_consumer: DbtProject) -> None:
    payload = capture(shared_consumer, "tessera_register")
    plan = build_register_plan(parse_payload({**payload, "vars": {**payload["vars"], "team": None}}))
    assert [str(p) for p in plan.problems] == [
        "customer_orders: no consumer team: set var tessera_team in dbt_project.yml or meta.tessera.team"
    ]
    assert [i["consumer_ref"] for i in plan.items] == [
        "dbt:analytics.payment_methods"
    ]  # has meta.tessera.team


def test_unknown_mode_is_an_error_for_that_model(publish_payload: dict[str, Any]) -> None:
    payload = {**publish_payload, "vars": {**publish_payload["vars"], "mode": "sideways"}}
    plan = build_publish_plan(parse_payload(payload))
    assert sorted(m.name for m in plan.models) == ["orders", "orders"]  # meta.tessera.mode: full
    assert {p.subject for p in plan.errors} == {"customers", "payments"}
    assert "unknown compatibility mode 'sideways'" in plan.errors[0].message


def test_unknown_select_method_is_a_clear_error(publish_payload: dict[str, Any]) -> None:
    from tessera_dbt.delivery import EXIT_ERROR, deliver

    report = deliver({**publish_payload, "options": {"select": "colour:blue"}})
    assert report.exit_code == EXIT_ERROR
    assert report.failure is not None
    assert "select: unknown method 'colour'" in report.failure


def test_payload_from_a_newer_package_version_is_refused() -> None:
    from tessera_dbt.errors import PayloadError
    from tessera_dbt.protocol import extract_payload

    with pytest.raises(PayloadError, match="upgrade both to the same release"):
        extract_payload('--TESSERA-OUTPUT-START--{"tessera_payload": 99}--TESSERA-OUTPUT-END--')
    assert extract_payload("an ordinary log line") is None
