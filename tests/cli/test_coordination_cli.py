"""The coordination commands of the ``tessera`` CLI, in-process, against the real service on loopback.

Every command is driven through ``tessera_cli.main.main([...])`` with ``TESSERA_URL`` / ``TESSERA_API_KEY``
in the environment: success paths (human and ``--json`` output) and failure paths (bad file, unknown team,
401, 403, unreachable URL), each with its documented exit code and a one-line message without a traceback.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml

from tessera_cli.main import main

V1 = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"id": {"type": "integer"}, "email": {"type": "string"}, "name": {"type": "string"}},
    "required": ["id"],
}
V1_ADD = {**V1, "properties": {**V1["properties"], "country": {"type": "string"}}}
V1_DROP_EMAIL = {**V1, "properties": {k: v for k, v in V1["properties"].items() if k != "email"}}


class Result(NamedTuple):
    """Exit code and captured output of one CLI run."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


Run = Callable[..., Result]


@pytest.fixture
def cli(tessera_server, capsys, monkeypatch) -> Run:
    """``cli(*argv, key=admin)``: run ``tessera`` in-process against the test server."""
    monkeypatch.setenv("TESSERA_URL", tessera_server.base_url)
    monkeypatch.delenv("TESSERA_API_KEY", raising=False)

    def run(*argv: str, key: str | None = tessera_server.admin_key) -> Result:
        if key is None:
            monkeypatch.delenv("TESSERA_API_KEY", raising=False)
        else:
            monkeypatch.setenv("TESSERA_API_KEY", key)
        capsys.readouterr()
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return Result(code, out, err)

    return run


@pytest.fixture
def schema_file(tmp_path: Path) -> Callable[..., str]:
    """``schema_file(document, name="schema.json")``: write a schema document, return its path."""

    def write(document: Any, name: str = "schema.json") -> str:
        path = tmp_path / name
        text = yaml.safe_dump(document) if name.endswith((".yml", ".yaml")) else json.dumps(document)
        path.write_text(text)
        return str(path)

    return write


class World(NamedTuple):
    producer: str
    producer_key: str
    consumer: str
    consumer_key: str
    fqn: str


@pytest.fixture
def world(cli: Run, unique, schema_file) -> World:
    """Two teams made through the CLI; the producer published V1 of an asset the consumer registered."""
    producer, consumer = unique("producer"), unique("consumer")
    for team in (producer, consumer):
        assert cli("team", "create", team).code == 0
    producer_key = cli("key", "create", "--team", producer).out.strip()
    consumer_key = cli("key", "create", "--team", consumer).out.strip()
    fqn = unique("warehouse.sales.orders")
    assert cli("publish", fqn, schema_file(V1), key=producer_key).code == 0
    assert cli("register", fqn, "--team", consumer, key=consumer_key).code == 0
    return World(producer, producer_key, consumer, consumer_key, fqn)


# ---- teams and keys -------------------------------------------------------------------------------


def test_team_create_human_and_json(cli: Run, unique) -> None:
    name = unique("team")
    created = cli("team", "create", name)
    assert created.code == 0
    assert created.out.strip() == f"created team {name}"
    listed = cli("team", "list", "--json")
    assert name in [t["name"] for t in listed.json()]
    again = cli("team", "create", name)
    assert again.code == 2
    assert name in again.err
    assert again.err.count("\n") == 1


def test_team_name_with_spaces_is_bad_input(cli: Run) -> None:
    result = cli("team", "create", "not a name")
    assert result.code == 2
    assert "name" in result.err


def test_key_create_prints_only_the_token_on_stdout(cli: Run, unique, tessera_server) -> None:
    name = unique("team")
    cli("team", "create", name)
    result = cli("key", "create", "--team", name, "--scope", "read")
    assert result.code == 0
    token = result.out.strip()
    assert "\n" not in token
    assert "shown once" in result.err
    # the token works, with the scope asked for
    assert cli("team", "list", key=token).code == 0
    denied = cli("team", "create", unique("other"), key=token)
    assert denied.code == 2
    assert "403" in denied.err


