"""Benchmark: the coordination service over HTTP, on SQLite or PostgreSQL.

Starts ``service.app`` in a separate process (uvicorn, one worker, on a free loopback port) on a FRESH
database, wrapped in a tiny ASGI middleware that reports the server's own time per request in a
``Server-Timing`` header; the client (this process, :mod:`tessera_core` clients) measures round trips.

* publish throughput, one request per contract: first contracts of new assets, then successive compatible
  versions of one asset (its history grows);
* bulk publish of a 2,000-model dbt project (20 typed columns each) in one request: first publish, identical
  re-publish (all ``unchanged``), a compatible change to every model, and the dry-run check;
* gate reads: server time and client round trip, plain and conditional (``If-None-Match`` -> 304);
* gate reads under concurrency: requests/s and latency with 1, 8, 32 and 64 concurrent async readers;
* impact over a 100,000-edge lineage graph (21 layers of 1,000 assets, 5 upstreams each, seeded through
  bulk publishes with ``depends_on``): the recursive CTE alone, and ``POST /impact`` from the root (every
  asset downstream) and from a middle layer.

Usage::

    uv run python benchmarks/bench_service.py                       # SQLite in a temp dir
    uv run python benchmarks/bench_service.py --database-url postgresql://postgres@127.0.0.1:5432/postgres

With a PostgreSQL URL a new database ``tessera_bench_<random>`` is created on that server and dropped at the
end. ``--quick`` shrinks every size (a smoke run).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import platform
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
DBT_TYPES = ["integer", "bigint", "varchar(64)", "numeric(12,2)", "timestamp", "date", "boolean", "text"]


# ---- the server process -------------------------------------------------------------------------------


class ServerTiming:
    """ASGI middleware: ``Server-Timing: app;dur=<ms>`` on every HTTP answer (time inside the app)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def timed_send(message: Any) -> None:
            if message["type"] == "http.response.start":
                ms = (time.perf_counter() - start) * 1000
                headers = [*message.get("headers", []), (b"server-timing", f"app;dur={ms:.3f}".encode())]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, timed_send)


def serve(port: int, database_url: str) -> None:
    """Run the real app (migrated first, as ``tessera db upgrade`` would) behind :class:`ServerTiming`."""
    import uvicorn

    from service.app import create_app
    from service.db import Database
    from service.migrate import upgrade
    from service.settings import Settings

    settings = Settings(database_url=database_url, log_level="warning")
    db = Database(settings)
    try:
        upgrade(db.write_engine)
    finally:
        db.dispose()
    app = create_app(settings, announce=lambda token: None)
    uvicorn.run(ServerTiming(app), host="127.0.0.1", port=port, log_level="warning", access_log=False)


