"""Every row of shared/reference/prior-art.md's "what went wrong" table, as a named regression test."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from tessera_core import PermissionDeniedError, TesseraClient, ValidationError
from tessera_core.client import build_publish_item
from tessera_core.client._base import BaseTesseraClient, Call
from tessera_core.models import AssetSet, RegistrationIn
from tests.service.schemas import V1, V1_ADD, V1_DROP_EMAIL


def test_registrations_are_on_the_asset_and_survive_publishes(make_team, unique) -> None:
    """Row 1: after compatible and identical publishes the next breaking change still finds the consumer,
    and that consumer can acknowledge."""
    producer, consumer = make_team("p"), make_team("c")
    fqn = unique("wh.t")
    producer.client.publish(fqn, V1)
    consumer.client.register(fqn)
    producer.client.publish(fqn, V1_ADD)  # compatible
    producer.client.publish(fqn, V1_ADD)  # identical
    result = producer.client.publish(fqn, V1_DROP_EMAIL)
    assert result.outcome == "proposed"
    assert result.awaiting == [consumer.name]
    assert consumer.client.acknowledge(result.proposal_id, "approved").status == "published"


def test_a_publish_request_cannot_pick_its_own_mode(make_team, unique, admin_client) -> None:
    """Row 2: the mode is an asset policy; only the owner (or admin) changes it, and it is audited.
    A non-owner sending mode=none is refused; there is no per-request mode."""
    producer, consumer = make_team("p"), make_team("c")
    fqn = unique("wh.t")
    producer.client.publish(fqn, V1)
    consumer.client.register(fqn)
    with pytest.raises(PermissionDeniedError):
        consumer.client.publish(fqn, V1_DROP_EMAIL, mode="none")
    with pytest.raises(PermissionDeniedError):
        consumer.client.set_asset(fqn, mode="none")
    assert producer.client.get_asset(fqn).mode == "backward"
    assert not any(e.action == "asset.mode_changed" for e in admin_client.audit(fqn))


def test_no_version_string_exempts_a_change(tessera_server, make_team, unique) -> None:
    """Row 2: versions are computed; a request cannot carry a (pre-release) version to skip the gate."""
    producer, consumer = make_team("p"), make_team("c")
    fqn = unique("wh.t")
    producer.client.publish(fqn, V1)
    consumer.client.register(fqn)
    body = {"fqn": fqn, "schema": V1_DROP_EMAIL, "version": "2.0.0-rc.1"}
    response = httpx.post(
        f"{tessera_server.base_url}/api/v1/publish",
        json=body,
        headers={"Authorization": f"Bearer {producer.key}"},
    )
    assert response.status_code == 422
    assert "version" in response.json()["error"]["message"]
    assert producer.client.publish(fqn, V1_DROP_EMAIL).outcome == "proposed"


def test_identical_schema_is_unchanged_without_a_version(make_team, unique) -> None:
    """Row 3: re-publishing an identical (canonically equal) schema creates no version."""
    producer = make_team("p")
    fqn = unique("wh.t")
    producer.client.publish(fqn, V1)
    reordered = dict(reversed(list(V1.items())))
    result = producer.client.publish(fqn, reordered)
    assert result.outcome == "unchanged"
    assert result.version == "1.0.0"
    assert [c.version for c in producer.client.list_contracts(fqn)] == ["1.0.0"]


def test_a_stale_proposal_is_rechecked_against_the_active_contract(make_team, unique) -> None:
    """Row 4: a proposal records its base; when consent arrives after the base moved, it is re-judged
    against the active contract, and versions are computed, never supplied."""
    producer, consumer = make_team("p"), make_team("c")
    fqn = unique("wh.t")
    producer.client.publish(fqn, V1)
    consumer.client.register(fqn, columns=["email"])
    proposal = producer.client.publish(fqn, V1_DROP_EMAIL)
    assert proposal.target_version == "2.0.0"
    assert producer.client.get_proposal(proposal.proposal_id).base_version == "1.0.0"
    producer.client.publish(fqn, V1_ADD)  # base moves to 1.1.0
    rebased = producer.client.get_proposal(proposal.proposal_id)
    assert rebased.base_version == "1.1.0"
    done = consumer.client.acknowledge(proposal.proposal_id, "approved")
    assert done.published_version == "2.0.0"
    assert [c.version for c in producer.client.list_contracts(fqn)] == ["2.0.0", "1.1.0", "1.0.0"]


def test_guarantees_are_stored_and_carried_through_a_proposal(make_team, unique) -> None:
    """Row 5: proposed guarantees are not dropped on publish."""
    producer, consumer = make_team("p"), make_team("c")
    fqn = unique("wh.t")
    producer.client.publish(fqn, V1, guarantees={"freshness_hours": 24})
    consumer.client.register(fqn)
    proposal = producer.client.publish(
        fqn, V1_DROP_EMAIL, guarantees={"freshness_hours": 6, "volume_min": 10}
    )
    assert producer.client.get_proposal(proposal.proposal_id).guarantees == {
        "freshness_hours": 6,
        "volume_min": 10,
    }
    consumer.client.acknowledge(proposal.proposal_id, "approved")
    active = producer.client.list_contracts(fqn)[0]
    assert active.guarantees == {"freshness_hours": 6, "volume_min": 10}
    # a guarantee-only change is a new (patch) version, not "unchanged"
    patched = producer.client.publish(fqn, V1_DROP_EMAIL, guarantees={"freshness_hours": 1})
    assert (patched.outcome, patched.version) == ("published", "2.0.1")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            {"type": "array", "items": [{"type": "string"}, {"type": "integer"}]},
            {"type": "array", "items": [{"type": "string"}]},
        ),
        ({"type": "object", "properties": {"a": True}}, {"type": "object", "properties": {"a": False}}),
        ({"anyOf": [{"type": "string"}, {"type": "integer"}]}, {"anyOf": [{"type": "string"}]}),
        (
            {"type": "object", "properties": {"a": {"const": 1}}},
            {"type": "object", "properties": {"a": {"enum": [1, 2]}}},
        ),
        (
            {"type": "object", "properties": {"xs": {"type": "array", "items": {"type": "integer"}}}},
            {
                "type": "object",
                "properties": {"xs": {"type": ["array", "null"], "items": {"type": "string"}}},
            },
        ),
    ],
    ids=["tuple-items", "boolean-subschemas", "anyOf", "const-to-enum", "array-nullable-and-items"],
)
def test_hard_schemas_never_500(make_team, unique, old, new) -> None:
    """Row 6: constructs that crashed the old diff engine are judged, never a 500."""
    producer = make_team("p")
    fqn = unique("api.t")
    assert producer.client.publish(fqn, old).outcome == "published"
    result = producer.client.publish(fqn, new)
    assert result.outcome in {"published", "unchanged"}
    assert result.changes or result.outcome == "unchanged"


def test_one_normalizer_for_dbt_and_check_can_say_unchanged(make_team, unique) -> None:
    """Row 7: the service normalizes dbt documents with tessera_core's normalizer; a check of the same
    document says ``unchanged``; unknown column types are kept, not turned into strings."""
    producer = make_team("p")
    fqn = unique("analytics.orders")
    model = {
        "name": "orders",
        "columns": [
            {"name": "id", "data_type": "integer", "constraints": [{"type": "not_null"}]},
            {"name": "shape", "data_type": "geography"},
        ],
    }
    assert producer.client.publish(fqn, model, format="dbt").outcome == "published"
    check = producer.client.check(fqn, model, format="dbt")
    assert check.outcome == "unchanged"
    assert check.dry_run
    stored = producer.client.list_contracts(fqn)[0].schema_
    assert "geography" in str(stored)


def test_api_keys_are_cheap_and_not_rate_limited(make_team, unique) -> None:
    """Row 8: digest lookups, no login-style rate limit on ordinary calls (many calls all succeed)."""
    producer = make_team("p")
    fqn = unique("wh.t")
    producer.client.publish(fqn, V1)
    states = {producer.client.gate(fqn).state for _ in range(120)}
    assert states == {"clear"}


def test_events_are_written_in_the_same_transaction(make_team, unique, database_url) -> None:
    """Row 9: outbox events exist for committed changes only (a failed item leaves none)."""
    producer = make_team("p")
    good, bad = unique("wh.good"), unique("wh.bad")
    items = [build_publish_item(good, V1), build_publish_item(bad, {"type": "no-such-type"})]
    results = producer.client.bulk_publish(items).results
    assert [r.outcome for r in results] == ["published", "error"]
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT event_type, fqn FROM outbox_events WHERE fqn IN (:a, :b)"), {"a": good, "b": bad}
            ).all()
    finally:
        engine.dispose()
    assert {r.fqn for r in rows} == {good}
    assert "contract.published" in {r.event_type for r in rows}


def _client_calls() -> list[Call[Any]]:
    """One Call per client operation (arguments are placeholders; nothing is sent)."""
    c, pid, fqn = BaseTesseraClient("http://x"), uuid.uuid4(), "a.b"
    item = build_publish_item(fqn, {})
    return [
        c._health_call(),
        c._create_team_call("t"),
        c._list_teams_call(),
        c._create_key_call("t", ["read"], None, None),
        c._list_keys_call(None),
        c._revoke_key_call(pid),
        c._get_asset_call(fqn),
        c._list_assets_call(None, 10, 0),
        c._set_asset_call(fqn, AssetSet()),
        c._list_contracts_call(fqn),
        c._publish_call(item, dry_run=False, idempotency_key=None),
        c._publish_call(item, dry_run=True, idempotency_key=None),
        c._bulk_publish_call([item], False, None),
        c._register_call(RegistrationIn(fqn=fqn)),
        c._bulk_register_call([{"fqn": fqn}]),
        c._unregister_call(fqn, None, "default"),
        c._list_registrations_call(None, None),
        c._gate_call(fqn, None),
        c._proposal_gate_call(pid, None),
        c._list_proposals_call(None, None, None),
        c._get_proposal_call(pid),
        c._acknowledge_call(pid, "approved", None, None),
        c._withdraw_call(pid),
        c._force_call(pid, "reason"),
        c._impact_call(fqn, {}, "jsonschema"),
        c._audit_call(None, 10),
    ]


def test_the_client_cannot_drift_from_the_api(tessera_server) -> None:
    """Row 10: every operation the client builds exists in the service's OpenAPI document, and every
    client method has a builder in this list."""
    spec = httpx.get(f"{tessera_server.base_url}/openapi.json").json()
    operations = {
        (method.upper(), path.replace("{fqn:path}", "{fqn}"))
        for path, ops in spec["paths"].items()
        for method in ops
    }
    used = set()
    for call in _client_calls():
        path = re.sub(r"/assets/a\.b", "/assets/{fqn}", call.path)
        path = re.sub(r"/proposals/[0-9a-f-]{36}", "/proposals/{proposal_id}", path)
        path = re.sub(r"/keys/[0-9a-f-]{36}", "/keys/{key_id}", path)
        used.add((call.method, path))
    assert used <= operations, f"client operations missing from the API: {used - operations}"
    builders = {
        n for n in dir(BaseTesseraClient) if n.startswith("_") and n.endswith("_call") and n != "_call"
    }
    public = {n for n in dir(TesseraClient) if not n.startswith("_") and callable(getattr(TesseraClient, n))}
    assert {f"_{n}_call" for n in public} & builders == builders


def test_proposal_expiry_is_scheduled(tmp_path, make_team) -> None:
    """Row 11: a periodic sweep expires proposals even when nobody reads them."""
    import secrets
    import time

    from tests.conftest import start_server

    admin_key = "tsk_test_" + secrets.token_urlsafe(16)
    with (
        start_server(
            f"sqlite:///{tmp_path / 'sweep.db'}", admin_key, expiry_sweep_interval="0.2s", proposal_ttl="1s"
        ) as url,
        TesseraClient(url, admin_key) as admin,
    ):
        admin.create_team("p")
        admin.create_team("c")
        producer = TesseraClient(url, admin.create_key("p").token)
        consumer = TesseraClient(url, admin.create_key("c").token)
        producer.publish("wh.t", V1)
        consumer.register("wh.t")
        proposal = producer.publish("wh.t", V1_DROP_EMAIL)
        assert proposal.outcome == "proposed"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            events = [e for e in admin.audit("wh.t") if e.action == "proposal.expired"]
            if events:
                break
            time.sleep(0.1)
        assert events, "the sweep never expired the proposal"
        assert events[0].user_agent == "tessera-service"  # the sweep, not a reader
        producer.close()
        consumer.close()


def test_validation_errors_name_the_field(make_team) -> None:
    producer = make_team("p")
    with pytest.raises(ValidationError, match="fqn"):
        producer.client.register("")
