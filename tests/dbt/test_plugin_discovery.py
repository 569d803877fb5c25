"""dbt finds the ``dbt_tessera`` plugin when tessera is installed as a regular wheel.

The wheel is built from this repository and installed with ``--target`` into a temp dir; dbt then runs in
a subprocess whose ``sys.path`` has the repository (our editable install) removed, so the only way to the
plugin is the installed wheel. Delivery to a closed port proves the plugin's callback ran.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.dbt.dbt_project import REPO, DbtProject

pytestmark = pytest.mark.slow

SCRIPT = textwrap.dedent(
    """
    import sys
    repo, project = sys.argv[1], sys.argv[2]
    sys.path[:] = [p for p in sys.path if p not in ("", ".", repo, repo + "/")]
    from dbt.cli.main import dbtRunner
    from dbt.plugins.manager import PluginManager
    import json, pkgutil

    found = {m.name: str(m.module_finder.path) for m in pkgutil.iter_modules() if m.name == "dbt_tessera"}
    plugins = [type(p).__name__ for p in PluginManager.from_modules("shop")._plugins]
    messages = []
    def collect(event):
        if event.info.level in ("info", "error"):
            messages.append(event.info.msg)
    result = dbtRunner(callbacks=[collect]).invoke(
        ["run-operation", "tessera_publish", "--project-dir", project, "--profiles-dir", project]
    )
    print(json.dumps({"found": found, "plugins": plugins, "success": result.success,
                      "text": "\\n".join(messages + [str(result.exception or "")])}))
    """
)


@pytest.fixture(scope="module", name="wheel_site")
def wheel_site_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tessera wheel, built from this checkout and installed (no deps) into a plain directory."""
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is needed to build the wheel")
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [uv, "build", "--wheel", "--out-dir", str(out), str(REPO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = out.glob("tessera-*.whl")
    site = out / "site"
    install = subprocess.run(
        [uv, "pip", "install", "--no-deps", "--target", str(site), "--python", sys.executable, str(wheel)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stderr
    return site


def _run_dbt(project: DbtProject, pythonpath: Path | None, cwd: Path) -> dict[str, object]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(cwd),
        "TESSERA_URL": closed,
        "TESSERA_API_KEY": "tk_unused",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(REPO), str(project.dir)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["url"] = closed
    return result


def test_dbt_discovers_the_plugin_from_a_regular_install(
    wheel_site: Path, new_project: Callable[..., DbtProject], tmp_path: Path
) -> None:
    project = new_project()
    result = _run_dbt(project, wheel_site, tmp_path)
    assert result["found"] == {"dbt_tessera": str(wheel_site)}
    assert result["plugins"] == ["TesseraPlugin"]
    # The plugin's callback took the payload and tried the service: delivery happened in Python.
    assert result["success"] is False
    assert f"could not reach Tessera at {result['url']}" in str(result["text"])


def test_without_the_plugin_the_macros_refuse_instead_of_silently_doing_nothing(
    new_project: Callable[..., DbtProject], tmp_path: Path
) -> None:
    project = new_project()
    result = _run_dbt(project, None, tmp_path)
    assert result["found"] == {}
    assert result["success"] is False
    assert "the tessera Python plugin is not loaded" in str(result["text"])