@contextlib.contextmanager
def fresh_database(url: str | None, workdir: Path) -> Iterator[str]:
    """A new empty database: a SQLite file in ``workdir``, or a new database on a PostgreSQL server."""
    if not url or url.startswith("sqlite"):
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = f"tessera_bench_{uuid.uuid4().hex[:10]}"
    admin = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield parsed.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def server(database_url: str, admin_key: str, workdir: Path) -> Iterator[str]:
    """The service in a subprocess; yields its base URL; stopped (by PID) afterwards."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "TESSERA_BOOTSTRAP_ADMIN_KEY": admin_key, "TESSERA_HOME": str(workdir)}
    log = (workdir / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port), "--database-url", database_url],
        env=env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError((workdir / "server.log").read_text())
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/health/ready", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("the service did not start")
            time.sleep(0.1)
        yield url
    finally:
        text = (workdir / "server.log").read_text()
        if "Traceback" in text or "ERROR" in text:
            print("--- the service logged errors (tail) ---\n" + text[-8000:], file=sys.stderr)
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


# ---- measuring ------------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def summary(values: list[float]) -> str:
    return f"p50 {pct(values, 50):.2f} ms, p90 {pct(values, 90):.2f} ms, p99 {pct(values, 99):.2f} ms"


def server_ms(response: httpx.Response) -> float:
    return float(response.headers["server-timing"].split("dur=")[1])


class Recorder(httpx.Client):
    """An httpx client that remembers the server time and round trip of its last request."""

    def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:  # type: ignore[override]
        start = time.perf_counter()
        response = super().send(request, **kwargs)
        response.read()
        self.last_round_trip = (time.perf_counter() - start) * 1000
        self.last_server = server_ms(response) if "server-timing" in response.headers else float("nan")
        return response


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    return result, (time.perf_counter() - start) * 1000


def report(results: dict[str, Any], key: str, line: str, value: Any = None) -> None:
    print(line, flush=True)
    results[key] = value if value is not None else line


# ---- documents ------------------------------------------------------------------------------------


def table(columns: int, extra: int = 0) -> dict[str, Any]:
    props = {f"col_{i}": {"type": ["string", "integer", "number"][i % 3]} for i in range(columns + extra)}
    return {"type": "object", "additionalProperties": False, "properties": props, "required": ["col_0"]}


def dbt_model(name: str, columns: int, extra: int = 0) -> dict[str, Any]:
    cols = [{"name": f"col_{i}", "data_type": DBT_TYPES[i % len(DBT_TYPES)]} for i in range(columns + extra)]
    cols[0]["constraints"] = [{"type": "not_null"}]
    return {"name": name, "adapter": "postgres", "contract_enforced": True, "columns": cols}


# ---- the benchmarks ---------------------------------------------------------------------------------


def bench_single_publish(client: Any, team: str, n: int, results: dict[str, Any]) -> None:
    times = []
    for i in range(n):
        _, ms = timed(lambda i=i: client.publish(f"bench.single.t{i}", table(20), owner_team=team))
        times.append(ms)
    rate = n / (sum(times) / 1000)
    report(
        results, "publish_new", f"publish, first contract of a new asset x{n}: {rate:.0f}/s; {summary(times)}"
    )
    times = []
    for i in range(n):
        _, ms = timed(lambda i=i: client.publish("bench.single.t0", table(20, extra=i + 1)))
        times.append(ms)
    rate = n / (sum(times) / 1000)
    report(
        results,
        "publish_versions",
        f"publish, compatible new version of one asset x{n} (history grows to {n + 1}): {rate:.0f}/s; {summary(times)}",
    )


def bench_bulk(client: Any, consumer: Any, team: str, models: int, results: dict[str, Any]) -> None:
    names = [f"bench.dbt.model_{i:05d}" for i in range(models)]

    def items(extra: int) -> list[dict[str, Any]]:
        return [
            {
                "fqn": n,
                "format": "dbt",
                "schema": dbt_model(n.rsplit(".", 1)[1], 20, extra),
                "owner_team": team,
            }
            for n in names
        ]

    payload = len(json.dumps({"items": items(0)}))
    steps = (
        ("first publish", 0, False),
        ("identical re-publish", 0, False),
        ("compatible change to every model", 1, False),
        ("register", None, False),
        ("dry-run check of a breaking change", -1, True),
        ("breaking change to every model", -1, False),
    )
    for label, extra, dry in steps:
        if extra is None:
            regs = [
                {"fqn": n, "consumer_ref": f"dbt:downstream.{i}", "source": "dbt"}
                for i, n in enumerate(names)
            ]
            _, ms = timed(lambda r=regs: consumer.bulk_register(r))
            report(
                results,
                "bulk_register",
                f"bulk register, {models} registrations in one request: {ms / 1000:.2f} s",
            )
            continue
        result, ms = timed(lambda e=extra, d=dry: client.bulk_publish(items(e), dry_run=d))
        counts = ", ".join(f"{k} {v}" for k, v in sorted(result.counts.items()))
        report(
            results,
            f"bulk_{label.split()[0]}_{extra}_{dry}",
            f"bulk publish, {models} dbt models x 20 columns ({payload / 1e6:.1f} MB), {label}: "
            f"{ms / 1000:.2f} s ({counts})",
        )


def bench_gate(url: str, key: str, fqn: str, n: int, results: dict[str, Any]) -> None:
    with Recorder(base_url=url, headers={"Authorization": f"Bearer {key}"}) as http:
        path = f"/api/v1/assets/{fqn}/gate"
        for _ in range(50):  # warm up
            http.get(path)
        servers, trips = [], []
        for _ in range(n):
            http.get(path).raise_for_status()
            servers.append(http.last_server)
            trips.append(http.last_round_trip)
        etag = http.get(path).headers["etag"]
        servers_304, trips_304 = [], []
        for _ in range(n):
            assert http.get(path, headers={"If-None-Match": etag}).status_code == 304
            servers_304.append(http.last_server)
            trips_304.append(http.last_round_trip)
    report(results, "gate_server", f"gate read x{n}, server time: {summary(servers)}")
    report(results, "gate_trip", f"gate read x{n}, client round trip: {summary(trips)}")
    report(
        results, "gate_304_server", f"conditional gate read (304) x{n}, server time: {summary(servers_304)}"
    )
    report(
        results, "gate_304_trip", f"conditional gate read (304) x{n}, client round trip: {summary(trips_304)}"
    )


def bench_concurrency(url: str, key: str, fqns: list[str], seconds: float, results: dict[str, Any]) -> None:
    async def run(concurrency: int) -> tuple[float, list[float], collections.Counter[str]]:
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        latencies: list[float] = []
        failures: collections.Counter[str] = collections.Counter()
        async with httpx.AsyncClient(
            base_url=url, headers={"Authorization": f"Bearer {key}"}, limits=limits, timeout=60
        ) as http:
            stop = time.perf_counter() + seconds

            async def reader(worker: int) -> None:
                rng = random.Random(worker)
                while time.perf_counter() < stop:
                    start = time.perf_counter()
                    try:
                        response = await http.get(f"/api/v1/assets/{rng.choice(fqns)}/gate")
                    except httpx.TransportError as exc:
                        failures[type(exc).__name__] += 1
                        continue
                    if response.status_code != 200:
                        failures[f"HTTP {response.status_code}"] += 1
                        continue
                    latencies.append((time.perf_counter() - start) * 1000)

            begin = time.perf_counter()
            await asyncio.gather(*(reader(w) for w in range(concurrency)))
            return len(latencies) / (time.perf_counter() - begin), latencies, failures

    for concurrency in (1, 8, 32, 64):
        rps, latencies, failures = asyncio.run(run(concurrency))
        failed = f"; FAILED: {dict(failures)}" if failures else ""
        report(
            results,
            f"gate_rps_{concurrency}",
            f"gate reads, {concurrency} concurrent clients for {seconds:.0f} s: {rps:.0f} requests/s; "
            f"round trip {summary(latencies)}{failed}",
        )


def bench_impact(
    client: Any,
    url: str,
    key: str,
    team: str,
    database_url: str,
    layers: int,
    width: int,
    fanin: int,
    results: dict[str, Any],
) -> None:
    rng = random.Random(42)
    root = "bench.lineage.root"
    client.publish(root, table(5), owner_team=team)
    layer_names = [[f"bench.lineage.l{layer:02d}.n{i:05d}" for i in range(width)] for layer in range(layers)]
    edges = 0
    start = time.perf_counter()
    for layer, names in enumerate(layer_names):
        upstream = [root] if layer == 0 else layer_names[layer - 1]
        items = []
        for name in names:
            deps = rng.sample(upstream, min(fanin, len(upstream)))
            edges += len(deps)
            items.append({"fqn": name, "schema": table(3), "owner_team": team, "depends_on": deps})
        result = client.bulk_publish(items)
        assert result.counts.get("published") == len(items), result.counts
    seeded = time.perf_counter() - start
    report(
        results,
        "impact_seed",
        f"lineage seeded through bulk publish: {layers * width} assets, {edges} edges in {seeded:.1f} s",
    )

    from sqlalchemy import select

    from service.db import Database
    from service.impact.repository import downstream
    from service.models import Asset
    from service.settings import Settings

    db = Database(Settings(database_url=database_url))
    try:
        if db.dialect == "postgresql":  # what autovacuum does after a bulk load: planner statistics
            with db.write_engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
        with db.session(write=False) as session:
            root_id = session.scalar(select(Asset.id).where(Asset.fqn == root))
            mid_id = session.scalar(select(Asset.id).where(Asset.fqn == layer_names[layers // 2][0]))
            for label, asset_id in (("root", root_id), ("middle layer", mid_id)):
                downstream(session, asset_id, max_depth=50)  # warm
                times, count = [], 0
                for _ in range(10):
                    rows, ms = timed(lambda a=asset_id: downstream(session, a, max_depth=50))
                    times.append(ms)
                    count = len(rows)
                report(
                    results,
                    f"impact_cte_{label}",
                    f"impact CTE alone from the {label} ({count} downstream assets over {edges} edges): "
                    f"median {statistics.median(times):.1f} ms{explain(db, session, asset_id)}",
                )
    finally:
        db.dispose()

    breaking = {"type": "object", "additionalProperties": False, "properties": {"col_0": {"type": "string"}}}
    with Recorder(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=300) as http:
        for label, fqn in (("root", root), ("middle layer", layer_names[layers // 2][0])):
            body = {"fqn": fqn, "schema": breaking, "max_depth": 50}
            http.post("/api/v1/impact", json=body).raise_for_status()  # warm
            servers, trips, count = [], [], 0
            for _ in range(5):
                response = http.post("/api/v1/impact", json=body)
                response.raise_for_status()
                count = len(response.json()["downstream"])
                servers.append(http.last_server)
                trips.append(http.last_round_trip)
            report(
                results,
                f"impact_http_{label}",
                f"POST /impact from the {label} ({count} downstream assets): server median "
                f"{statistics.median(servers):.1f} ms, round trip median {statistics.median(trips):.1f} ms",
            )


def explain(db: Any, session: Any, asset_id: Any) -> str:
    """PostgreSQL only: the database's own execution time of the impact query (EXPLAIN ANALYZE)."""
    if db.dialect != "postgresql":
        return ""
    from sqlalchemy import event

    from service.impact.repository import downstream

    seen: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        seen.append((statement, parameters))

    event.listen(db.read_engine, "before_cursor_execute", capture)
    try:
        downstream(session, asset_id, max_depth=50)
    finally:
        event.remove(db.read_engine, "before_cursor_execute", capture)
    statement, parameters = seen[-1]
    times = []
    for _ in range(5):
        plan = session.connection().exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
        times.append(float(plan.scalar()[0]["Execution Time"]))
    if os.environ.get("TESSERA_BENCH_PLAN"):
        plan = session.connection().exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        print("\n".join(row[0] for row in plan), file=sys.stderr)
    return f" (PostgreSQL execution time, EXPLAIN ANALYZE: median {statistics.median(times):.1f} ms)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", help="sqlite:///... (default: a temp file) or a PostgreSQL server URL"
    )
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    parser.add_argument("--seconds", type=float, help="duration of each concurrency run (default 8)")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--only", nargs="*", help="run only these: single bulk gate concurrency impact")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.database_url)
        return 0

    from tessera_core import TesseraClient

    sizes = {
        "single": 50 if args.quick else 200,
        "models": 200 if args.quick else 2000,
        "gate": 500 if args.quick else 5000,
        "seconds": args.seconds or (2.0 if args.quick else 8.0),
        "layers": 4 if args.quick else 21,
        "width": 100 if args.quick else 1000,
    }
    only = set(args.only or ["single", "bulk", "gate", "concurrency", "impact"])
    results: dict[str, Any] = {}
    admin_key = "tsk_bench_" + secrets.token_urlsafe(24)
    with (
        tempfile.TemporaryDirectory(prefix="tessera-bench-") as tmp,
        fresh_database(args.database_url, Path(tmp)) as database_url,
        server(database_url, admin_key, Path(tmp)) as url,
    ):
        kind = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
        print(
            f"# Tessera service benchmark: {kind}, Python {platform.python_version()}, "
            f"{os.cpu_count()} CPUs, {platform.machine()}",
            flush=True,
        )
        with TesseraClient(url, admin_key, timeout=600) as admin:
            team = f"bench_{uuid.uuid4().hex[:6]}"
            admin.create_team(team)
            key = admin.create_key(team, ["read", "write"]).token
            admin.create_team(team + "_reader")
            reader_key = admin.create_key(team + "_reader", ["read", "write"]).token
            with (
                TesseraClient(url, key, timeout=600) as client,
                TesseraClient(url, reader_key, timeout=600) as consumer,
            ):
                if "single" in only:
                    bench_single_publish(client, team, sizes["single"], results)
                if "bulk" in only:
                    bench_bulk(client, consumer, team, sizes["models"], results)
                fqns = [f"bench.gate.t{i}" for i in range(100)]
                if only & {"gate", "concurrency"}:
                    client.bulk_publish([{"fqn": f, "schema": table(10)} for f in fqns])
                if "gate" in only:
                    bench_gate(url, key, fqns[0], sizes["gate"], results)
                if "concurrency" in only:
                    bench_concurrency(url, key, fqns, sizes["seconds"], results)
                if "impact" in only:
                    bench_impact(
                        client, url, key, team, database_url, sizes["layers"], sizes["width"], 5, results
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
