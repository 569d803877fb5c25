"""``tessera compat``: verdicts, exit codes, JSON and human output, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tessera_cli.main import main

ORDER_V1 = {
    "type": "object",
    "properties": {"id": {"type": "integer"}, "status": {"enum": ["open", "paid"]}},
    "required": ["id"],
    "additionalProperties": False,
}


def _write(tmp_path: Path, name: str, document: Any) -> str:
    path = tmp_path / name
    if name.endswith((".yaml", ".yml")):
        path.write_text(yaml.safe_dump(document))
    else:
        path.write_text(json.dumps(document))
    return str(path)


def _with(**changes: Any) -> dict[str, Any]:
    schema = json.loads(json.dumps(ORDER_V1))
    schema.update(changes)
    return schema


def test_compatible_change_exits_0_with_a_one_line_verdict_and_one_line_per_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = _with(properties={**ORDER_V1["properties"], "note": {"type": "string"}})
    code = main(["compat", _write(tmp_path, "v1.json", ORDER_V1), _write(tmp_path, "v2.json", new)])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0] == "compatible (backward): suggested bump minor"
    assert len(out) == 2
    assert "/properties/note" in out[1]
    assert "[property-added]" in out[1]


def test_breaking_change_exits_1_and_json_has_the_documented_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = _with(required=["id", "status"])
    code = main(["compat", _write(tmp_path, "v1.json", ORDER_V1), _write(tmp_path, "v2.json", new), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report == {
        "compatible": False,
        "mode": "backward",
        "suggested_bump": "major",
        "changes": [
            {
                "rule": "required-added",
                "path": "/properties/status",
                "severity": "breaking",
                "message": "property 'status' became required",
            }
        ],
    }


def test_mode_flag_changes_the_verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = _with(properties={**ORDER_V1["properties"], "status": {"enum": ["open", "paid", "void"]}})
    files = [_write(tmp_path, "v1.yaml", ORDER_V1), _write(tmp_path, "v2.yaml", new)]
    assert main(["compat", *files, "--mode", "backward"]) == 0
    assert main(["compat", *files, "--mode", "forward"]) == 1
    out = capsys.readouterr().out
    assert "incompatible (forward): 1 breaking change" in out
    assert "enum-value-added" in out


def test_identical_schemas_report_no_changes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = [_write(tmp_path, "a.json", ORDER_V1), _write(tmp_path, "b.yml", ORDER_V1)]
    assert main(["compat", *files, "--mode", "full"]) == 0
    assert capsys.readouterr().out.splitlines() == ["compatible (full): suggested bump none", "  no changes"]


def test_history_is_judged_transitively_only_in_transitive_modes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # compat-semantics §9: with tolerant readers each step is fine, the chain is not
    v1 = {"type": "object", "properties": {"a": {"type": "string"}}}
    v2 = {"type": "object", "properties": {}}
    v3 = {"type": "object", "properties": {"a": {"type": "integer"}}}
    files = [_write(tmp_path, f"v{i}.json", s) for i, s in enumerate((v1, v2, v3), 1)]
    assert main(["compat", *files, "--lenient"]) == 0
    assert main(["compat", *files, "--lenient", "--mode", "backward_transitive"]) == 1
    assert main(["compat", *files, "--mode", "backward"]) == 1  # strict: re-adding to an open object narrows
    assert "incompatible (backward_transitive)" in capsys.readouterr().out


def test_transitive_json_lists_the_change_against_the_older_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    v1 = {"type": "object", "properties": {"a": {"type": "string"}}}
    v2 = {"type": "object", "properties": {}}
    v3 = {"type": "object", "properties": {"a": {"type": "integer"}}}
    files = [_write(tmp_path, f"v{i}.json", s) for i, s in enumerate((v1, v2, v3), 1)]
    assert main(["compat", *files, "--lenient", "--mode", "backward_transitive", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["compatible"] is False
    assert {"rule": "type-changed", "path": "/properties/a/type", "severity": "breaking"}.items() <= report[
        "changes"
    ][-1].items()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"type": "object",', "invalid JSON"),
        ('{"type": "strnig"}', "invalid jsonschema schema: unknown type 'strnig'"),
        ('{"$ref": "#/definitions/missing"}', "does not resolve"),
        ("[1, 2]", "must be an object or a boolean"),
    ],
    ids=["truncated-json", "unknown-type", "dangling-ref", "not-a-schema"],
)
def test_bad_input_is_one_line_naming_the_file_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, problem: str
) -> None:
    good = _write(tmp_path, "good.json", ORDER_V1)
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    code = main(["compat", good, str(bad)])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert str(bad) in err
    assert problem in err
    assert "Traceback" not in err


def test_invalid_yaml_names_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("type: object\nproperties: [unclosed\n")
    assert main(["compat", _write(tmp_path, "good.json", ORDER_V1), str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: invalid YAML" in err
    assert len(err.strip().splitlines()) == 1


def test_missing_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.json"
    assert main(["compat", _write(tmp_path, "good.json", ORDER_V1), str(missing)]) == 2
    err = capsys.readouterr().err
    assert f"{missing}: cannot read file" in err


def test_a_single_file_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compat", _write(tmp_path, "good.json", ORDER_V1)]) == 2
    assert "need at least two files" in capsys.readouterr().err


def test_unknown_format_and_mode_are_rejected_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [_write(tmp_path, "a.json", ORDER_V1), _write(tmp_path, "b.json", ORDER_V1)]
    for flag in (["--format", "protobuf"], ["--mode", "sideways"]):
        with pytest.raises(SystemExit) as exit_info:
            main(["compat", *files, *flag])
        assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_avro_files_are_detected_by_suffix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tessera_core.schema.avro")
    v1 = {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}]}
    v2 = {
        "type": "record",
        "name": "Order",
        "fields": [{"name": "id", "type": "long"}, {"name": "note", "type": "string", "default": ""}],
    }
    files = [_write(tmp_path, "v1.avsc", v1), _write(tmp_path, "v2.avsc", v2)]
    assert main(["compat", *files, "--mode", "full", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["compatible"] is True
    assert any(change["path"] == "/properties/note" for change in report["changes"])


def test_console_script_smoke(tmp_path: Path) -> None:
    files = [
        _write(tmp_path, "v1.json", ORDER_V1),
        _write(tmp_path, "v2.json", _with(additionalProperties=True)),
    ]
    result = subprocess.run(
        [sys.executable, "-m", "tessera_cli.main", "compat", *files, "--mode", "forward", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["changes"][0]["rule"] == "additional-properties-opened"
