"""The invariant of DESIGN.md §4 under random interleavings (hypothesis ``RuleBasedStateMachine``).

Several teams drive random sequences of publish (compatible / breaking / identical / re-proposing),
register (all columns or a few), unregister, acknowledge (approved / migrating / blocked), withdraw, admin
force and mode changes on two assets, through the real client against the real service on loopback
(SQLite, and PostgreSQL when configured). After EVERY step the machine checks, for every asset:

* versions strictly increase, none is lost or rewritten, exactly one is active (the newest);
* every new active version differs from the previous one by a change that is breaking under the asset's
  mode only if each affected consumer (registered, not the owner, reading a changed column) had consented
  to exactly those changes — ``approved`` or ``migrating`` — or an admin forced it (audit log);
* a breaking change always bumps the major version;
* what the service says about who is affected (acknowledgments refused as ``not_affected`` or accepted)
  agrees with a model computed independently from the registrations and the engine's verdict.

The world model keeps registrations, the mode, and the answers given in the current proposal chain
(answers carry over when a proposal is superseded, and are dropped when a proposal ends otherwise).
``TESSERA_MACHINE_EXAMPLES`` / ``TESSERA_MACHINE_STEPS`` scale the search (defaults 25 x 30).
"""

from __future__ import annotations

import collections
import itertools
import os
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tessera_core import (
    ConflictError,
    PermissionDeniedError,
    Severity,
    TesseraClient,
    check_transitive_compatibility,
)

COLUMNS = ("a", "b", "c", "d")
TYPES = ("string", "integer")
MODES = ("backward", "forward", "full", "none", "backward_transitive")
CONSENT = ("approved", "migrating")
MUTATIONS = ("identical", "add_optional", "add_required", "remove", "retype", "relax", "repropose")

ChangeKey = tuple[str, str]
SEEN: collections.Counter[str] = collections.Counter()
"""What the machine did and saw, over a run (printed, and used to check the search reached the states that matter)."""


def event(what: str) -> None:
    """Count one thing the machine did or saw."""
    SEEN[what] += 1


def table_schema(columns: dict[str, str], required: set[str]) -> dict[str, Any]:
    """A closed JSON Schema object (a table): ``columns`` name -> type, some required."""
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {name: {"type": kind} for name, kind in sorted(columns.items())},
        "required": sorted(required & set(columns)),
    }


def columns_of(source: dict[str, Any]) -> tuple[dict[str, str], set[str]]:
    """Inverse of :func:`table_schema` for documents the machine published."""
    return {k: v["type"] for k, v in source["properties"].items()}, set(source.get("required", []))


def semver(version: str) -> tuple[int, int, int]:
    major, minor, patch = version.split(".")
    return int(major), int(minor), int(patch)


def breaking_changes(mode: str, history: list[dict[str, Any]], new: dict[str, Any]) -> list[Any]:
    """The engine's breaking changes of ``new`` against the history (oldest first) under ``mode``."""
    report = check_transitive_compatibility(history, new, mode)
    return [c for c in report.changes if c.severity == Severity.BREAKING]


def concerning(changes: list[Any], columns: tuple[str, ...] | None) -> frozenset[ChangeKey]:
    """The (rule, path) of the changes a consumer reading ``columns`` (None = all) must answer for."""
    return frozenset(
        (c.rule, c.path) for c in changes if columns is None or c.field is None or c.field in columns
    )


@dataclass
class AssetModel:
    """What the machine knows about one asset."""

    fqn: str
    owner: str
    mode: str
    registrations: dict[str, tuple[str, ...] | None] = field(default_factory=dict)
    answers: dict[str, tuple[str, frozenset[ChangeKey]]] = field(default_factory=dict)
    live: uuid.UUID | None = None
    versions: list[str] = field(default_factory=list)
    contracts: list[Any] = field(default_factory=list)  # oldest first


@dataclass
class Actors:
    """Clients of the teams the machine plays, by team name."""

    admin_team: str
    admin: TesseraClient
    owners: list[str]
    consumers: list[str]
    clients: dict[str, TesseraClient]


