"""Real ``tessera serve`` processes for the evidence tests (separate OS processes, free loopback ports)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tessera(*args: str) -> list[str]:
    """The command line of ``tessera ARGS`` with this interpreter."""
    return [sys.executable, "-m", "tessera_cli.main", *args]


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the service on {url} exited ({process.returncode}):\n{log.read_text()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/health/ready", timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the service on {url} did not become ready:\n{log.read_text()}")


@contextlib.contextmanager
def services(database_url: str, admin_key: str, count: int, workdir: Path, **env: str) -> Iterator[list[str]]:
    """``count`` service processes on ``database_url`` (migrated first); yields their base URLs.

    They start one after the other (the first installs ``admin_key``) and are stopped by PID afterwards.
    """
    environment = {
        **os.environ,
        "TESSERA_DATABASE_URL": database_url,
        "TESSERA_BOOTSTRAP_ADMIN_KEY": admin_key,
        "TESSERA_HOME": str(workdir),
        "TESSERA_HOST": "127.0.0.1",
        "TESSERA_LOG_LEVEL": "warning",
        **env,
    }
    subprocess.run(tessera("db", "upgrade"), env=environment, cwd=REPO, check=True, capture_output=True)
    processes: list[subprocess.Popen[bytes]] = []
    urls: list[str] = []
    try:
        for index in range(count):
            port = free_port()
            log = workdir / f"service{index}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    tessera("serve", "--port", str(port)),
                    env=environment,
                    cwd=REPO,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            processes.append(process)
            urls.append(f"http://127.0.0.1:{port}")
            _wait_ready(urls[-1], process, log)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
