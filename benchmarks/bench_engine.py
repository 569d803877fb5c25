"""Compatibility-engine benchmarks (DESIGN.md §7): wide tables, deep documents, the Confluent suite.

Run: ``uv run python benchmarks/bench_engine.py``. Prints the best of several runs per case.

* wide tables: closed table schemas with ``x-sql-type`` columns (what the dbt normalizer produces),
  1k / 10k / 50k columns, 1% of the columns changed (type widened, nullability relaxed, description
  edited, one dropped, one added); timed as
  - the diff of canonical schemas (``diff_schemas``) and ``check_compatibility`` on canonical inputs,
  - normalizing one side,
  - end to end as a registry runs it: the old schema is stored canonical JSON, loaded with
    ``CanonicalSchema.trusted``; the new one is normalized once, then checked,
  - ``check_compatibility`` on two plain dicts (both normalized on every call);
* a dbt model of 10k columns (``normalize(doc, "dbt")`` then checked against the stored schema);
* a deeply nested document: 1,000 properties over 100 levels, one change at the bottom;
* the whole Confluent suite (263 pairs, strict backward), when the fixtures are present.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tessera_core import CanonicalSchema, check_compatibility, normalize, normalize_jsonschema
from tessera_core.diff import diff_schemas

CONFLUENT = Path(__file__).resolve().parents[1] / ".." / "shared" / "conformance" / "confluent-jsonschema"


def best_of(fn: Callable[[], Any], repeat: int = 5) -> tuple[float, float]:
    """(best wall time, best CPU time of this process) in milliseconds.

    The CPU time is less sensitive to other work on a loaded machine than the wall time.
    """
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    return min(walls), min(cpus)


def show(ms: tuple[float, float]) -> str:
    return f"{ms[0]:.1f} ({ms[1]:.1f} cpu)"


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
    print("wide tables (1% of columns changed); wall ms (cpu ms), best of 3-7")
    header = ("columns", "diff", "check canonical", "normalize one", "end to end", "check plain dicts")
    print("{:>8} {:>16} {:>18} {:>17} {:>17} {:>19} changes".format(*header))
    for n in (1_000, 10_000, 50_000):
        old_raw, new_raw = table(n), table(n, changed=True)
        old, new = normalize_jsonschema(old_raw), normalize_jsonschema(new_raw)
        stored = json.dumps(old)  # what the registry keeps for the active contract
        stored_old = CanonicalSchema.trusted(json.loads(stored))
        repeat = 7 if n < 50_000 else 3
        records = diff_schemas(old, new)
        diff = best_of(lambda: diff_schemas(old, new), repeat)  # noqa: B023
        canonical = best_of(lambda: check_compatibility(stored_old, new), repeat)  # noqa: B023
        one = best_of(lambda: normalize_jsonschema(new_raw), repeat)  # noqa: B023
        e2e = best_of(lambda: check_compatibility(stored_old, normalize_jsonschema(new_raw)), repeat)  # noqa: B023
        plain = best_of(lambda: check_compatibility(old_raw, new_raw), 3)  # noqa: B023
        print(
            f"{n:>8} {show(diff):>16} {show(canonical):>18} {show(one):>17} {show(e2e):>17} "
            f"{show(plain):>19} {len(records)}"
        )
    same = normalize_jsonschema(table(10_000))
    same_copy = CanonicalSchema.trusted(json.loads(json.dumps(same)))
    print(
        f"10k columns, unchanged (equal copies): check {show(best_of(lambda: check_compatibility(same, same_copy)))}"
    )


def bench_dbt() -> None:
    old_doc, new_doc = dbt_model(10_000), dbt_model(10_000, changed=True)
    stored_old = CanonicalSchema.trusted(json.loads(json.dumps(normalize(old_doc, "dbt"))))
    norm = best_of(lambda: normalize(new_doc, "dbt"))
    e2e = best_of(lambda: check_compatibility(stored_old, normalize(new_doc, "dbt"), "forward"))
    report = check_compatibility(stored_old, normalize(new_doc, "dbt"), "forward")
    print(
        f"dbt model, 10k columns, 1% int -> bigint: normalize(doc, 'dbt') {show(norm)}, "
        f"end to end (normalize + check against the stored schema) {show(e2e)}, {len(report.changes)} changes"
    )


def bench_nested() -> None:
    old_raw, new_raw = nested(), nested(leaf_type="integer")
    old, new = normalize_jsonschema(old_raw), normalize_jsonschema(new_raw)
    diff = best_of(lambda: diff_schemas(old, new))
    plain = best_of(lambda: check_compatibility(old_raw, new_raw))
    print(
        f"nested document, 1,000 properties over 100 levels, leaf changed: diff {show(diff)}, "
        f"check_compatibility (plain dicts) {show(plain)}, {len(diff_schemas(old, new))} changes"
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
    print(f"Confluent suite, {len(cases)} pairs, backward strict (plain dicts): {show(best_of(run))}")


if __name__ == "__main__":
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    bench_tables()
    bench_dbt()
    bench_nested()
    bench_confluent()
