"""The life of a proposal over real HTTP through the client (DESIGN.md §4)."""

from __future__ import annotations

import threading

import pytest

from tessera_core import ConflictError, PermissionDeniedError
from tessera_core.client import build_publish_item
from tests.service.schemas import V1, V1_ADD, V1_DROP_EMAIL, V1_DROP_NAME, table


@pytest.fixture
def world(make_team, unique):
    """A producer with a published asset and two registered consumer teams."""
    producer, alice, bob = make_team("producer"), make_team("alice"), make_team("bob")
    fqn = unique("warehouse.orders")
    assert producer.client.publish(fqn, V1).version == "1.0.0"
    alice.client.register(fqn, consumer_ref="dbt:alice.model")
    bob.client.register(fqn, consumer_ref="dagster:bob_asset")
    return producer, alice, bob, fqn


def test_full_life_of_a_proposal(world, admin_client) -> None:
    producer, alice, bob, fqn = world
    proposed = producer.client.publish(fqn, V1_DROP_EMAIL)
    assert proposed.outcome == "proposed"
    assert sorted(proposed.awaiting) == sorted([alice.name, bob.name])
    assert proposed.target_version == "2.0.0"
    assert [c.rule for c in proposed.changes] == ["property-removed"]
    assert producer.client.gate(fqn).state == "pending"

    inbox = alice.client.list_proposals(awaiting=alice.name)
    assert [p.id for p in inbox] == [proposed.proposal_id]

    after_alice = alice.client.acknowledge(proposed.proposal_id, "approved", note="fine")
    assert after_alice.status == "open"
    assert after_alice.awaiting == [bob.name]
    assert alice.client.list_proposals(awaiting=alice.name) == []

    blocked = bob.client.acknowledge(proposed.proposal_id, "blocked", note="we read email")
    assert blocked.status == "blocked"
    gate = producer.client.gate(fqn)
    assert gate.state == "blocked"
    assert gate.proposal.blocking == [bob.name]

    published = bob.client.acknowledge(proposed.proposal_id, "migrating", note="switching to v2 next week")
    assert published.status == "published"
    assert published.published_version == "2.0.0"
    assert producer.client.gate(fqn).state == "clear"
    assert producer.client.get_asset(fqn).active_version == "2.0.0"
    contracts = producer.client.list_contracts(fqn)
    assert [(c.version, c.status) for c in contracts] == [("2.0.0", "active"), ("1.0.0", "deprecated")]

    actions = [e.action for e in admin_client.audit(fqn, limit=50)]
    for action in ("proposal.opened", "proposal.acknowledged", "proposal.blocked", "proposal.published"):
        assert action in actions


def test_owner_is_not_an_affected_consumer(make_team, unique) -> None:
    producer = make_team("producer")
    fqn = unique("wh.t")
    producer.client.publish(fqn, V1)
    producer.client.register(fqn)  # the producer reads its own table
    result = producer.client.publish(fqn, V1_DROP_EMAIL)
    assert result.outcome == "published"
    assert result.version == "2.0.0"
    assert "no registered consumer is affected" in result.message


def test_breaking_change_without_consumers_publishes_major(make_team, unique) -> None:
    producer = make_team("producer")
    fqn = unique("wh.t")
    producer.client.publish(fqn, V1)
    assert producer.client.publish(fqn, V1_DROP_EMAIL).version == "2.0.0"


def test_consumer_registering_mid_proposal_must_answer_too(world, make_team) -> None:
    producer, alice, bob, fqn = world
    proposal = producer.client.publish(fqn, V1_DROP_EMAIL).proposal_id
    alice.client.acknowledge(proposal, "approved")
    carol = make_team("carol")
    carol.client.register(fqn)
    bob.client.acknowledge(proposal, "approved")
    state = producer.client.get_proposal(proposal)
    assert state.status == "open"
    assert state.awaiting == [carol.name]
    assert carol.client.acknowledge(proposal, "approved").status == "published"


