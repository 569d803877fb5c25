"""Bulk publish (one transaction, per-item outcomes, dry-run check), bulk registration, gates, impact."""

from __future__ import annotations

import httpx
import pytest

from tessera_core.client import build_publish_item
from tests.service.schemas import V1, V1_ADD, V1_DROP_EMAIL, table


def _items(prefix: str, n: int, schema: dict) -> list[dict]:
    return [
        {"fqn": f"{prefix}.m{i:05d}", "schema": schema, "kind": "dbt_model", "tags": ["bulk"]}
        for i in range(n)
    ]


def test_bulk_publish_of_2000_items(make_team, unique) -> None:
    team = make_team("p")
    prefix = unique("proj")
    result = team.client.bulk_publish(_items(prefix, 2000, V1))
    assert result.counts == {"published": 2000}
    assert {r.version for r in result.results} == {"1.0.0"}
    again = team.client.bulk_publish(_items(prefix, 2000, V1))
    assert again.counts == {"unchanged": 2000}
    assert len(team.client.list_assets(owner=team.name, limit=5000)) == 2000


def test_per_item_errors_do_not_abort_the_others(make_team, unique) -> None:
    producer, other = make_team("p"), make_team("o")
    theirs = unique("other.t")
    other.client.publish(theirs, V1)
    items = [
        {"fqn": unique("a"), "schema": V1},
        {"fqn": unique("b"), "schema": {"type": "bogus"}},
        {"fqn": theirs, "schema": V1_ADD},
        {"fqn": unique("c"), "schema": V1},
    ]
    result = producer.client.bulk_publish(items)
    assert [r.outcome for r in result.results] == ["published", "error", "error", "published"]
    assert result.results[1].error.code == "invalid_schema"
    assert result.results[2].error.code == "forbidden"
    assert result.counts == {"published": 2, "error": 2}
    assert producer.client.get_asset(items[0]["fqn"]).active_version == "1.0.0"
    assert other.client.get_asset(theirs).active_version == "1.0.0"


def test_dry_run_is_the_check_and_writes_nothing(make_team, unique, admin_client) -> None:
    producer, consumer = make_team("p"), make_team("c")
    existing, compatible, new = unique("wh.e"), unique("wh.c"), unique("wh.n")
    producer.client.bulk_publish([{"fqn": existing, "schema": V1}, {"fqn": compatible, "schema": V1}])
    consumer.client.register(existing)
    before = len(admin_client.audit(limit=10_000))
    check = producer.client.bulk_publish(
        [
            {"fqn": existing, "schema": V1_DROP_EMAIL},
            {"fqn": compatible, "schema": V1_ADD},
            {"fqn": new, "schema": V1},
            {"fqn": unique("wh.same"), "schema": {"type": "nope"}},
        ],
        dry_run=True,
    )
    assert check.dry_run
    outcomes = [(r.outcome, r.version, r.awaiting) for r in check.results]
    assert outcomes[0] == ("proposed", "1.0.0", [consumer.name])
    assert outcomes[1] == ("published", "1.1.0", [])
    assert outcomes[2] == ("published", "1.0.0", [])
    assert check.results[3].outcome == "error"
    assert check.results[0].proposal_id is None  # nothing proposed yet
    assert len(admin_client.audit(limit=10_000)) == before
    with pytest.raises(Exception, match="does not exist"):
        producer.client.get_asset(new)
    assert producer.client.gate(existing).state == "clear"


def test_check_reports_an_existing_proposal_for_exactly_this_schema(make_team, unique) -> None:
    producer, consumer = make_team("p"), make_team("c")
    fqn = unique("wh.t")
    producer.client.publish(fqn, V1)
    consumer.client.register(fqn)
    proposal = producer.client.publish(fqn, V1_DROP_EMAIL)
    check = producer.client.check(fqn, V1_DROP_EMAIL)
    assert (check.outcome, check.proposal_id, check.proposal_status) == (
        "proposed",
        proposal.proposal_id,
        "open",
    )
    assert check.awaiting == [consumer.name]
    consumer.client.acknowledge(proposal.proposal_id, "approved")
    after = producer.client.check(fqn, V1_DROP_EMAIL)
    assert (after.outcome, after.proposal_id, after.proposal_status) == (
        "unchanged",
        proposal.proposal_id,
        "published",
    )


def test_bulk_publish_depends_on_builds_lineage_and_impact_walks_it(make_team, unique) -> None:
    producer, downstream_team, reader = make_team("p"), make_team("d"), make_team("r")
    src, mid, leaf, side = (unique(n) for n in ("raw.src", "stg.mid", "mart.leaf", "mart.side"))
    producer.client.bulk_publish(
        [
            {"fqn": src, "schema": V1},
            {"fqn": mid, "schema": V1, "depends_on": [src]},
            {"fqn": side, "schema": V1, "depends_on": [src]},
        ]
    )
    downstream_team.client.publish(leaf, V1, depends_on=[mid])
    reader.client.register(leaf)
    impact = producer.client.impact(src, V1_DROP_EMAIL)
    assert impact.breaking
    assert [(d.fqn, d.depth) for d in impact.downstream] == sorted(
        [(mid, 1), (side, 1), (leaf, 2)], key=lambda x: (x[1], x[0])
    )
    assert set(impact.teams) >= {downstream_team.name, reader.name}
    assert producer.client.impact(src, V1_ADD).teams == []