def test_key_create_json_has_token_and_scopes(cli: Run, unique) -> None:
    name = unique("team")
    cli("team", "create", name)
    result = cli("key", "create", "--team", name, "--scope", "read", "--scope", "write", "--json")
    body = result.json()
    assert body["team"] == name
    assert sorted(body["scopes"]) == ["read", "write"]
    assert body["token"]
    keys = cli("key", "list", "--team", name, "--json").json()
    assert [k["id"] for k in keys] == [body["id"]]
    assert "token" not in keys[0]
    revoked = cli("key", "revoke", body["id"])
    assert revoked.code == 0
    assert cli("team", "list", key=body["token"]).code == 2


def test_key_for_unknown_team_is_bad_input(cli: Run, unique) -> None:
    result = cli("key", "create", "--team", unique("ghost"))
    assert result.code == 2
    assert "404" in result.err


def test_unknown_scope_is_a_usage_error(cli: Run) -> None:
    result = cli("key", "create", "--team", "x", "--scope", "root")
    assert result.code == 2
    assert "invalid choice" in result.err


# ---- assets and registrations ---------------------------------------------------------------------


def test_asset_set_and_show(cli: Run, world: World) -> None:
    result = cli(
        "asset",
        "set",
        "--fqn",
        world.fqn,
        "--owner",
        world.producer,
        "--mode",
        "full",
        key=world.producer_key,
    )
    assert result.code == 0
    assert "mode full" in result.out
    shown = cli("asset", "show", world.fqn, "--json").json()
    assert shown["asset"]["mode"] == "full"
    assert [c["version"] for c in shown["contracts"]] == ["1.0.0"]
    human = cli("asset", "show", world.fqn)
    assert "1.0.0" in human.out
    assert "active" in human.out


def test_asset_set_for_another_team_is_403(cli: Run, world: World) -> None:
    result = cli(
        "asset",
        "set",
        "--fqn",
        world.fqn,
        "--owner",
        world.producer,
        "--mode",
        "none",
        key=world.consumer_key,
    )
    assert result.code == 2
    assert "403" in result.err


def test_asset_set_with_unknown_owner(cli: Run, unique) -> None:
    result = cli("asset", "set", "--fqn", unique("x.y"), "--owner", unique("ghost"))
    assert result.code == 2
    assert "404" in result.err


def test_register_with_columns_and_unregister(cli: Run, world: World) -> None:
    result = cli(
        "register",
        world.fqn,
        "--team",
        world.consumer,
        "--ref",
        "dbt:a.b",
        "--columns",
        "id, name",
        "--json",
        key=world.consumer_key,
    )
    assert result.code == 0
    body = result.json()
    assert body["columns"] == ["id", "name"]
    assert body["source"] == "manual"
    human = cli(
        "register",
        world.fqn,
        "--team",
        world.consumer,
        "--ref",
        "dbt:a.b",
        "--columns",
        "id",
        key=world.consumer_key,
    )
    assert "columns: id" in human.out
    gone = cli("unregister", world.fqn, "--team", world.consumer, "--ref", "dbt:a.b", key=world.consumer_key)
    assert gone.code == 0
    assert "no longer consumes" in gone.out


def test_register_for_another_team_is_403(cli: Run, world: World) -> None:
    result = cli("register", world.fqn, "--team", world.producer, key=world.consumer_key)
    assert result.code == 2
    assert "403" in result.err


def test_register_for_unknown_team(cli: Run, world: World, unique) -> None:
    result = cli("register", world.fqn, "--team", unique("ghost"))
    assert result.code == 2
    assert "404" in result.err


# ---- publishing, proposals, gate ------------------------------------------------------------------


def test_publish_outcomes_and_exit_codes(cli: Run, world: World, schema_file) -> None:
    same = cli("publish", world.fqn, schema_file(V1), key=world.producer_key)
    assert same.code == 0
    assert "unchanged 1.0.0" in same.out

    compatible = cli("publish", world.fqn, schema_file(V1_ADD, "add.json"), "--json", key=world.producer_key)
    assert compatible.code == 0
    assert compatible.json()["outcome"] == "published"
    assert compatible.json()["version"] == "1.1.0"

    breaking = cli("publish", world.fqn, schema_file(V1_DROP_EMAIL, "drop.yaml"), key=world.producer_key)
    assert breaking.code == 3
    assert "proposed 1.1.0 -> 2.0.0" in breaking.out
    assert world.consumer in breaking.out
    assert "breaking" in breaking.out

    gate = cli("gate", world.fqn)
    assert gate.code == 3
    assert "pending" in gate.out
    assert world.consumer in gate.out