def test_consumer_unregistering_mid_proposal_no_longer_blocks(world) -> None:
    producer, alice, bob, fqn = world
    proposal = producer.client.publish(fqn, V1_DROP_EMAIL).proposal_id
    alice.client.acknowledge(proposal, "approved")
    bob.client.acknowledge(proposal, "blocked")
    assert producer.client.gate(fqn).state == "blocked"
    bob.client.unregister(fqn, consumer_ref="dagster:bob_asset")
    assert producer.client.get_proposal(proposal).status == "published"
    assert producer.client.gate(fqn).state == "clear"


def test_a_compatible_publish_while_a_proposal_is_open(world) -> None:
    producer, alice, bob, fqn = world
    proposal = producer.client.publish(fqn, V1_DROP_EMAIL)
    compatible = producer.client.publish(fqn, V1_ADD)
    assert compatible.outcome == "published"
    assert compatible.version == "1.1.0"
    assert compatible.proposal_id == proposal.proposal_id  # still open, re-based
    state = producer.client.get_proposal(proposal.proposal_id)
    assert state.status == "open"
    assert state.base_version == "1.1.0"
    # against 1.1.0 the proposal would also drop 'phone': the consumers are asked about that too
    assert {c.path for c in state.changes if c.severity == "breaking"} == {
        "/properties/email",
        "/properties/phone",
    }
    alice.client.acknowledge(proposal.proposal_id, "approved")
    done = bob.client.acknowledge(proposal.proposal_id, "approved")
    assert done.status == "published"
    assert done.published_version == "2.0.0"
    assert (
        producer.client.list_contracts(fqn)[0].schema_
        == producer.client.get_proposal(proposal.proposal_id).schema_
    )


def test_answers_reset_where_the_changes_differ_after_the_base_moved(world) -> None:
    producer, alice, bob, fqn = world
    proposal = producer.client.publish(fqn, V1_DROP_EMAIL).proposal_id
    alice.client.acknowledge(proposal, "approved")  # consented to dropping email only
    producer.client.publish(fqn, V1_ADD)  # proposal now also drops phone
    state = producer.client.get_proposal(proposal)
    assert sorted(state.awaiting) == sorted([alice.name, bob.name])
    assert [a.current for a in state.acknowledgments] == [False]


def test_same_schema_again_returns_the_open_proposal(world) -> None:
    producer, _alice, _bob, fqn = world
    first = producer.client.publish(fqn, V1_DROP_EMAIL)
    again = producer.client.publish(fqn, V1_DROP_EMAIL)
    assert again.outcome == "proposed"
    assert again.proposal_id == first.proposal_id
    assert len(producer.client.list_proposals(asset=fqn)) == 1


def test_a_different_breaking_schema_supersedes_and_keeps_answers_where_changes_match(world) -> None:
    producer, alice, bob, fqn = world
    # alice reads only 'name', bob only 'email'
    alice.client.register(fqn, consumer_ref="dbt:alice.model", columns=["name"])
    bob.client.register(fqn, consumer_ref="dagster:bob_asset", columns=["email"])
    drop_both = table("id")
    first = producer.client.publish(fqn, drop_both)
    assert sorted(first.awaiting) == sorted([alice.name, bob.name])
    alice.client.acknowledge(first.proposal_id, "approved")
    bob.client.acknowledge(first.proposal_id, "blocked")
    # revise: keep email, still drop name -> bob is no longer affected, alice's answer still counts
    revised = producer.client.publish(fqn, V1_DROP_NAME)
    assert revised.proposal_id != first.proposal_id
    assert revised.outcome == "published"  # alice already consented to exactly this change
    old = producer.client.get_proposal(first.proposal_id)
    assert old.status == "superseded"
    assert old.superseded_by == revised.proposal_id


def test_revision_resets_answers_when_the_changes_differ(world) -> None:
    producer, alice, bob, fqn = world
    first = producer.client.publish(fqn, V1_DROP_EMAIL)
    alice.client.acknowledge(first.proposal_id, "approved")
    revised = producer.client.publish(fqn, table("id"))  # drops name as well: new question for everyone
    assert revised.outcome == "proposed"
    assert sorted(revised.awaiting) == sorted([alice.name, bob.name])


