"""Webhooks over real HTTP: subscriptions, signed deliveries after commit, retries, dead letters, restarts,
two workers on one database, and who may see which subscription.

Receivers are real HTTP servers on 127.0.0.1 (``http.server`` in a thread) that record every request.
The service runs on its own database per test module (or per test where a test restarts it), with short
poll and backoff settings, so the session's shared server (default settings) never competes for deliveries.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tessera_core import NotFoundError, PermissionDeniedError, TesseraClient, ValidationError
from tessera_core.client import BaseTesseraClient
from tessera_core.models import WEBHOOK_EVENT_TYPES, WebhookEvent, verify_signature
from tests.conftest import POSTGRES_ENV, start_server
from tests.postgres import fresh_postgres_database
from tests.service.schemas import V1, V1_ADD, V1_DROP_EMAIL

FAST = {
    "webhook_poll_interval": "0.05s",
    "webhook_backoff_base": "0.05s",
    "webhook_backoff_max": "0.2s",
    "webhook_max_attempts": 3,
    "webhook_timeout": "5s",
    "expiry_sweep_interval": "1h",
}


# ---- receivers ---------------------------------------------------------------------------------------


@dataclass
class Received:
    """One request a receiver got."""

    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def event(self) -> WebhookEvent:
        return WebhookEvent.model_validate_json(self.body)


@dataclass
class Receiver:
    """A webhook endpoint on loopback. ``answers`` are the statuses of the first requests (then 200);
    ``hold`` makes every request wait until it is set; ``delay`` sleeps before answering."""

    answers: list[int] = field(default_factory=list)
    delay: float = 0.0
    hold: threading.Event | None = None
    requests: list[Received] = field(default_factory=list)
    arrived: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def answer(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            self.arrived.append(headers.get("Tessera-Delivery", ""))
        if self.hold is not None:
            self.hold.wait(60)
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            status = self.answers.pop(0) if self.answers else 200
            self.requests.append(Received(headers, body, status))
        return status

    def of(self, event_type: str) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if r.headers.get("Tessera-Event") == event_type]

    def delivered(self) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if 200 <= r.status < 300]


@contextlib.contextmanager
def serve(receiver: Receiver) -> Iterator[Receiver]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = receiver.answer(dict(self.headers.items()), body)
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            with contextlib.suppress(OSError):
                self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield receiver
    finally:
        if receiver.hold is not None:
            receiver.hold.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver() -> Iterator[Callable[..., Receiver]]:
    """``receiver(answers=[500, 500], delay=0, hold=None) -> Receiver`` (stopped after the test)."""
    with contextlib.ExitStack() as stack:
        yield lambda **kw: stack.enter_context(serve(Receiver(**kw)))


def wait_for(check: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
    """Poll ``check`` until it returns something truthy (a wait, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.03)


# ---- services on their own databases -----------------------------------------------------------------


@contextlib.contextmanager
def fresh_database(kind_url: str, directory: Path) -> Iterator[str]:
    """A new empty database of the same kind as the session's ``database_url``."""
    if kind_url.startswith("sqlite"):
        yield f"sqlite:///{directory / f'webhooks-{uuid.uuid4().hex[:8]}.db'}"
        return
    with fresh_postgres_database(os.environ[POSTGRES_ENV]) as url:
        yield url


@dataclass
class Service:
    """A service and an admin client on it."""

    url: str
    admin_key: str
    admin: TesseraClient
    clients: list[TesseraClient] = field(default_factory=list)

    def team(self, prefix: str, scopes: tuple[str, ...] = ("read", "write")) -> tuple[str, TesseraClient]:
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        self.admin.create_team(name)
        client = TesseraClient(self.url, self.admin.create_key(name, scopes).token)
        self.clients.append(client)
        return name, client

    def close(self) -> None:
        for client in self.clients:
            client.close()
        self.admin.close()


@contextlib.contextmanager
def service_on(database: str, admin_key: str, **settings: Any) -> Iterator[Service]:
    with start_server(database, admin_key, **settings) as url:
        svc = Service(url, admin_key, TesseraClient(url, admin_key))
        try:
            yield svc
        finally:
            svc.close()


