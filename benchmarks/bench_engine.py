"""Compatibility-engine benchmarks (DESIGN.md §7): wide tables, deep documents, the Confluent suite.

Run: ``uv run python benchmarks/bench_engine.py``. Prints the best of several runs per case.

* wide tables: canonical closed table schemas with ``x-sql-type`` columns (what the dbt normalizer
  produces), 1k / 10k / 50k columns, 1% of the columns changed (type widened, nullability relaxed,
  description edited, one dropped, one added); timed as the diff of canonical schemas, as
  normalization, and end to end (``check_compatibility``, which normalizes both sides first);
* the same 10k-column table through the dbt normalizer, when ``tessera_core.schema.dbt`` exists;
* a deeply nested document: 1,000 properties over 100 levels, one change at the bottom;
* the whole Confluent suite (263 pairs, strict backward), when the fixtures are present.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tessera_core import check_compatibility, normalize, normalize_jsonschema
from tessera_core.diff import diff_schemas

CONFLUENT = Path(__file__).resolve().parents[1] / ".." / "shared" / "conformance" / "confluent-jsonschema"


def best_of(fn: Callable[[], Any], repeat: int = 5) -> tuple[float, float]:
    """(best, median) wall time in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return min(times), statistics.median(times)


def column(i: int, sql_type: str = "int32", nullable: bool = True, description: str = "") -> dict[str, Any]:
    bounds = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}[sql_type]
    schema: dict[str, Any] = {
        "type": ["integer", "null"] if nullable else ["integer"],
        "x-sql-type": sql_type,
        "minimum": bounds[0],
        "maximum": bounds[1],
        "description": description or f"column {i}",
    }
    if i % 7 == 0:
        schema = {
            "type": ["null", "string"],
            "x-sql-type": "string(255)",
            "maxLength": 255,
            "description": f"column {i}",
        }
    return schema


def table(n: int, *, changed: bool = False) -> dict[str, Any]:
    columns = {f"col_{i:05d}": column(i) for i in range(n)}
    required = [name for i, name in enumerate(columns) if i % 3 == 0]
    if changed:
        for i in range(0, n, 100):  # 1% of the columns
            name = f"col_{i:05d}"
            kind = (i // 100) % 3
            if kind == 0:
                columns[name] = column(i, "int64")
            elif kind == 1:
                columns[name] = column(i, description="changed")
            else:
                columns[name] = {**columns[name], "type": sorted({*columns[name]["type"], "null"})}
        columns.pop(f"col_{n - 1:05d}")
        columns["col_new"] = column(n)
    return {"type": "object", "properties": columns, "required": required, "additionalProperties": False}


def nested(levels: int = 100, width: int = 10, leaf_type: str = "string") -> dict[str, Any]:
    node: dict[str, Any] = {"type": leaf_type, "maxLength": 10}
    for level in range(levels):
        properties = {f"p{level}_{k}": {"type": "integer", "minimum": 0} for k in range(1, width)}
        properties[f"p{level}_0"] = node
        node = {"type": "object", "properties": properties, "required": [f"p{level}_1"]}
    return node


def dbt_model(n: int, *, changed: bool = False) -> dict[str, Any]:
    columns = [{"name": f"col_{i:05d}", "data_type": "integer"} for i in range(n)]
    if changed:
        for i in range(0, n, 100):
            columns[i]["data_type"] = "bigint"
    return {
        "version": 2,
        "models": [{"name": "wide", "config": {"contract": {"enforced": True}}, "columns": columns}],
    }


def bench_tables() -> None:
    print("wide tables (1% of columns changed)")
    print(
        f"{'columns':>8} {'diff ms':>10} {'normalize both ms':>18} {'check_compatibility ms':>23} {'changes':>8}"
    )
    for n in (1_000, 10_000, 50_000):
        old_raw, new_raw = table(n), table(n, changed=True)
        old, new = normalize_jsonschema(old_raw), normalize_jsonschema(new_raw)
        records = diff_schemas(old, new)
        diff_ms, _ = best_of(lambda: diff_schemas(old, new))  # noqa: B023
        norm_ms, _ = best_of(lambda: (normalize_jsonschema(old_raw), normalize_jsonschema(new_raw)), 3)  # noqa: B023
        check_ms, _ = best_of(lambda: check_compatibility(old_raw, new_raw), 3)  # noqa: B023
        print(f"{n:>8} {diff_ms:>10.1f} {norm_ms:>18.1f} {check_ms:>23.1f} {len(records):>8}")
    same = normalize_jsonschema(table(10_000))
    same_copy = json.loads(json.dumps(same))
    ms, _ = best_of(lambda: diff_schemas(same, same_copy))
    print(f"10k columns, unchanged (equal copies): diff {ms:.1f} ms")


def bench_dbt() -> None:
    try:
        import tessera_core.schema.dbt  # noqa: F401
    except ImportError:
        print("dbt normalizer not available: skipped")
        return
    old_doc, new_doc = dbt_model(10_000), dbt_model(10_000, changed=True)
    norm_ms, _ = best_of(lambda: (normalize(old_doc, "dbt"), normalize(new_doc, "dbt")), 3)
    old, new = normalize(old_doc, "dbt"), normalize(new_doc, "dbt")
    check_ms, _ = best_of(lambda: check_compatibility(old, new, "forward"), 3)
    report = check_compatibility(old, new, "forward")
    print(
        f"dbt model, 10k columns, 1% int -> bigint: normalize both {norm_ms:.1f} ms, "
        f"check_compatibility (canonical inputs) {check_ms:.1f} ms, {len(report.changes)} changes"
    )


def bench_nested() -> None:
    old_raw, new_raw = nested(), nested(leaf_type="integer")
    old, new = normalize_jsonschema(old_raw), normalize_jsonschema(new_raw)
    diff_ms, _ = best_of(lambda: diff_schemas(old, new))
    check_ms, _ = best_of(lambda: check_compatibility(old_raw, new_raw))
    print(
        f"nested document, 1,000 properties over 100 levels, leaf changed: diff {diff_ms:.2f} ms, "
        f"check_compatibility {check_ms:.2f} ms, {len(diff_schemas(old, new))} changes"
    )


def bench_confluent() -> None:
    if not CONFLUENT.is_dir():
        print("Confluent fixtures not found: skipped")
        return
    cases = []
    for path in sorted(CONFLUENT.glob("diff-*.json")):
        cases += json.loads(re.sub(r",(\s*[}\]])", r"\1", path.read_text()))

    def run() -> None:
        for case in cases:
            check_compatibility(case["original_schema"], case["update_schema"])

    run()  # warm up (validator construction, imports)
    ms, median = best_of(run)
    print(f"Confluent suite, {len(cases)} pairs, backward strict: {ms:.1f} ms (median {median:.1f} ms)")


if __name__ == "__main__":
    bench_tables()
    bench_dbt()
    bench_nested()
    bench_confluent()