def test_withdraw(world) -> None:
    producer, alice, _bob, fqn = world
    proposal = producer.client.publish(fqn, V1_DROP_EMAIL).proposal_id
    with pytest.raises(PermissionDeniedError, match="only its owner team or an admin"):
        alice.client.withdraw(proposal)
    assert producer.client.withdraw(proposal).status == "withdrawn"
    assert producer.client.gate(fqn).state == "clear"
    assert producer.client.get_asset(fqn).active_version == "1.0.0"
    with pytest.raises(ConflictError, match="withdrawn"):
        alice.client.acknowledge(proposal, "approved")


def test_admin_force_with_reason(world, admin_client) -> None:
    producer, alice, bob, fqn = world
    proposal = producer.client.publish(fqn, V1_DROP_EMAIL).proposal_id
    bob.client.acknowledge(proposal, "blocked")
    with pytest.raises(PermissionDeniedError, match="admin"):
        producer.client.force(proposal, "because")
    forced = admin_client.force(proposal, "incident 42: upstream source dropped the column")
    assert forced.status == "forced"
    assert forced.reason.startswith("incident 42")
    assert producer.client.get_asset(fqn).active_version == "2.0.0"
    event = next(e for e in admin_client.audit(fqn) if e.action == "contract.forced")
    assert event.payload["reason"].startswith("incident 42")
    assert sorted(event.payload["skipped"]["awaiting"] + event.payload["skipped"]["blocking"]) == sorted(
        [alice.name, bob.name]
    )
    with pytest.raises(ConflictError, match="forced"):
        admin_client.force(proposal, "again")


def test_admin_publish_with_force_reason(world, admin_client) -> None:
    producer, _alice, _bob, fqn = world
    item = build_publish_item(fqn, V1_DROP_EMAIL).model_copy(
        update={"force_reason": "hotfix approved by CAB"}
    )
    out = admin_client.bulk_publish([item]).results[0]
    assert out.outcome == "forced"
    assert out.version == "2.0.0"
    item = build_publish_item(fqn, V1).model_copy(update={"force_reason": "not an admin"})
    refused = producer.client.bulk_publish([item]).results[0]
    assert refused.outcome == "error"
    assert refused.error.code == "forbidden"


def test_only_affected_teams_can_acknowledge(world, make_team) -> None:
    producer, _alice, _bob, fqn = world
    proposal = producer.client.publish(fqn, V1_DROP_EMAIL).proposal_id
    stranger = make_team("stranger")
    with pytest.raises(ConflictError, match="not an affected consumer"):
        stranger.client.acknowledge(proposal, "approved")


def test_column_aware_consumers(make_team, unique) -> None:
    producer, reads_name, reads_email = make_team("p"), make_team("n"), make_team("e")
    fqn = unique("wh.t")
    producer.client.publish(fqn, V1)
    reads_name.client.register(fqn, columns=["id", "name"])
    reads_email.client.register(fqn, columns=["email"])
    result = producer.client.publish(fqn, V1_DROP_EMAIL)
    assert result.outcome == "proposed"
    assert result.awaiting == [reads_email.name]


def test_pinned_major_consumers_are_not_asked(make_team, unique) -> None:
    producer, pinned_old, floating = make_team("p"), make_team("old"), make_team("f")
    fqn = unique("wh.t")
    producer.client.publish(fqn, V1)
    pinned_old.client.register(fqn, pinned_major=0)  # pinned to a major that is not active
    floating.client.register(fqn)
    assert producer.client.publish(fqn, V1_DROP_EMAIL).awaiting == [floating.name]


def test_two_proposals_racing(world) -> None:
    producer, _alice, _bob, fqn = world
    results = []
    barrier = threading.Barrier(2)

    def publish(schema):
        barrier.wait()
        results.append(producer.client.publish(fqn, schema))

    threads = [threading.Thread(target=publish, args=(s,)) for s in (V1_DROP_EMAIL, V1_DROP_NAME)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.outcome for r in results) == ["proposed", "proposed"]
    proposals = producer.client.list_proposals(asset=fqn)
    assert sorted(p.status for p in proposals) == ["open", "superseded"]
    live = next(p for p in proposals if p.status == "open")
    assert producer.client.gate(fqn).proposal.id == live.id
    assert producer.client.get_asset(fqn).active_version == "1.0.0"