class InvariantMachine(RuleBasedStateMachine):
    """Random coordination traffic on two assets; the invariant is checked after every step."""

    actors: Actors  # set by the test before the run

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[AssetModel] = []

    # ---- helpers ---------------------------------------------------------------------------------

    def client(self, team: str) -> TesseraClient:
        return self.actors.clients[team]

    def has_live(self) -> bool:
        return any(a.live is not None for a in self.assets)

    def live_asset(self, index: int) -> AssetModel:
        """The asset ``index`` if it has a live proposal, else the other one (which then has one)."""
        asset = self.assets[index]
        return asset if asset.live is not None else self.assets[1 - index]

    def active_source(self, asset: AssetModel) -> dict[str, Any]:
        return dict(asset.contracts[-1].source)

    def affected(self, asset: AssetModel, changes: list[Any]) -> dict[str, frozenset[ChangeKey]]:
        """Affected teams under the model: registered, not the owner, reading a changed column."""
        result = {}
        for team, columns in asset.registrations.items():
            keys = concerning(changes, columns)
            if team != asset.owner and keys:
                result[team] = keys
        return result

    # ---- setup -----------------------------------------------------------------------------------

    @initialize(
        modes=st.tuples(st.sampled_from(MODES), st.sampled_from(MODES)),
        readers=st.lists(
            st.tuples(
                st.integers(0, 1),
                st.integers(0, 10),
                st.none() | st.sets(st.sampled_from(COLUMNS), min_size=1, max_size=2),
            ),
            min_size=1,
            max_size=4,
        ),
    )
    def create_assets(self, modes: tuple[str, str], readers: list[tuple[int, int, set[str] | None]]) -> None:
        for index, mode in enumerate(modes):
            owner = self.actors.owners[index % len(self.actors.owners)]
            fqn = f"machine.{uuid.uuid4().hex[:12]}.t{index}"
            first = table_schema({"a": "string", "b": "integer", "c": "string"}, {"a"})
            result = self.client(owner).publish(fqn, first, mode=mode)
            assert result.outcome == "published"
            assert result.version == "1.0.0"
            self.assets.append(AssetModel(fqn=fqn, owner=owner, mode=mode))
        for index, who, columns in readers:  # every run starts with some consumers
            self.register(index, who, columns)
        self.check_invariant()

    # ---- rules -----------------------------------------------------------------------------------

    @rule(
        index=st.integers(0, 1),
        mutation=st.sampled_from(MUTATIONS),
        pick=st.integers(0, len(COLUMNS) - 1),
        kind=st.sampled_from(TYPES),
    )
    def publish(self, index: int, mutation: str, pick: int, kind: str) -> None:
        asset = self.assets[index]
        columns, required = columns_of(self.active_source(asset))
        absent = [c for c in COLUMNS if c not in columns] or [None]
        present = sorted(columns)
        new_column, old_column = absent[pick % len(absent)], present[pick % len(present)]
        if mutation == "repropose":
            if asset.live is None:
                return
            document = self.client(asset.owner).get_proposal(asset.live).source
        else:
            if mutation == "add_optional" and new_column:
                columns[new_column] = kind
            elif mutation == "add_required" and new_column:
                columns[new_column], required = kind, required | {new_column}
            elif mutation == "remove" and len(columns) > 1:
                del columns[old_column]
            elif mutation == "retype":
                columns[old_column] = "integer" if columns[old_column] == "string" else "string"
            elif mutation == "relax":
                required = required - {old_column}
            document = table_schema(columns, required)
        before = list(asset.versions)
        result = self.client(asset.owner).publish(asset.fqn, document)
        if mutation == "identical":
            assert result.outcome == "unchanged", result
            assert result.version == before[-1]
        if mutation == "repropose" and result.outcome == "proposed":
            assert result.proposal_id == asset.live, "re-publishing a proposed schema returns that proposal"
        assert result.outcome in ("unchanged", "published", "proposed")
        event(f"publish {mutation}: {result.outcome}")

    @rule(index=st.integers(0, 1), stranger=st.integers(0, 10))
    def publish_as_a_stranger(self, index: int, stranger: int) -> None:
        asset = self.assets[index]
        others = [t for t in self.actors.consumers if t != asset.owner]
        team = others[stranger % len(others)]
        document = table_schema({"z": "string"}, set())
        try:
            self.client(team).publish(asset.fqn, document)
        except PermissionDeniedError:
            return
        raise AssertionError(f"{team} published {asset.fqn} owned by {asset.owner}")

    @rule(
        index=st.integers(0, 1),
        who=st.integers(0, 10),
        columns=st.none() | st.sets(st.sampled_from(COLUMNS), min_size=1, max_size=2),
    )
    def register(self, index: int, who: int, columns: set[str] | None) -> None:
        asset = self.assets[index]
        teams = [*self.actors.consumers, asset.owner]  # the owner's own registration must never count
        team = teams[who % len(teams)]
        self.client(team).register(asset.fqn, columns=sorted(columns) if columns else None)
        asset.registrations[team] = tuple(sorted(columns)) if columns else None
        event("register " + ("owner" if team == asset.owner else "consumer"))

    @rule(index=st.integers(0, 1), who=st.integers(0, 10))
    def unregister(self, index: int, who: int) -> None:
        asset = self.assets[index]
        if not asset.registrations:
            return
        team = sorted(asset.registrations)[who % len(asset.registrations)]
        self.client(team).unregister(asset.fqn)
        del asset.registrations[team]
        event("unregister")

    @precondition(lambda self: self.has_live())
    @rule(
        index=st.integers(0, 1),
        who=st.integers(0, 10),
        decision=st.sampled_from(("approved", "migrating", "blocked")),
    )
    def acknowledge(self, index: int, who: int, decision: str) -> None:
        asset = self.live_asset(index)
        # mostly registered teams (who can be affected), sometimes anyone (who must be refused)
        teams = sorted(asset.registrations) if who < 8 and asset.registrations else self.actors.consumers
        team = teams[who % len(teams)]
        proposal = self.client(team).get_proposal(asset.live)
        history = [c.schema_ for c in asset.contracts]
        mine = self.affected(asset, breaking_changes(asset.mode, history, proposal.schema_)).get(team)
        after: Any = None
        try:
            after = self.client(team).acknowledge(asset.live, decision)
        except ConflictError as exc:
            refusal = exc.code
        else:
            refusal = None
        if refusal is not None:
            event(f"answer refused: {refusal}")
            assert refusal == "not_affected", refusal
            assert mine is None, f"the service says {team} is not affected; the model says {sorted(mine)}"
            return
        assert mine is not None, f"the service took an answer from {team}, which the model says is unaffected"
        assert after.id == asset.live
        asset.answers[team] = (decision, mine)
        event(f"answer recorded: {decision}")

    @precondition(lambda self: self.has_live())
    @rule(index=st.integers(0, 1))
    def withdraw(self, index: int) -> None:
        asset = self.live_asset(index)
        assert self.client(asset.owner).withdraw(asset.live).status == "withdrawn"

    @precondition(lambda self: self.has_live())
    @rule(index=st.integers(0, 1))
    def force(self, index: int) -> None:
        asset = self.live_asset(index)
        forced = self.actors.admin.force(asset.live, "emergency fix, consumers told")
        assert forced.status == "forced"

    @rule(index=st.integers(0, 1), mode=st.sampled_from(MODES))
    def change_mode(self, index: int, mode: str) -> None:
        asset = self.assets[index]
        assert self.client(asset.owner).set_asset(asset.fqn, mode=mode).mode == mode
        asset.mode = mode

    # ---- the invariant ---------------------------------------------------------------------------

    @invariant()
    def check_invariant(self) -> None:
        for asset in self.assets:
            self.check_asset(asset)

    def check_asset(self, asset: AssetModel) -> None:
        admin = self.actors.admin
        contracts = list(reversed(admin.list_contracts(asset.fqn)))
        versions = [c.version for c in contracts]
        assert versions[: len(asset.versions)] == asset.versions, "a version was lost or rewritten"
        assert all(semver(a) < semver(b) for a, b in itertools.pairwise(versions)), versions
        assert [c.status == "active" for c in contracts] == [False] * (len(contracts) - 1) + [True]
        new = range(len(asset.versions), len(contracts))
        if asset.versions and len(new):
            events = {
                e.payload.get("version"): e
                for e in admin.audit(asset.fqn, limit=10_000)
                if e.action in ("contract.published", "contract.forced")
            }
            for i in new:
                self.check_transition(asset, contracts[:i], contracts[i], events[contracts[i].version])
        asset.versions, asset.contracts = versions, contracts
        self.follow_proposal_chain(asset)

    def check_transition(self, asset: AssetModel, history: list[Any], new: Any, audit: Any) -> None:
        breaking = breaking_changes(asset.mode, [c.schema_ for c in history], new.schema_)
        if not breaking:
            event("new version: not breaking")
            return
        assert semver(new.version)[0] == semver(history[-1].version)[0] + 1, "breaking without a major bump"
        if audit.action == "contract.forced":
            assert audit.actor_team == self.actors.admin_team, "only an admin may force"
            event("new version: breaking, forced")
            return
        affected = self.affected(asset, breaking)
        event(
            "new version: breaking, "
            + ("every affected consumer consented" if affected else "nobody affected")
        )
        for team, keys in affected.items():
            answer = asset.answers.get(team)
            assert answer is not None, f"{new.version} of {asset.fqn} published without an answer from {team}"
            decision, consented_to = answer
            assert decision in CONSENT, f"{new.version} published while {team} said {decision}"
            assert keys <= consented_to, (
                f"{new.version} published; {team} consented to {sorted(consented_to)} but is affected by "
                f"{sorted(keys)}"
            )

    def follow_proposal_chain(self, asset: AssetModel) -> None:
        gate = self.actors.admin.gate(asset.fqn)
        live = gate.proposal.id if gate.proposal is not None else None
        assert gate.active_version == asset.versions[-1]
        if live == asset.live:
            return
        carried = False
        if asset.live is not None:
            old = self.actors.admin.get_proposal(asset.live)
            assert not old.status.live
            carried = old.status == "superseded" and old.superseded_by == live
            if old.status in ("published", "forced"):
                assert old.published_version in asset.versions
        if not carried:
            asset.answers = {}
        asset.live = live


