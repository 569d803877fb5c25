"""A real dbt project in a temp dir, driven in-process with ``dbtRunner`` (elementary's DbtProject idea).

Each copy gets its own DuckDB file; its stem is the dbt ``database`` of every model, so the FQNs of
one copy never collide with another test's on the shared Tessera service.
"""

from __future__ import annotations

import json
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
PACKAGE_DIR = REPO / "tessera_dbt"
PROJECTS_DIR = REPO / "tests" / "fixtures" / "dbt_projects"
PRODUCER = PROJECTS_DIR / "producer"
CONSUMER = PROJECTS_DIR / "consumer"

DEFAULT_TEAMS = {"__SALES__": "sales", "__FINANCE__": "finance", "__ANALYTICS__": "analytics"}
"""Team names written into the fixture projects unless a test passes its own (unique) teams."""

PROFILES = """\
tessera_test:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{path}"
      threads: 1
"""


@dataclass
class DbtResult:
    """What one dbt invocation did: success, dbt's exception, and the messages it logged."""

    success: bool
    exception: BaseException | None
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    result: Any = None

    @property
    def text(self) -> str:
        """Everything logged at info level or above, plus the exception, as one string."""
        return "\n".join([*self.messages, str(self.exception or "")])


class DbtProject:
    """A fixture project copied to ``root`` with ``packages.yml`` pointing at this repo's dbt package."""

    def __init__(self, source: Path, root: Path, *, replacements: dict[str, str] | None = None) -> None:
        self.database = f"db_{uuid.uuid4().hex[:10]}"
        self.dir = root / source.name
        shutil.copytree(source, self.dir, ignore=shutil.ignore_patterns("target", "dbt_packages", "logs"))
        tokens = {"__DB__": self.database, **DEFAULT_TEAMS, **(replacements or {})}
        for path in self.dir.rglob("*"):
            if path.suffix in {".yml", ".sql"}:
                text = path.read_text()
                for token, value in tokens.items():
                    text = text.replace(token, value)
                path.write_text(text)
        (self.dir / "packages.yml").write_text(f"packages:\n  - local: {PACKAGE_DIR}\n")
        (self.dir / "profiles.yml").write_text(PROFILES.format(path=root / f"{self.database}.duckdb"))
        self.invoke("deps")

    @property
    def dir_args(self) -> list[str]:
        """--project-dir / --profiles-dir for this copy."""
        return ["--project-dir", str(self.dir), "--profiles-dir", str(self.dir)]

    def invoke(self, *args: str) -> DbtResult:
        """Run one dbt command in-process, collecting what it logs."""
        from dbt.cli.main import dbtRunner

        out = DbtResult(success=False, exception=None)

        def collect(event: Any) -> None:
            level, name = event.info.level, event.info.name
            if name == "Note":
                out.notes.append(event.info.msg)
            if level == "error":
                out.errors.append(event.info.msg)
            if level in ("info", "warn", "error"):
                out.messages.append(event.info.msg)

        res = dbtRunner(callbacks=[collect]).invoke([*args, *self.dir_args])
        out.success, out.exception, out.result = res.success, res.exception, res.result
        return out

    def run_operation(self, macro: str, **kwargs: Any) -> DbtResult:
        """``dbt run-operation <macro> --args <kwargs>``."""
        return self.invoke("run-operation", macro, "--args", json.dumps(kwargs))

    def path(self, relative: str) -> Path:
        """A file of this copy."""
        return self.dir / relative

    def replace(self, relative: str, old: str, new: str) -> None:
        """Edit a file of this copy; fails loudly if ``old`` is not there."""
        path = self.path(relative)
        text = path.read_text()
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1))

    def fqn(self, identifier: str) -> str:
        """FQN Tessera derives for a model of this copy (database.main.<alias>)."""
        return f"{self.database}.main.{identifier}"