@pytest.fixture(scope="module")
def module_database(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(database_url, tmp_path_factory.mktemp("webhooks")) as url:
        yield url


@pytest.fixture(scope="module")
def svc(module_database: str) -> Iterator[Service]:
    """The module's service: fast polling, 3 attempts, tiny backoff, 5 s timeout."""
    with service_on(module_database, "tsk_test_" + secrets.token_urlsafe(16), **FAST) as service:
        yield service


@pytest.fixture
def database(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A database of this test's own (for tests that start and stop services on it)."""
    with fresh_database(database_url, tmp_path) as url:
        yield url


def producer_and_consumer(svc: Service, fqn: str) -> tuple[str, TesseraClient, str, TesseraClient]:
    producer, producer_client = svc.team("producer")
    consumer, consumer_client = svc.team("consumer")
    assert producer_client.publish(fqn, V1).outcome == "published"
    consumer_client.register(fqn, consumer_ref="dbt:consumer.model")
    return producer, producer_client, consumer, consumer_client


def hmac_hex(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


# ---- delivery ----------------------------------------------------------------------------------------


def test_a_proposal_reaches_the_consumer_signed(svc: Service, receiver) -> None:
    fqn = f"warehouse.orders_{uuid.uuid4().hex[:8]}"
    _, producer, consumer_name, consumer = producer_and_consumer(svc, fqn)
    _bystander, bystander_client = svc.team("bystander")
    bystander_client.register(fqn, consumer_ref="reads-id-only", columns=["id"])  # email is not its concern
    consumer_hook, producer_hook, bystander_hook = receiver(), receiver(), receiver()
    sub = consumer.create_webhook(consumer_hook.url, event_types=["proposal.*"])
    producer_sub = producer.create_webhook(producer_hook.url)
    bystander_sub = bystander_client.create_webhook(bystander_hook.url, event_types=["proposal.*"])
    assert sub.secret.startswith("whsec_")
    assert sub.team == consumer_name
    assert sub.secret_prefix == sub.secret[: len(sub.secret_prefix)]

    proposed = producer.publish(fqn, V1_DROP_EMAIL)
    assert proposed.outcome == "proposed"

    opened = wait_for(lambda: consumer_hook.of("proposal.opened"), "the consumer's proposal.opened")[0]
    timestamp, signature = opened.headers["Tessera-Timestamp"], opened.headers["Tessera-Signature"]
    assert signature == "v1=" + hmac_hex(sub.secret, timestamp, opened.body)  # as a receiver verifies it
    assert verify_signature(sub.secret, opened.body, timestamp, signature)
    assert not verify_signature(sub.secret, opened.body + b" ", timestamp, signature)
    assert not verify_signature("whsec_other", opened.body, timestamp, signature)
    assert not verify_signature(sub.secret, opened.body, str(int(timestamp) - 3600), signature)
    body = json.loads(opened.body)
    assert body["type"] == "proposal.opened"
    assert body["fqn"] == fqn
    assert body["data"]["entity_id"] == str(proposed.proposal_id)
    assert body["data"]["target_version"] == "2.0.0"
    assert opened.headers["Tessera-Event"] == "proposal.opened"
    assert opened.headers["Content-Type"] == "application/json"

    deliveries = wait_for(  # the receiver saw it before the service heard its answer
        lambda: (ds := consumer.list_deliveries(sub.id)) and all(d.status == "delivered" for d in ds) and ds,
        "the deliveries recorded as delivered",
    )
    assert [d.id for d in deliveries if d.event_type == "proposal.opened"] == [
        uuid.UUID(opened.headers["Tessera-Delivery"])
    ]
    assert all(d.status == "delivered" and d.attempts == 1 for d in deliveries)
    # the owner team hears about it too; a consumer whose columns the change does not touch does not
    wait_for(lambda: producer_hook.of("proposal.opened"), "the producer's proposal.opened")
    assert all(r.event.fqn == fqn for r in producer_hook.delivered())
    assert bystander_client.list_deliveries(bystander_sub.id) == []
    assert producer_sub.id != bystander_sub.id


def test_events_of_rolled_back_changes_are_never_sent(svc: Service, receiver) -> None:
    fqn = f"warehouse.rollback_{uuid.uuid4().hex[:8]}"
    _, producer, _, consumer = producer_and_consumer(svc, fqn)
    hook = receiver()
    sub = consumer.create_webhook(hook.url, event_types=["proposal.opened"])
    # a dry run executes the real publish in a savepoint and rolls it back: its proposal.opened never commits
    assert producer.check(fqn, V1_DROP_EMAIL).outcome == "proposed"
    assert producer.bulk_publish([{"fqn": fqn, "schema": V1_DROP_EMAIL}], dry_run=True).counts == {
        "proposed": 1
    }
    real = producer.publish(fqn, V1_DROP_EMAIL)  # committed: the one event that exists
    wait_for(lambda: hook.of("proposal.opened"), "the committed proposal.opened")
    assert [r.event.data["entity_id"] for r in hook.requests] == [str(real.proposal_id)]
    assert [d.event_type for d in consumer.list_deliveries(sub.id)] == ["proposal.opened"]


def test_a_failing_receiver_gets_the_event_after_retries_exactly_once(svc: Service, receiver) -> None:
    _name, team = svc.team("retry")
    hook = receiver(answers=[500, 502])
    sub = team.create_webhook(hook.url, event_types=["registration.*"])
    team.register(f"lake.events_{uuid.uuid4().hex[:8]}")

    delivered = wait_for(
        lambda: [d for d in team.list_deliveries(sub.id) if d.status == "delivered"], "the delivery"
    )
    assert len(delivered) == 1
    assert delivered[0].attempts == 3
    assert delivered[0].last_status_code == 200
    assert [r.status for r in hook.requests] == [500, 502, 200]
    assert len({r.headers["Tessera-Delivery"] for r in hook.requests}) == 1  # one delivery, retried
    assert [r.headers["Tessera-Attempt"] for r in hook.requests] == ["1", "2", "3"]
    assert len({r.body for r in hook.requests}) == 1  # the same event every time
    assert all(
        r.headers["Tessera-Signature"] == "v1=" + hmac_hex(sub.secret, r.headers["Tessera-Timestamp"], r.body)
        for r in hook.requests
    )
    # a later event goes through at once, and the delivered one is never sent again
    team.register(f"lake.more_{uuid.uuid4().hex[:8]}")
    wait_for(lambda: len(hook.delivered()) == 2, "the second delivery")
    assert len(hook.requests) == 4


def test_a_dead_receiver_ends_as_failed_and_can_be_retried(svc: Service, receiver) -> None:
    _, team = svc.team("dead")
    hook = receiver(answers=[503, 503, 503])
    sub = team.create_webhook(hook.url, event_types=["registration.created"])
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        nobody = f"http://127.0.0.1:{closed.getsockname()[1]}/hook"
    unreachable = team.create_webhook(nobody, event_types=["registration.created"])
    team.register(f"lake.dead_{uuid.uuid4().hex[:8]}")

    failed = wait_for(lambda: team.list_deliveries(sub.id, status="failed"), "the dead letter")
    assert len(failed) == 1
    dead = failed[0]
    assert dead.attempts == 3
    assert dead.last_status_code == 503
    assert dead.last_error is not None
    assert "HTTP 503" in dead.last_error
    assert dead.next_attempt_at is None
    assert dead.delivered_at is None
    assert len(hook.requests) == 3
    refused = wait_for(lambda: team.list_deliveries(unreachable.id, status="failed"), "the refused delivery")
    assert refused[0].attempts == 3
    assert refused[0].last_status_code is None
    assert "ConnectError" in (refused[0].last_error or "")

    # the receiver is back (it answers 200 now): an operator re-sends the dead letter
    retried = team.retry_delivery(sub.id, dead.id)
    assert retried.status == "pending"
    assert retried.attempts == 0
    wait_for(lambda: team.list_deliveries(sub.id, status="delivered"), "the re-sent delivery")
    assert [r.status for r in hook.requests] == [503, 503, 503, 200]
    with pytest.raises(Exception, match="only failed deliveries can be retried"):
        team.retry_delivery(sub.id, dead.id)


def test_a_receiver_that_does_not_answer_in_time_fails_with_a_timeout(database: str, receiver) -> None:
    settings = {**FAST, "webhook_timeout": "0.5s", "webhook_max_attempts": 2}
    with service_on(database, "tsk_test_" + secrets.token_urlsafe(16), **settings) as s:
        _, team = s.team("slowpoke")
        hook = receiver(hold=threading.Event())  # answers only when the test ends
        sub = team.create_webhook(hook.url, event_types=["registration.created"])
        team.register("lake.slow")
        failed = wait_for(lambda: team.list_deliveries(sub.id, status="failed"), "the timed-out delivery")
    assert failed[0].attempts == 2
    assert failed[0].last_error == "no answer within 0.5 s"
    assert failed[0].last_status_code is None
    assert len(hook.arrived) == 2


def test_a_slow_receiver_does_not_hold_back_the_others(database: str, receiver) -> None:
    release = threading.Event()
    with service_on(
        database, "tsk_test_" + secrets.token_urlsafe(16), **{**FAST, "webhook_timeout": "60s"}
    ) as s:
        _, slow_team = s.team("slow")
        _, fast_team = s.team("fast")
        slow, fast = receiver(hold=release), receiver()
        slow_sub = slow_team.create_webhook(slow.url, event_types=["registration.created"])
        fast_sub = fast_team.create_webhook(fast.url, event_types=["registration.created"])
        slow_team.register("lake.slow")
        wait_for(lambda: slow.arrived, "the slow receiver to be called")
        fast_team.register("lake.fast")
        wait_for(lambda: fast.delivered(), "the fast receiver, while the slow one still holds its request")
        in_flight = slow_team.list_deliveries(slow_sub.id)[0]
        assert in_flight.status == "pending"
        assert in_flight.attempts == 1
        assert in_flight.last_error is None
        release.set()
        wait_for(lambda: slow_team.list_deliveries(slow_sub.id, status="delivered"), "the slow delivery")
        wait_for(
            lambda: fast_team.list_deliveries(fast_sub.id, status="delivered"), "the fast delivery recorded"
        )


def test_events_wait_in_the_database_across_a_restart(database: str, receiver) -> None:
    admin_key = "tsk_test_" + secrets.token_urlsafe(16)
    hook = receiver(answers=[500])
    with service_on(database, admin_key, **{**FAST, "webhook_delivery": False}) as s:
        _, team = s.team("restart")
        sub = team.create_webhook(hook.url, event_types=["registration.*"])
        team.register("lake.before_restart")
        assert team.list_deliveries(sub.id) == []  # no worker: the event waits in the outbox
    assert hook.requests == []

    # a first worker tries once (500) and is stopped before it retries (long backoff)
    with service_on(
        database, admin_key, **{**FAST, "webhook_backoff_base": "4s", "webhook_backoff_max": "4s"}
    ) as s:
        wait_for(lambda: hook.requests, "the first attempt")
        team = TesseraClient(s.url, admin_key)
        wait_for(
            lambda: team.list_deliveries(sub.id)[0].last_status_code == 500, "the failed attempt recorded"
        )
        team.close()
    assert [r.status for r in hook.requests] == [500]

    # the next start delivers it, from what the database remembers
    with service_on(database, admin_key, **FAST) as s:
        wait_for(lambda: s.admin.list_deliveries(sub.id, status="delivered"), "the delivery after restart")
        delivered = s.admin.list_deliveries(sub.id)
    assert [r.status for r in hook.requests] == [500, 200]
    assert [(d.status, d.attempts) for d in delivered] == [("delivered", 2)]
    assert hook.requests[1].event.fqn == "lake.before_restart"


def test_two_workers_on_one_database_never_deliver_an_event_twice(database: str, receiver) -> None:
    admin_key = "tsk_test_" + secrets.token_urlsafe(16)
    hook = receiver(delay=0.01)
    # a long timeout: every retry here would be a real failure, not a slow test machine
    settings = {**FAST, "webhook_poll_interval": "0.01s", "webhook_concurrency": 4, "webhook_timeout": "60s"}
    with (
        service_on(database, admin_key, **settings) as one,
        service_on(database, admin_key, **settings),
    ):
        _, team = one.team("race")
        everything = one.admin.create_webhook(hook.url, all_teams=True, description="firehose")
        own = team.create_webhook(hook.url, event_types=["registration.*"])
        count = 40
        team.bulk_register([{"fqn": f"lake.race_{i}"} for i in range(count)])  # 40 assets + 40 registrations

        def settled() -> bool:
            team_done = one.admin.list_deliveries(own.id, status="delivered", limit=1000)
            firehose = one.admin.list_deliveries(everything.id, limit=1000)
            return (
                len(team_done) == count
                and len(firehose) >= 2 * count
                and all(d.status == "delivered" for d in firehose)
            )

        wait_for(settled, "every delivery of both subscriptions")
        deliveries = one.admin.list_deliveries(everything.id, limit=1000) + one.admin.list_deliveries(
            own.id, limit=1000
        )
    ids = [r.headers["Tessera-Delivery"] for r in hook.requests]
    assert len(ids) == len(set(ids)), "a delivery was sent twice"
    assert len(hook.arrived) == len(ids)
    assert sorted(ids) == sorted(str(d.id) for d in deliveries)
    assert all(d.status == "delivered" and d.attempts == 1 for d in deliveries)
    per_webhook_events = [(d.webhook_id, d.event_id) for d in deliveries]
    assert len(per_webhook_events) == len(set(per_webhook_events))


def test_each_team_receives_the_events_that_concern_it(svc: Service, receiver) -> None:
    fqn = f"warehouse.relevance_{uuid.uuid4().hex[:8]}"
    producer_name, producer = svc.team("owner")
    consumer_name, consumer = svc.team("reader")
    _, stranger = svc.team("stranger")
    hooks = {name: receiver() for name in ("owner", "reader", "stranger")}
    subs = {
        "owner": producer.create_webhook(hooks["owner"].url),
        "reader": consumer.create_webhook(hooks["reader"].url),
        "stranger": stranger.create_webhook(hooks["stranger"].url),
    }
    producer.publish(fqn, V1)  # asset.created + contract.published: only the owner has a stake yet
    consumer.register(fqn)  # registration.created: owner and the registering team
    proposal = producer.publish(fqn, V1_DROP_EMAIL)  # proposal.opened: owner and the affected consumer
    consumer.acknowledge(proposal.proposal_id, "approved")  # acknowledged, published, contract.published

    def types(who: str) -> list[str]:
        return sorted(r.event.type for r in hooks[who].delivered() if r.event.fqn == fqn)

    owner_expects = sorted(
        [
            "asset.created",
            "contract.published",
            "registration.created",
            "proposal.opened",
            "proposal.acknowledged",
            "contract.published",
            "proposal.published",
        ]
    )
    reader_expects = sorted(
        [
            "registration.created",
            "proposal.opened",
            "proposal.acknowledged",
            "contract.published",
            "proposal.published",
        ]
    )
    # deliveries are concurrent, not ordered: wait until as many have arrived as expected
    wait_for(lambda: len(types("owner")) >= len(owner_expects), "the owner's deliveries")
    wait_for(lambda: len(types("reader")) >= len(reader_expects), "the reader's deliveries")
    assert types("owner") == owner_expects
    assert types("reader") == reader_expects
    assert svc.admin.list_deliveries(subs["stranger"].id) == []
    acknowledged = next(r for r in hooks["reader"].delivered() if r.event.type == "proposal.acknowledged")
    assert acknowledged.event.data["team"] == consumer_name
    assert acknowledged.event.data["decision"] == "approved"
    assert producer_name != consumer_name


# ---- subscriptions -----------------------------------------------------------------------------------


def test_bad_subscription_input_is_a_4xx_that_says_what_to_fix(svc: Service) -> None:
    name, team = svc.team("badinput")
    other, _ = svc.team("other")
    key = team.api_key

    def post(body: dict[str, Any], token: str | None = key) -> httpx.Response:
        return httpx.post(
            f"{svc.url}/api/v1/webhooks", json=body, headers={"Authorization": f"Bearer {token}"}
        )

    cases = [
        ({"url": "ftp://files.example.com/in"}, 422, "must start with http:// or https:// (scheme: 'ftp')"),
        ({"url": "hooks.example.com/x"}, 422, "must start with http:// or https://"),
        ({"url": "https:///nohost"}, 422, "has no host"),
        (
            {"url": "https://h.example.com", "event_types": ["proposal.opend"]},
            422,
            "unknown event type(s): proposal.opend",
        ),
        ({"url": "https://h.example.com", "event_types": []}, 422, "at least one event type"),
        ({"url": "https://h.example.com", "evnt_types": ["*"]}, 422, "evnt_types: unknown field"),
        ({}, 422, "url: required field is missing"),
        ({"url": "https://h.example.com", "all_teams": True}, 403, "all_teams needs an admin key"),
        (
            {"url": "https://h.example.com", "team": other},
            403,
            f"may not manage the webhooks of team '{other}'",
        ),
        ({"url": "https://h.example.com", "team": "no-such-team"}, 404, "no-such-team"),
    ]
    for body, status, message in cases:
        response = post(body)
        assert response.status_code == status, (body, response.text)
        error = response.json()["error"]
        assert message in error["message"], (body, error)
    assert (
        "proposal.*"
        in post({"url": "https://h.example.com", "event_types": ["nope"]}).json()["error"]["message"]
    )
    assert post({"url": "https://h.example.com"}, token=None).status_code == 401
    read_only = svc.admin.create_key(name, ["read"]).token
    assert post({"url": "https://h.example.com"}, token=read_only).status_code == 403
    # the client refuses the same mistakes before sending anything
    with pytest.raises(ValidationError, match="http:// or https://"):
        team.create_webhook("mailto:someone@example.com")
    with pytest.raises(ValidationError, match="unknown event type"):
        team.update_webhook(uuid.uuid4(), event_types=["contract.deleted"])
    assert team.list_webhooks() == []  # nothing was created


def test_a_team_sees_and_manages_only_its_own_subscriptions(svc: Service) -> None:
    alice_name, alice = svc.team("alice")
    bob_name, bob = svc.team("bob")
    mine = alice.create_webhook(
        "https://alice.example.com/hook", event_types=["proposal.*", "contract.published"]
    )
    assert mine.event_types == ["contract.published", "proposal.*"]
    theirs = bob.create_webhook("https://bob.example.com/hook")

    assert [w.id for w in alice.list_webhooks()] == [mine.id]
    assert [w.id for w in bob.list_webhooks()] == [theirs.id]
    with pytest.raises(PermissionDeniedError, match=f"may not see the webhooks of team '{alice_name}'"):
        bob.list_webhooks(team=alice_name)
    for attempt in (
        lambda: bob.get_webhook(mine.id),
        lambda: bob.update_webhook(mine.id, active=False),
        lambda: bob.delete_webhook(mine.id),
        lambda: bob.list_deliveries(mine.id),
    ):
        with pytest.raises(NotFoundError, match="does not exist"):
            attempt()
    assert alice.get_webhook(mine.id).active is True  # untouched by bob

    # nobody sees a secret again, and the audit log never holds it
    listed = alice.get_webhook(mine.id)
    assert not hasattr(listed, "secret")
    assert "secret" not in listed.model_dump()
    audit = [e for e in svc.admin.audit(limit=1000) if e.entity_id == str(mine.id)]
    assert [e.action for e in audit] == ["webhook.created"]
    assert audit[0].actor_team == alice_name
    assert mine.secret not in json.dumps([e.model_dump(mode="json") for e in svc.admin.audit(limit=1000)])

    # admin sees and manages everything
    assert {mine.id, theirs.id} <= {w.id for w in svc.admin.list_webhooks()}
    assert [w.id for w in svc.admin.list_webhooks(team=bob_name)] == [theirs.id]
    updated = alice.update_webhook(mine.id, active=False, url="https://alice.example.com/v2")
    assert (updated.active, updated.url) == (False, "https://alice.example.com/v2")
    svc.admin.delete_webhook(theirs.id)
    assert bob.list_webhooks() == []
    actions = [e.action for e in svc.admin.audit(limit=1000) if e.entity_id in (str(mine.id), str(theirs.id))]
    assert sorted(actions) == ["webhook.created", "webhook.created", "webhook.deleted", "webhook.updated"]


def test_an_inactive_subscription_receives_nothing_until_reactivated(svc: Service, receiver) -> None:
    fqn = f"warehouse.pause_{uuid.uuid4().hex[:8]}"
    _, producer, _, consumer = producer_and_consumer(svc, fqn)
    hook = receiver()
    sub = consumer.create_webhook(hook.url, event_types=["contract.published"], active=False)
    producer.publish(fqn, V1_ADD)  # compatible: contract.published, concerns every registered consumer
    barrier = receiver()
    watcher = consumer.create_webhook(barrier.url, event_types=["contract.published"])
    producer.publish(fqn, {**V1_ADD, "description": "orders"})
    wait_for(lambda: barrier.delivered(), "the active subscription's delivery")
    assert hook.requests == []
    assert consumer.list_deliveries(sub.id) == []
    consumer.update_webhook(sub.id, active=True)
    producer.publish(fqn, {**V1_ADD, "description": "all orders"})
    got = wait_for(lambda: hook.delivered(), "the reactivated subscription's delivery")
    assert [r.event.type for r in got] == ["contract.published"]
    assert consumer.get_webhook(watcher.id).active


# ---- contracts between the pieces --------------------------------------------------------------------


def test_every_emitted_event_type_is_in_the_catalogue(svc: Service, module_database: str) -> None:
    from sqlalchemy import create_engine, text

    from service.proposals.machine import AUDIT_ACTION
    from service.webhooks.relevance import RULES

    assert set(AUDIT_ACTION.values()) <= set(WEBHOOK_EVENT_TYPES)
    assert {t.split(".")[0] for t in WEBHOOK_EVENT_TYPES} <= {k.split(".")[0] for k in RULES}
    engine = create_engine(module_database)  # what the tests above made the service emit
    try:
        with engine.connect() as connection:
            emitted = set(connection.scalars(text("SELECT DISTINCT event_type FROM outbox_events")))
    finally:
        engine.dispose()
    assert emitted
    assert emitted <= set(WEBHOOK_EVENT_TYPES), emitted - set(WEBHOOK_EVENT_TYPES)


def test_the_webhook_client_matches_the_api(svc: Service) -> None:
    spec = httpx.get(f"{svc.url}/openapi.json").json()
    operations = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    client = BaseTesseraClient(svc.url)
    wid, did = uuid.uuid4(), uuid.uuid4()
    from tessera_core.models import WebhookCreate, WebhookUpdate

    calls = [
        client._create_webhook_call(WebhookCreate(url="https://x.example.com")),
        client._list_webhooks_call(None),
        client._get_webhook_call(wid),
        client._update_webhook_call(wid, WebhookUpdate(active=False)),
        client._delete_webhook_call(wid),
        client._list_deliveries_call(wid, "failed", 10),
        client._retry_delivery_call(wid, did),
    ]
    used = {
        (c.method, c.path.replace(str(wid), "{webhook_id}").replace(str(did), "{delivery_id}")) for c in calls
    }
    assert used <= operations, used - operations


def test_retry_delays_grow_exponentially_with_jitter_up_to_the_cap() -> None:
    from service.settings import Settings
    from service.webhooks.delivery import backoff

    settings = Settings(database_url="sqlite://", webhook_backoff_base="10s", webhook_backoff_max="1h")
    longest = [backoff(n, settings, rand=lambda: 1.0).total_seconds() for n in range(1, 13)]
    shortest = [backoff(n, settings, rand=lambda: 0.0).total_seconds() for n in range(1, 13)]
    assert longest[:4] == [10, 20, 40, 80]
    assert longest[-1] == 3600  # capped
    assert shortest == [d / 2 for d in longest]  # jitter keeps between half and all of the delay