EXAMPLES = int(os.environ.get("TESSERA_MACHINE_EXAMPLES", "25"))
STEPS = int(os.environ.get("TESSERA_MACHINE_STEPS", "30"))


@pytest.mark.slow
def test_invariant_holds_under_random_interleavings(tessera_server, make_team, admin_client) -> None:
    owners = [make_team("owner").name for _ in range(2)]
    consumer_handles = [make_team("consumer") for _ in range(3)]
    handles = {h.name: h.client for h in consumer_handles}
    for name in owners:
        handles[name] = TesseraClient(tessera_server.base_url, admin_client.create_key(name).token)
    # owners also act as consumers of each other's asset
    InvariantMachine.actors = Actors(
        admin_team="admin",
        admin=admin_client,
        owners=owners,
        consumers=[*[h.name for h in consumer_handles], *owners],
        clients=handles,
    )
    SEEN.clear()
    try:
        run_state_machine_as_test(
            InvariantMachine,
            settings=settings(
                max_examples=EXAMPLES,
                stateful_step_count=STEPS,
                deadline=None,
                database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )
    finally:
        for name in owners:
            handles[name].close()
    print("\n".join(f"{count:6d}  {what}" for what, count in sorted(SEEN.items())))


def test_the_model_sees_a_missing_answer_as_a_violation() -> None:
    """The checker itself: a breaking publish without the affected consumer's consent must fail it."""
    machine = InvariantMachine.__new__(InvariantMachine)

    @dataclass
    class C:
        version: str
        schema_: dict[str, Any]

    @dataclass
    class E:
        action: str
        actor_team: str

    asset = AssetModel(fqn="x", owner="p", mode="backward", registrations={"c": None})
    old = C("1.0.0", table_schema({"a": "string", "b": "string"}, set()))
    new = C("2.0.0", table_schema({"a": "string"}, set()))
    with pytest.raises(AssertionError, match="without an answer from c"):
        machine.check_transition(asset, [old], new, E("contract.published", "p"))
    asset.answers["c"] = (
        "blocked",
        frozenset(concerning(breaking_changes("backward", [old.schema_], new.schema_), None)),
    )
    with pytest.raises(AssertionError, match="said blocked"):
        machine.check_transition(asset, [old], new, E("contract.published", "p"))
    asset.answers["c"] = ("approved", asset.answers["c"][1])
    machine.check_transition(asset, [old], new, E("contract.published", "p"))
    asset.registrations["c"] = ("a",)  # reads only an unchanged column: not affected
    asset.answers.clear()
    machine.check_transition(asset, [old], new, E("contract.published", "p"))