def test_racing_last_acknowledgments_publish_exactly_once(world) -> None:
    producer, alice, bob, fqn = world
    proposal = producer.client.publish(fqn, V1_DROP_EMAIL).proposal_id
    barrier = threading.Barrier(2)
    answers = []

    def ack(team):
        barrier.wait()
        answers.append(team.client.acknowledge(proposal, "approved").status)

    threads = [threading.Thread(target=ack, args=(t,)) for t in (alice, bob)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert "published" in answers
    versions = [c.version for c in producer.client.list_contracts(fqn)]
    assert versions == ["2.0.0", "1.0.0"]


def test_mode_change_to_none_releases_an_open_proposal_and_is_audited(world, admin_client) -> None:
    producer, alice, _bob, fqn = world
    proposal = producer.client.publish(fqn, V1_DROP_EMAIL).proposal_id
    with pytest.raises(PermissionDeniedError):
        alice.client.set_asset(fqn, mode="none")
    producer.client.set_asset(fqn, mode="none")
    assert producer.client.get_proposal(proposal).status == "published"
    changed = next(e for e in admin_client.audit(fqn) if e.action == "asset.mode_changed")
    assert changed.payload == {"from": "backward", "to": "none", "via": "asset set"}
    assert changed.actor_team == producer.name


def test_expiry_is_real(make_team, unique, tessera_server, admin_client) -> None:
    import time

    producer, consumer = make_team("p"), make_team("c")
    fqn = unique("wh.t")
    producer.client.publish(fqn, V1)
    producer.client.set_asset(fqn, proposal_ttl_seconds=1)
    consumer.client.register(fqn)
    proposal = producer.client.publish(fqn, V1_DROP_EMAIL)
    assert proposal.outcome == "proposed"
    time.sleep(1.2)
    assert producer.client.gate(fqn).state == "clear"  # expired on read
    assert producer.client.get_proposal(proposal.proposal_id).status == "expired"
    assert producer.client.get_asset(fqn).active_version == "1.0.0"
    assert any(e.action == "proposal.expired" for e in admin_client.audit(fqn))
    with pytest.raises(ConflictError, match="expired"):
        consumer.client.acknowledge(proposal.proposal_id, "approved")
    # publishing the same schema again opens a new proposal
    again = producer.client.publish(fqn, V1_DROP_EMAIL)
    assert again.outcome == "proposed"
    assert again.proposal_id != proposal.proposal_id


def test_a_blocked_proposal_unblocks_when_the_answer_changes(world, admin_client) -> None:
    producer, alice, bob, fqn = world
    proposal = producer.client.publish(fqn, V1_DROP_EMAIL).proposal_id
    assert alice.client.acknowledge(proposal, "blocked").status == "blocked"
    reopened = alice.client.acknowledge(proposal, "migrating")
    assert reopened.status == "open"
    assert reopened.awaiting == [bob.name]
    assert any(e.action == "proposal.unblocked" for e in admin_client.audit(fqn))


def test_ownership_transfer_is_owner_or_admin_and_audited(make_team, unique, admin_client) -> None:
    old, new, stranger = make_team("old"), make_team("new"), make_team("s")
    fqn = unique("wh.t")
    old.client.publish(fqn, V1)
    with pytest.raises(PermissionDeniedError):
        stranger.client.set_asset(fqn, owner=stranger.name)
    assert old.client.set_asset(fqn, owner=new.name).owner_team == new.name
    with pytest.raises(PermissionDeniedError):
        old.client.publish(fqn, V1_ADD)
    assert new.client.publish(fqn, V1_ADD).version == "1.1.0"
    event = next(e for e in admin_client.audit(fqn) if e.action == "asset.owner_changed")
    assert event.payload == {"from": old.name, "to": new.name}


def test_the_inbox_lists_only_what_awaits_the_team(world) -> None:
    producer, alice, bob, fqn = world
    proposal = producer.client.publish(fqn, V1_DROP_EMAIL).proposal_id
    alice.client.acknowledge(proposal, "approved")
    assert alice.client.list_proposals(awaiting=alice.name) == []
    assert [p.id for p in bob.client.list_proposals(awaiting=bob.name)] == [proposal]
    full = bob.client.get_proposal(proposal)
    assert {c.team: c.pending for c in full.consumers} == {alice.name: False, bob.name: True}
    assert [p.id for p in bob.client.list_proposals(asset=fqn, status="live")] == [proposal]
