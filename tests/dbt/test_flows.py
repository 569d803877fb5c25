"""The macros against a real Tessera service on loopback: publish, register, proposals, check and gate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import pytest

from tests.conftest import TeamHandle, TesseraServer
from tests.dbt.conftest import CliResult
from tests.dbt.dbt_project import CONSUMER, PRODUCER, DbtProject

GATE_HOOK = 'on-run-start: ["{{ tessera.tessera_gate() }}"]\n\nvars:'


class Teams(NamedTuple):
    sales: TeamHandle
    finance: TeamHandle
    analytics: TeamHandle


@pytest.fixture(name="teams")
def teams_fixture(make_team: Callable[..., TeamHandle]) -> Teams:
    return Teams(make_team("sales"), make_team("finance"), make_team("analytics"))


@pytest.fixture(name="as_admin")
def as_admin_fixture(tessera_server: TesseraServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TESSERA_URL", tessera_server.base_url)
    monkeypatch.setenv("TESSERA_API_KEY", tessera_server.admin_key)


@pytest.fixture(name="producer")
def producer_fixture(new_project: Callable[..., DbtProject], teams: Teams) -> DbtProject:
    return new_project(PRODUCER, __SALES__=teams.sales.name, __FINANCE__=teams.finance.name)


@pytest.fixture(name="consumer")
def consumer_fixture(
    new_project: Callable[..., DbtProject], teams: Teams, producer: DbtProject
) -> DbtProject:
    return new_project(
        CONSUMER,
        __PRODUCER_DB__=producer.database,
        __ANALYTICS__=teams.analytics.name,
        __FINANCE__=teams.finance.name,
    )


def status_of(notes: list[str], subject: str) -> str:
    """The status word(s) printed for ``subject`` in a summary."""
    for note in notes:
        for line in note.splitlines():
            parts = line.split()
            if len(parts) > 2 and " -> " in line and line.split(" -> ")[0].split()[-1] == subject:
                return line.split(" -> ")[0].rsplit(subject, 1)[0].strip()
    raise AssertionError(f"{subject} not in summary:\n" + "\n".join(notes))


def publish_ok(project: DbtProject, **kwargs: Any) -> list[str]:
    result = project.run_operation("tessera_publish", **kwargs)
    assert result.success, result.text
    return result.notes


@pytest.mark.usefixtures("as_admin")
def test_first_publish_then_unchanged_then_compatible_change(
    producer: DbtProject, teams: Teams, admin_client: Any
) -> None:
    notes = publish_ok(producer)
    assert "Tessera publish of dbt project shop: 4 model(s)" in notes[0]
    for subject in ("customers", "orders.v1", "orders.v2", "payments"):
        assert status_of(notes, subject) == "published"
    assert "stg_events" not in "\n".join(notes)
    customers = admin_client.get_asset(producer.fqn("customers"))
    assert customers.owner_team == teams.sales.name
    assert (customers.kind, str(customers.mode), customers.tags) == ("dbt_model", "backward", ["core"])
    assert customers.metadata["dbt"]["access"] == "public"
    orders = admin_client.get_asset(producer.fqn("orders_v1"))
    assert str(orders.mode) == "full"
    assert orders.metadata["dbt"]["version"] == 1
    assert orders.metadata["dbt"]["latest_version"] == 2
    payments = admin_client.get_asset(f"{producer.database}.finance.payments")
    assert payments.owner_team == teams.finance.name

    notes = publish_ok(producer)
    assert {status_of(notes, s) for s in ("customers", "orders.v1", "orders.v2", "payments")} == {"unchanged"}
    # ref() lineage became asset lineage: payments is downstream of orders v2.
    (contract,) = admin_client.list_contracts(producer.fqn("orders_v2"))
    impact = admin_client.impact(producer.fqn("orders_v2"), contract.source, format="dbt")
    assert [d.fqn for d in impact.downstream] == [f"{producer.database}.finance.payments"]

    # Compatible: a new nullable column.
    producer.replace("models/customers.sql", " as email", " as email, 'Ada L.'::varchar as nickname")
    producer.replace(
        "models/schema.yml",
        "      - name: email\n",
        "      - name: nickname\n        data_type: varchar\n      - name: email\n",
    )
    notes = publish_ok(producer)
    assert status_of(notes, "customers") == "published"
    assert "1.1.0 (was 1.0.0)" in "\n".join(notes)
    assert status_of(notes, "orders.v2") == "unchanged"
    versions = [c.version for c in admin_client.list_contracts(producer.fqn("customers"))]
    assert "1.1.0" in versions


@pytest.mark.usefixtures("as_admin")
def test_breaking_change_proposal_acknowledge_publish_with_check_and_gate(
    producer: DbtProject, consumer: DbtProject, teams: Teams, admin_client: Any
) -> None:
    publish_ok(producer)
    registered = consumer.run_operation("tessera_register")
    assert registered.success, registered.text
    registrations = admin_client.list_registrations(asset=producer.fqn("customers"))
    assert [(r.team, r.consumer_ref, sorted(r.columns or []), str(r.source)) for r in registrations] == [
        (teams.analytics.name, "dbt:analytics.customer_orders", ["email", "id"], "dbt")
    ]

    # Breaking for the consumer: a column it reads disappears.
    producer.replace("models/customers.sql", ", 'ada@example.com'::varchar as email", "")
    producer.replace(
        "models/schema.yml",
        "      - name: email\n        data_type: varchar\n        data_tests: [not_null]\n",
        "",
    )

    check = producer.run_operation("tessera_check")
    assert not check.success
    assert "tessera_check: 1 model(s) are not cleared to ship" in check.text
    assert status_of(check.notes, "customers") == "needs proposal"
    assert status_of(check.notes, "orders.v2") == "unchanged"

    # The on-run-start gate stops `dbt run` before the model is built.
    producer.replace("dbt_project.yml", "vars:", GATE_HOOK)
    gated = producer.invoke("run", "--select", "customers")
    assert not gated.success
    assert "tessera_gate" in gated.text
    assert "customers" in gated.text
    assert not any("OK created" in m for m in gated.messages)

    notes = publish_ok(producer)
    assert status_of(notes, "customers") == "proposed"
    assert f"awaiting acknowledgment from {teams.analytics.name}" in "\n".join(notes)
    (proposal,) = admin_client.list_proposals(asset=producer.fqn("customers"))

    failed = producer.run_operation("tessera_publish", fail_on_proposal=True)
    assert not failed.success
    assert "fail_on_proposal is set" in failed.text
    assert str(proposal.id) in failed.text  # re-publishing the same schema returns the same proposal

    check = producer.run_operation("tessera_check", select="customers")
    assert not check.success
    assert status_of(check.notes, "customers") == "open proposal"

    teams.analytics.client.acknowledge(proposal.id, "approved")

    check = producer.run_operation("tessera_check")
    assert check.success, check.text
    assert status_of(check.notes, "customers") == "unchanged"  # the acknowledged proposal was published
    assert producer.invoke("run", "--select", "customers").success
    notes = publish_ok(producer)
    assert status_of(notes, "customers") == "unchanged"
    assert admin_client.get_asset(producer.fqn("customers")).active_version == "2.0.0"


@pytest.mark.usefixtures("as_admin")
def test_register_is_idempotent_and_covers_meta_consumes(
    consumer: DbtProject, producer: DbtProject, teams: Teams, admin_client: Any
) -> None:
    # Once as part of a publish (the consumer has nothing to publish), once on its own: idempotent.
    result = consumer.run_operation("tessera_publish", register=True)
    assert result.success, result.text
    assert status_of(result.notes, "dbt:analytics.payment_methods") == "registered"
    result = consumer.run_operation("tessera_register")
    assert result.success, result.text
    payments = admin_client.list_registrations(asset=f"{producer.database}.finance.payments")
    assert [(r.team, r.consumer_ref, r.columns) for r in payments] == [
        (teams.finance.name, "dbt:analytics.payment_methods", ["method"])
    ]
    orders = admin_client.list_registrations(asset=producer.fqn("orders_v2"))
    assert [(r.consumer_ref, r.columns) for r in orders] == [("dbt:analytics.customer_orders", None)]
    assert admin_client.list_registrations(team=teams.analytics.name)
    assert all("raw_clicks" not in r.fqn for r in admin_client.list_registrations(team=teams.analytics.name))


def test_bad_key_fails_with_a_401_message(
    producer: DbtProject, tessera_server: TesseraServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TESSERA_URL", tessera_server.base_url)
    monkeypatch.setenv("TESSERA_API_KEY", "tsk_not_a_real_key")
    result = producer.run_operation("tessera_publish")
    assert not result.success
    assert "Tessera rejected the API key (401" in result.text
    assert "TESSERA_API_KEY" in result.text


@pytest.mark.usefixtures("as_admin")
def test_unknown_column_type_publishes_with_a_warning(producer: DbtProject, admin_client: Any) -> None:
    producer.replace(
        "models/schema.yml",
        "      - name: name\n        data_type: varchar",
        "      - name: name\n        data_type: geographyy",
    )
    notes = publish_ok(producer, select="customers")
    text = "\n".join(notes)
    assert "warning: customers: type(s) unknown to Tessera's duckdb type rules" in text
    assert "name (geographyy)" in text
    assert status_of(notes, "customers") == "published"


@pytest.mark.usefixtures("as_admin")
def test_columns_without_data_type_publish_with_a_warning(producer: DbtProject) -> None:
    producer.replace(
        "models/schema.yml", "      - name: method\n        data_type: varchar\n", "      - name: method\n"
    )
    notes = publish_ok(producer, select="payments")
    assert "payments: column(s) without data_type accept any value in the contract: method" in "\n".join(
        notes
    )
    assert status_of(notes, "payments") == "published"


def test_gate_passes_without_contacting_tessera_when_no_managed_model_is_selected(
    producer: DbtProject, no_service_env: None
) -> None:
    producer.replace("dbt_project.yml", "vars:", GATE_HOOK)
    result = producer.invoke("run", "--select", "stg_events")
    assert result.success, result.text


def _cli_env(tessera_server: TesseraServer) -> dict[str, str]:
    return {"TESSERA_URL": tessera_server.base_url, "TESSERA_API_KEY": tessera_server.admin_key}


def test_cli_publish_json_check_from_manifest_and_fail_on_proposal(
    producer: DbtProject,
    consumer: DbtProject,
    tessera_server: TesseraServer,
    tessera_cli: Callable[..., CliResult],
) -> None:
    import json

    env = _cli_env(tessera_server)
    out = tessera_cli("dbt", "publish", *producer.dir_args, "--json", env=env)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert sorted((m["subject"], m["status"]) for m in report["models"]) == [
        ("customers", "published"),
        ("orders.v1", "published"),
        ("orders.v2", "published"),
        ("payments", "published"),
    ]
    assert tessera_cli("dbt", "register", *consumer.dir_args, env=env).returncode == 0

    producer.replace("models/customers.sql", ", 'ada@example.com'::varchar as email", "")
    producer.replace(
        "models/schema.yml",
        "      - name: email\n        data_type: varchar\n        data_tests: [not_null]\n",
        "",
    )
    assert producer.invoke("parse").success
    manifest = str(producer.path("target/manifest.json"))
    out = tessera_cli("dbt", "check", "--project-dir", str(producer.dir), "--manifest", manifest, env=env)
    assert out.returncode == 1
    assert "needs proposal" in out.stdout
    assert "customers" in out.stderr

    out = tessera_cli(
        "dbt", "publish", *producer.dir_args, "--select", "customers", "--fail-on-proposal", env=env
    )
    assert out.returncode == 3
    assert "proposed" in out.stdout
    assert "fail_on_proposal is set" in out.stderr

    out = tessera_cli("dbt", "check", *producer.dir_args, "--select", "orders", env=env)
    assert out.returncode == 0, out.stderr


def test_cli_bad_key_exits_2(
    producer: DbtProject, tessera_server: TesseraServer, tessera_cli: Callable[..., CliResult]
) -> None:
    out = tessera_cli(
        "dbt",
        "check",
        *producer.dir_args,
        env={"TESSERA_URL": tessera_server.base_url, "TESSERA_API_KEY": "nope"},
    )
    assert out.returncode == 2
    assert "Tessera rejected the API key (401" in out.stderr


def test_a_team_key_publishes_its_models_and_reports_the_others_as_errors(
    producer: DbtProject, teams: Teams, tessera_server: TesseraServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TESSERA_URL", tessera_server.base_url)
    monkeypatch.setenv("TESSERA_API_KEY", teams.sales.key)
    result = producer.run_operation("tessera_publish")
    assert not result.success
    assert status_of(result.notes, "customers") == "published"
    assert status_of(result.notes, "payments") == "error"
    assert f"may not make team '{teams.finance.name}' the owner" in result.text
    assert "tessera_publish: 1 model(s) failed" in result.text