def test_publish_dry_run_writes_nothing(cli: Run, world: World, schema_file) -> None:
    result = cli(
        "publish", world.fqn, schema_file(V1_DROP_EMAIL), "--dry-run", "--json", key=world.producer_key
    )
    assert result.code == 3
    assert result.json()["dry_run"] is True
    assert result.json()["awaiting"] == [world.consumer]
    assert cli("gate", world.fqn).code == 0
    assert (
        "would be proposed"
        in cli("publish", world.fqn, schema_file(V1_DROP_EMAIL), "--dry-run", key=world.producer_key).out
    )


def test_publish_with_format_flag_avro(cli: Run, unique, schema_file, world: World) -> None:
    avro = {"type": "record", "name": "User", "fields": [{"name": "id", "type": "long"}]}
    fqn = unique("kafka.users")
    detected = cli("publish", fqn, schema_file(avro, "user.avsc"), "--owner", world.producer, "--json")
    assert detected.code == 0
    assert detected.json()["version"] == "1.0.0"
    explicit = cli(
        "publish", fqn, schema_file(avro, "user.json"), "--format", "avro", "--owner", world.producer
    )
    assert explicit.code == 0
    assert "unchanged" in explicit.out


def test_full_proposal_flow_through_the_cli(cli: Run, world: World, schema_file) -> None:
    proposed = cli("publish", world.fqn, schema_file(V1_DROP_EMAIL), "--json", key=world.producer_key).json()
    pid = proposed["proposal_id"]

    inbox = cli("proposals", "--awaiting", world.consumer, key=world.consumer_key)
    assert inbox.code == 0
    assert pid in inbox.out
    assert world.fqn in inbox.out
    assert cli("proposals", "--asset", world.fqn, "--status", "open", "--json").json()[0]["id"] == pid

    shown = cli("proposal", "show", pid)
    assert shown.code == 0
    assert "property" in shown.out or "email" in shown.out
    assert world.consumer in shown.out

    blocked = cli("ack", pid, "--decision", "blocked", "--note", "we read email", key=world.consumer_key)
    assert blocked.code == 0
    assert "now blocked" in blocked.out
    assert "blocked" in cli("gate", world.fqn).out

    approved = cli("ack", pid, "--decision", "migrating", "--json", key=world.consumer_key)
    assert approved.code == 0
    assert approved.json()["status"] == "published"
    assert approved.json()["published_version"] == "2.0.0"
    gate = cli("gate", world.fqn)
    assert gate.code == 0
    assert "clear (active 2.0.0)" in gate.out
    assert (
        cli("proposals", "--awaiting", world.consumer, key=world.consumer_key).out.strip() == "no proposals"
    )

    audit = cli("audit", "--asset", world.fqn)
    assert audit.code == 0
    for action in ("proposal.opened", "proposal.acknowledged", "contract.published"):
        assert action in audit.out
    events = cli("audit", "--asset", world.fqn, "--json", "--limit", "100").json()
    assert {e["fqn"] for e in events} == {world.fqn}


def test_withdraw_and_force(cli: Run, world: World, schema_file) -> None:
    first = cli("publish", world.fqn, schema_file(V1_DROP_EMAIL), "--json", key=world.producer_key).json()
    withdrawn = cli("withdraw", first["proposal_id"], key=world.producer_key)
    assert withdrawn.code == 0
    assert "withdrawn" in withdrawn.out
    again = cli("withdraw", first["proposal_id"], key=world.producer_key)
    assert again.code == 2
    assert "409" in again.err

    second = cli("publish", world.fqn, schema_file(V1_DROP_EMAIL), "--json", key=world.producer_key).json()
    assert second["outcome"] == "proposed"
    not_admin = cli("force", second["proposal_id"], "--reason", "incident 42", key=world.producer_key)
    assert not_admin.code == 2
    assert "403" in not_admin.err
    forced = cli("force", second["proposal_id"], "--reason", "incident 42")
    assert forced.code == 0
    assert "forced" in forced.out
    assert "2.0.0" in forced.out
    events = cli("audit", "--asset", world.fqn, "--json").json()
    force_events = [e for e in events if e["action"] == "contract.forced"]
    assert force_events
    assert force_events[0]["payload"]["reason"] == "incident 42"


