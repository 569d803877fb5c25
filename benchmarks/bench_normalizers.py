"""Normalizer benchmarks: dbt models of 1k/10k/50k columns, an OpenAPI document, an Avro record.

Run: ``uv run python benchmarks/bench_normalizers.py``. Prints the best of several runs per case.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tessera_core import CanonicalSchema, check_compatibility, normalize
from tessera_core.schema.avro import normalize_avro
from tessera_core.schema.dbt import normalize_dbt
from tessera_core.schema.openapi import normalize_openapi
from tessera_core.schema.sql_types import parse_sql_type

TYPES = ["integer", "bigint", "varchar(255)", "numeric(12,2)", "timestamp", "date", "boolean", "text",
         "double precision", "geography"]  # fmt: skip


def dbt_model(columns: int) -> dict[str, Any]:
    """A realistic wide model: a third NOT NULL, every seventh unique, every eleventh accepted_values."""
    cols = []
    for i in range(columns):
        col: dict[str, Any] = {"name": f"c{i}", "data_type": TYPES[i % len(TYPES)]}
        if i % 3 == 0:
            col["constraints"] = [{"type": "not_null"}]
        if i % 7 == 0:
            col["tests"] = [{"name": "unique"}]
        if i % 11 == 0:
            col["data_type"] = "text"
            col["tests"] = [{"name": "accepted_values", "values": ["a", "b", "c"]}]
        cols.append(col)
    return {"name": "wide", "adapter": "postgres", "columns": cols}


def avro_record(fields: int) -> dict[str, Any]:
    kinds: list[Any] = [
        "int",
        "long",
        "string",
        ["null", "string"],
        {"type": "long", "logicalType": "timestamp-millis"},
    ]
    return {
        "type": "record",
        "name": "Wide",
        "fields": [{"name": f"f{i}", "type": kinds[i % len(kinds)]} for i in range(fields)],
    }


def best_ms(fn: Callable[[], object], runs: int = 15) -> float:
    fn()  # warm caches, as a long-running server would be
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main() -> None:
    rows: list[tuple[str, float]] = []
    for n in (1_000, 10_000, 50_000):
        model = dbt_model(n)
        rows.append(
            (
                f"normalize_dbt, {n:,} columns",
                best_ms(lambda m=model: normalize_dbt(m), 5 if n > 10_000 else 15),
            )
        )
    # the registry's path: the active contract's canonical schema is stored as JSON and trusted when
    # loaded; the incoming document is normalized once (normalize_dbt, then canonicalization)
    stored = CanonicalSchema.trusted(json.loads(json.dumps(normalize(dbt_model(10_000), "dbt"))))
    new = dbt_model(10_000)
    new["columns"][5]["data_type"] = "varchar(100)"
    new_schema = normalize(new, "dbt")
    rows.append(("normalize(doc, 'dbt'), 10,000 columns", best_ms(lambda: normalize(new, "dbt"), 5)))
    rows.append(("normalize + check against the stored schema, 10,000 columns (one narrowed)",
                 best_ms(lambda: check_compatibility(stored, normalize(new, "dbt"), "backward"), 5)))  # fmt: skip
    rows.append(
        (
            "check only, two canonical 10,000-column models",
            best_ms(lambda: check_compatibility(stored, new_schema), 5),
        )
    )
    rows.append(("parse_sql_type, 10 distinct types x 1,000 (cached)",
                 best_ms(lambda: [parse_sql_type(t) for _ in range(1000) for t in TYPES])))  # fmt: skip
    avro = avro_record(10_000)
    rows.append(("normalize_avro, 10,000 fields", best_ms(lambda: normalize_avro(avro), 5)))
    spec_path = Path(__file__).resolve().parents[1] / ".." / "shared" / "conformance" / "oasdiff" / "data"
    specs = (
        [yaml.safe_load(p.read_text()) for p in sorted(spec_path.rglob("*.yaml"))]
        if spec_path.is_dir()
        else []
    )
    if specs:
        rows.append(
            (
                f"normalize_openapi, all {len(specs)} oasdiff YAML specs",
                best_ms(lambda: [normalize_openapi(s) for s in specs], 5),
            )
        )
    width = max(len(label) for label, _ in rows)
    for label, ms in rows:
        print(f"{label:<{width}}  {ms:8.2f} ms")


if __name__ == "__main__":
    main()