def test_impact_is_column_aware(make_team, unique) -> None:
    producer, reads_name, reads_email = make_team("p"), make_team("n"), make_team("e")
    src, name_mart, email_mart = unique("src"), unique("names"), unique("emails")
    producer.client.publish(src, V1)
    reads_name.client.publish(name_mart, V1, depends_on=[src])
    reads_email.client.publish(email_mart, V1, depends_on=[src])
    reads_name.client.register(src, columns=["id", "name"])
    reads_email.client.register(src, columns=["email"])
    impact = producer.client.impact(src, V1_DROP_EMAIL)
    assert impact.affected_teams == [reads_email.name]
    assert [d.fqn for d in impact.downstream] == [email_mart]
    assert reads_name.name not in impact.teams


def test_bulk_register_is_idempotent_and_tracks_last_seen(make_team, unique, admin_client) -> None:
    producer, consumer = make_team("p"), make_team("c")
    fqn, unknown = unique("wh.t"), unique("not.yet.published")
    producer.client.publish(fqn, V1)
    items = [
        {"fqn": fqn, "consumer_ref": "dbt:c.model_a", "source": "dbt", "columns": ["id", "name"]},
        {"fqn": fqn, "consumer_ref": "dbt:c.model_b", "source": "dbt"},
        {"fqn": unknown, "consumer_ref": "dbt:c.model_a", "source": "dbt"},
    ]
    first = consumer.client.bulk_register(items)
    second = consumer.client.bulk_register(items)
    assert [r.id for r in first] == [r.id for r in second]
    assert second[0].last_seen >= first[0].last_seen
    assert second[0].first_seen == first[0].first_seen
    assert len(consumer.client.list_registrations(team=consumer.name)) == 3
    created = [e for e in admin_client.audit(fqn) if e.action == "registration.created"]
    assert len(created) == 2  # re-registering is not a new event
    # the asset registered before publication is unclaimed until its producer publishes it
    assert consumer.client.get_asset(unknown).owner_team is None
    assert producer.client.publish(unknown, V1).outcome == "published"
    assert producer.client.get_asset(unknown).owner_team == producer.name


def test_gate_etag_and_304(make_team, unique, tessera_server) -> None:
    producer, consumer = make_team("p"), make_team("c")
    fqn = unique("wh.t")
    producer.client.publish(fqn, V1)
    consumer.client.register(fqn)
    first = consumer.client.gate(fqn)
    assert first.state == "clear"
    assert first.etag
    url = f"{tessera_server.base_url}/api/v1/assets/{fqn}/gate"
    headers = {"Authorization": f"Bearer {consumer.key}"}
    raw = httpx.get(url, headers={**headers, "If-None-Match": f'"{first.etag}"'})
    assert raw.status_code == 304
    assert raw.headers["etag"] == f'"{first.etag}"'
    cached = consumer.client.gate(fqn, etag=first.etag)
    assert cached.not_modified
    proposal = producer.client.publish(fqn, table("id", "name"))
    changed = consumer.client.gate(fqn, etag=first.etag)
    assert not changed.not_modified
    assert changed.state == "pending"
    assert changed.proposal.id == proposal.proposal_id
    assert changed.proposal.awaiting == [consumer.name]
    pgate = consumer.client.proposal_gate(proposal.proposal_id)
    assert (pgate.status, pgate.awaiting, pgate.active_version) == ("open", [consumer.name], "1.0.0")
    assert consumer.client.proposal_gate(proposal.proposal_id, etag=pgate.etag).not_modified
    consumer.client.acknowledge(proposal.proposal_id, "approved")
    done = consumer.client.proposal_gate(proposal.proposal_id, etag=pgate.etag)
    assert (done.status, done.published_version, done.not_modified) == ("published", "2.0.0", False)


def test_fqns_with_slashes_and_braces(make_team) -> None:
    team = make_team("api")
    fqn = f"api.GET./users/{{id}}.{team.name}"
    assert team.client.publish(fqn, V1).outcome == "published"
    assert team.client.get_asset(fqn).fqn == fqn
    assert team.client.gate(fqn).active_version == "1.0.0"
    assert [c.version for c in team.client.list_contracts(fqn)] == ["1.0.0"]


def test_single_publish_item_builder_round_trip(make_team, unique) -> None:
    team = make_team("p")
    item = build_publish_item(unique("x"), V1, kind="topic", description="d", metadata={"a": 1}, tags=["t"])
    result = team.client.bulk_publish([item])
    asset = team.client.get_asset(item.fqn)
    assert result.results[0].outcome == "published"
    assert (asset.kind, asset.description, asset.metadata, asset.tags) == ("topic", "d", {"a": 1}, ["t"])
