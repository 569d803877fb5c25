"""Build the same project payload as the macros, from a dbt manifest (``target/manifest.json``).

For dbt setups that cannot load Python plugins (or CI that already has the artifact): ``tessera dbt
publish --manifest target/manifest.json``. Every function here mirrors a macro in
``tessera_dbt/macros/utils`` (named alike); ``tests/dbt/test_payload_parity.py`` asserts both produce
identical payloads for the fixture projects.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from tessera_dbt.errors import ConfigurationError, PayloadError
from tessera_dbt.protocol import PAYLOAD_VERSION

_CONSTRAINT_KEYS = ("expression", "name", "columns", "to", "to_columns")
_TEST_KWARGS_DROPPED = ("column_name", "model")
VAR_DEFAULTS: dict[str, Any] = {
    "team": None,
    "mode": None,
    "publish_contracted": True,
    "register_on_publish": False,
}


def load_manifest(path: Path) -> dict[str, Any]:
    """Read ``manifest.json``; a missing or unreadable file is a clear configuration error."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise ConfigurationError(f"manifest not found: {path} (run `dbt parse` first)") from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigurationError(f"cannot read manifest {path}: {exc}") from exc
    if not isinstance(data, dict) or "nodes" not in data:
        raise ConfigurationError(f"{path} is not a dbt manifest (no 'nodes')")
    return data


def project_vars(project_dir: Path, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The ``tessera_*`` vars of ``dbt_project.yml`` (global scope, literal values) plus ``overrides``."""
    try:
        project = yaml.safe_load((project_dir / "dbt_project.yml").read_text()) or {}
    except FileNotFoundError:
        project = {}
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{project_dir / 'dbt_project.yml'} is not valid YAML: {exc}") from exc
    declared = {**(project.get("vars") or {}), **(overrides or {})}
    return {name: declared.get(f"tessera_{name}", default) for name, default in VAR_DEFAULTS.items()}


def _meta(node: Mapping[str, Any]) -> Any:
    config_meta = (node.get("config") or {}).get("meta") or {}
    return config_meta.get("tessera") or (node.get("meta") or {}).get("tessera") or {}


def _constraints(constraints: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"type": c.get("type"), **{key: c[key] for key in _CONSTRAINT_KEYS if c.get(key)}}
        for c in constraints
    ]


def _column_tests(nodes: Mapping[str, Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    by_column: dict[str, list[dict[str, Any]]] = {}
    for test in nodes.values():
        metadata = test.get("test_metadata")
        if test.get("resource_type") != "test" or not metadata or not test.get("attached_node"):
            continue
        if not test.get("column_name"):
            continue
        key = f"{test['attached_node']}|{str(test['column_name']).lower()}"
        entry = {"name": metadata.get("name")}
        entry.update(
            {k: v for k, v in (metadata.get("kwargs") or {}).items() if k not in _TEST_KWARGS_DROPPED}
        )
        by_column.setdefault(key, []).append(entry)
    return by_column


def model_document(
    node: Mapping[str, Any], tests: Mapping[str, list[dict[str, Any]]], adapter: str | None
) -> dict[str, Any]:
    """The "dbt" model document of one manifest node (mirrors ``default__tessera_model_document``)."""
    columns = [
        {
            "name": column.get("name"),
            "data_type": column.get("data_type"),
            "description": column.get("description"),
            "constraints": _constraints(column.get("constraints") or []),
            "tests": tests.get(f"{node['unique_id']}|{str(column.get('name')).lower()}", []),
            "meta": column.get("meta") or {},
        }
        for column in (node.get("columns") or {}).values()
    ]
    return {
        "name": node.get("name"),
        "adapter": adapter,
        "contract_enforced": bool((node.get("contract") or {}).get("enforced")),
        "materialized": (node.get("config") or {}).get("materialized"),
        "columns": columns,
        "constraints": _constraints(node.get("constraints") or []),
        "description": node.get("description"),
    }


def _model_record(
    node: Mapping[str, Any],
    owners: Mapping[str, Any],
    tests: Mapping[str, list[dict[str, Any]]],
    adapter: str | None,
) -> dict[str, Any]:
    group = node.get("group")
    return {
        "unique_id": node["unique_id"],
        "name": node.get("name"),
        "package_name": node.get("package_name"),
        "path": node.get("original_file_path"),
        "version": node.get("version"),
        "latest_version": node.get("latest_version"),
        "deprecation_date": node.get("deprecation_date"),
        "access": node.get("access"),
        "group": group,
        "group_owner": owners.get(f"{node.get('package_name')}.{group}") if group else None,
        "relation": {
            "database": node.get("database"),
            "schema": node.get("schema"),
            "identifier": node.get("alias"),
        },
        "tags": list(node.get("tags") or []),
        "tessera": _meta(node),
        "depends_on": list((node.get("depends_on") or {}).get("nodes") or []),
        "document": model_document(node, tests, adapter),
    }


def _upstream_record(node: Mapping[str, Any]) -> dict[str, Any]:
    is_source = node.get("resource_type") == "source"
    return {
        "unique_id": node["unique_id"],
        "resource_type": node.get("resource_type"),
        "name": node.get("name"),
        "package_name": node.get("package_name"),
        "relation": {
            "database": node.get("database"),
            "schema": node.get("schema"),
            "identifier": node.get("identifier") if is_source else node.get("alias"),
        },
        "tessera": _meta(node),
        "contract_enforced": bool((node.get("contract") or {}).get("enforced", False)),
        "access": node.get("access"),
        "columns": [
            {"name": c.get("name"), "meta": c.get("meta") or {}} for c in (node.get("columns") or {}).values()
        ],
    }


def payload_from_manifest(
    manifest: Mapping[str, Any],
    *,
    command: str,
    options: Mapping[str, Any],
    vars_: Mapping[str, Any],
    target: str | None = None,
    selected: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The project payload (as ``tessera__project_payload`` logs it) built from a manifest dict."""
    metadata = manifest.get("metadata") or {}
    project = metadata.get("project_name")
    if not project:
        raise PayloadError("the manifest has no metadata.project_name (dbt < 1.6?); re-run `dbt parse`")
    adapter = metadata.get("adapter_type")
    nodes: Mapping[str, Mapping[str, Any]] = manifest.get("nodes") or {}
    sources: Mapping[str, Mapping[str, Any]] = manifest.get("sources") or {}
    owners = {
        f"{g.get('package_name')}.{g.get('name')}": g.get("owner")
        for g in (manifest.get("groups") or {}).values()
    }
    tests = _column_tests(nodes)
    models: list[dict[str, Any]] = []
    upstreams: dict[str, dict[str, Any]] = {}
    for node in nodes.values():
        if node.get("resource_type") != "model" or node.get("package_name") != project:
            continue
        models.append(_model_record(node, owners, tests, adapter))
        for uid in (node.get("depends_on") or {}).get("nodes") or []:
            if uid in upstreams:
                continue
            if uid in sources:
                upstreams[uid] = _upstream_record(sources[uid])
            elif (
                uid in nodes
                and nodes[uid].get("resource_type") == "model"
                and nodes[uid].get("package_name") != project
            ):
                upstreams[uid] = _upstream_record(nodes[uid])
    return {
        "tessera_payload": PAYLOAD_VERSION,
        "command": command,
        "project": project,
        "target": target,
        "adapter": adapter,
        "invocation_id": metadata.get("invocation_id"),
        "options": dict(options),
        "vars": dict(vars_),
        "selected": list(selected) if selected is not None else None,
        "models": models,
        "upstreams": upstreams,
    }
