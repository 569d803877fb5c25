"""Bulk publish as one batch: every outcome in one request, audited once per change, item isolation kept.

Bulk publish checks every item first and then writes the batch without a savepoint per item; when the
database refuses the batch anyway, it is replayed item by item. These tests pin the behaviour a user sees
either way (outcomes, audit trail, lineage, proposals, what a dry run leaves behind).
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.service.schemas import V1, V1_ADD, V1_DROP_EMAIL, V1_DROP_NAME


def _actions(admin_client, fqn: str) -> Counter[str]:
    return Counter(e.action for e in admin_client.audit(fqn, limit=1000))


def test_every_kind_of_outcome_in_one_request(make_team, unique, admin_client) -> None:
    producer, consumer, other = make_team("p"), make_team("c"), make_team("o")
    same, compatible, proposed, unread = (unique(n) for n in ("b.same", "b.compat", "b.prop", "b.unread"))
    theirs = unique("b.theirs")
    producer.client.bulk_publish([{"fqn": f, "schema": V1} for f in (same, compatible, proposed, unread)])
    other.client.publish(theirs, V1)
    consumer.client.register(proposed)
    consumer.client.register(unread, consumer_ref="reads-name", columns=["name"])
    new, upstream = unique("b.new"), unique("b.upstream")

    result = producer.client.bulk_publish(
        [
            {"fqn": same, "schema": V1},
            {"fqn": compatible, "schema": V1_ADD, "description": "now with phone"},
            {"fqn": proposed, "schema": V1_DROP_EMAIL},
            {"fqn": unread, "schema": V1_DROP_EMAIL},  # breaking, but the consumer reads 'name' only
            {"fqn": new, "schema": V1, "depends_on": [upstream, same]},
            {"fqn": unique("b.bad"), "schema": {"type": "bogus"}},
            {"fqn": theirs, "schema": V1_ADD},
        ]
    )

    got = [(r.outcome, r.version, r.error.code if r.error else None) for r in result.results]
    assert got == [
        ("unchanged", "1.0.0", None),
        ("published", "1.1.0", None),
        ("proposed", "1.0.0", None),
        ("published", "2.0.0", None),
        ("published", "1.0.0", None),
        ("error", None, "invalid_schema"),
        ("error", None, "forbidden"),
    ]
    assert result.results[2].awaiting == [consumer.name]
    assert consumer.client.list_proposals(awaiting=consumer.name)[0].id == result.results[2].proposal_id
    assert producer.client.gate(proposed).state == "pending"
    assert [(c.version, c.status) for c in producer.client.list_contracts(compatible)] == [
        ("1.1.0", "active"),
        ("1.0.0", "deprecated"),
    ]
    assert producer.client.get_asset(compatible).description == "now with phone"
    assert other.client.get_asset(theirs).active_version == "1.0.0"
    # the upstream named only in depends_on exists now, unclaimed; lineage reaches the new asset
    assert producer.client.get_asset(upstream).owner_team is None
    assert [d.fqn for d in producer.client.impact(same, V1_DROP_NAME).downstream] == [new]

    # audited exactly once per change, nothing for what did not change or failed
    assert _actions(admin_client, same) == Counter({"asset.created": 1, "contract.published": 1})
    assert _actions(admin_client, compatible) == Counter(
        {"asset.created": 1, "contract.published": 2, "asset.updated": 1}
    )
    assert _actions(admin_client, proposed)["proposal.opened"] == 1
    assert _actions(admin_client, new) == Counter(
        {"asset.created": 1, "contract.published": 1, "lineage.linked": 1}
    )
    assert _actions(admin_client, theirs) == Counter({"asset.created": 1, "contract.published": 1})


def test_republishing_a_project_is_unchanged_and_writes_nothing(make_team, unique, admin_client) -> None:
    producer = make_team("p")
    fqns = [unique("r.m") for _ in range(150)]
    items = [{"fqn": f, "schema": V1, "guarantees": {"freshness": "1h"}} for f in fqns]
    assert producer.client.bulk_publish(items).counts == {"published": 150}
    audited = len(admin_client.audit(limit=10_000))
    # the same documents with their keys in another order are the same documents
    shuffled = [{**item, "schema": dict(reversed(list(V1.items())))} for item in items]
    assert producer.client.bulk_publish(shuffled).counts == {"unchanged": 150}
    assert len(admin_client.audit(limit=10_000)) == audited
    # new guarantees alone are a patch
    changed = [{**item, "guarantees": {"freshness": "2h"}} for item in items]
    assert {r.version for r in producer.client.bulk_publish(changed).results} == {"1.0.1"}


def test_a_repeated_breaking_publish_returns_the_open_proposals(make_team, unique) -> None:
    producer, consumer = make_team("p"), make_team("c")
    fqns = [unique("x.m") for _ in range(120)]
    producer.client.bulk_publish([{"fqn": f, "schema": V1} for f in fqns])
    consumer.client.bulk_register([{"fqn": f, "consumer_ref": "dbt:c.model"} for f in fqns])
    breaking = [{"fqn": f, "schema": V1_DROP_EMAIL} for f in fqns]
    first = producer.client.bulk_publish(breaking)
    assert first.counts == {"proposed": 120}
    again = producer.client.bulk_publish(breaking)
    assert again.counts == {"proposed": 120}
    assert [r.proposal_id for r in again.results] == [r.proposal_id for r in first.results]
    # a different breaking schema supersedes every one of them
    revised = producer.client.bulk_publish([{"fqn": f, "schema": V1_DROP_NAME} for f in fqns])
    assert revised.counts == {"proposed": 120}
    assert not {r.proposal_id for r in revised.results} & {r.proposal_id for r in first.results}
    assert producer.client.get_proposal(first.results[0].proposal_id).status == "superseded"


def test_a_large_dry_run_leaves_nothing_behind(make_team, unique, admin_client) -> None:
    producer, consumer = make_team("p"), make_team("c")
    fqns = [unique("d.m") for _ in range(120)]
    producer.client.bulk_publish([{"fqn": f, "schema": V1} for f in fqns])
    consumer.client.bulk_register([{"fqn": f} for f in fqns])
    audited = len(admin_client.audit(limit=10_000))
    new = unique("d.new")
    check = producer.client.bulk_publish(
        [{"fqn": f, "schema": V1_DROP_EMAIL} for f in fqns] + [{"fqn": new, "schema": V1}], dry_run=True
    )
    assert check.counts == {"proposed": 120, "published": 1}
    assert {tuple(r.awaiting) for r in check.results[:-1]} == {(consumer.name,)}
    assert len(admin_client.audit(limit=10_000)) == audited
    assert producer.client.gate(fqns[0]).state == "clear"
    assert consumer.client.list_proposals(awaiting=consumer.name) == []
    with pytest.raises(Exception, match="does not exist"):
        producer.client.get_asset(new)


def test_an_item_the_database_refuses_does_not_abort_the_batch(
    make_team, unique, admin_client, database_url
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite stores NUL characters; PostgreSQL refuses them in text columns")
    producer = make_team("p")
    good = [unique("n.ok") for _ in range(3)]
    bad = unique("n.bad")
    items = [{"fqn": f, "schema": V1} for f in good]
    items.insert(1, {"fqn": bad, "schema": V1, "description": "nul \x00 inside"})
    result = producer.client.bulk_publish(items)
    assert [r.outcome for r in result.results] == ["published", "error", "published", "published"]
    assert result.results[1].error.code == "invalid_value"
    assert "NUL" in result.results[1].error.message
    for fqn in good:
        assert producer.client.get_asset(fqn).active_version == "1.0.0"
        assert _actions(admin_client, fqn) == Counter({"asset.created": 1, "contract.published": 1})
    with pytest.raises(Exception, match="does not exist"):
        producer.client.get_asset(bad)
    assert _actions(admin_client, bad) == Counter()