def test_ack_by_a_team_that_is_not_affected_is_409(cli: Run, world: World, schema_file) -> None:
    pid = cli("publish", world.fqn, schema_file(V1_DROP_EMAIL), "--json", key=world.producer_key).json()[
        "proposal_id"
    ]
    result = cli("ack", pid, "--decision", "approved", key=world.producer_key)
    assert result.code == 2
    assert "409" in result.err
    assert "not an affected consumer" in result.err


def test_impact_lists_direct_consumers(cli: Run, world: World, schema_file) -> None:
    result = cli("impact", world.fqn, schema_file(V1_DROP_EMAIL))
    assert result.code == 0
    assert "breaking" in result.out
    assert f"must acknowledge: {world.consumer}" in result.out
    body = cli("impact", world.fqn, schema_file(V1_DROP_EMAIL), "--json").json()
    assert body["breaking"] is True
    assert body["affected_teams"] == [world.consumer]


# ---- failure paths --------------------------------------------------------------------------------


def test_missing_schema_file(cli: Run, world: World, tmp_path) -> None:
    result = cli("publish", world.fqn, str(tmp_path / "nope.json"))
    assert result.code == 2
    assert "no such file" in result.err
    assert result.err.count("\n") == 1


def test_malformed_schema_file(cli: Run, world: World, tmp_path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"type": "object",')
    result = cli("publish", world.fqn, str(path))
    assert result.code == 2
    assert "not valid JSON" in result.err


def test_schema_file_that_is_not_an_object(cli: Run, world: World, tmp_path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n")
    result = cli("publish", world.fqn, str(path))
    assert result.code == 2
    assert "expected a JSON or YAML object" in result.err


def test_schema_the_service_cannot_normalize_is_bad_input(cli: Run, world: World, schema_file) -> None:
    result = cli("publish", world.fqn, schema_file({"type": "record", "name": "X"}, "bad.avsc"))
    assert result.code == 2
    assert "422" in result.err


def test_bad_proposal_id_is_a_usage_error(cli: Run) -> None:
    result = cli("proposal", "show", "not-a-uuid")
    assert result.code == 2
    assert "not a proposal id" in result.err


def test_unknown_proposal_is_404(cli: Run) -> None:
    result = cli("ack", "00000000-0000-0000-0000-000000000000", "--decision", "approved")
    assert result.code == 2
    assert "404" in result.err


def test_unknown_asset_gate_is_404(cli: Run, unique) -> None:
    result = cli("gate", unique("no.such.asset"))
    assert result.code == 2
    assert "does not exist" in result.err


def test_missing_api_key(cli: Run) -> None:
    result = cli("proposals", key=None)
    assert result.code == 2
    assert "TESSERA_API_KEY" in result.err


def test_unknown_api_key_is_401(cli: Run) -> None:
    result = cli("proposals", key="tsk_not_a_real_key")
    assert result.code == 2
    assert "401" in result.err


def test_flags_override_the_environment(cli: Run, tessera_server) -> None:
    result = cli(
        "team",
        "list",
        "--url",
        tessera_server.base_url,
        "--api-key",
        tessera_server.admin_key,
        key="tsk_wrong_key_in_env",
    )
    assert result.code == 0


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_service_names_the_url(cli: Run) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    result = cli("gate", "some.asset", "--url", url)
    assert result.code == 1
    assert url in result.err
    assert result.err.count("\n") == 1


@pytest.fixture
def failing_service() -> Iterator[str]:
    """A stand-in HTTP server that answers every request with a 500 in the service's error shape
    (the real service never does on purpose, so this is the only way to see the CLI's 5xx path)."""
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps({"error": {"code": "internal_error", "message": "internal error"}}).encode()
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_server_error_is_exit_1_naming_the_url(cli: Run, failing_service: str) -> None:
    result = cli("gate", "some.asset", "--url", failing_service)
    assert result.code == 1
    assert failing_service in result.err
    assert "500" in result.err
    assert result.err.count("\n") == 1
