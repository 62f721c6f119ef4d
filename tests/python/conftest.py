"""Shared pytest fixtures: the embedded server binary, started on a free port per test.

The binary is ``$TAOSARROW_SERVER_BIN``, else ``$CARGO_TARGET_DIR/debug/taosarrow``, else
``target/debug/taosarrow`` under the repository root. It is started as
``taosarrow serve --port 0 …``; the first line it prints is its URL.
"""

from __future__ import annotations

import os
import queue
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 30.0


def server_binary() -> Path:
    """Where the server binary is expected."""
    explicit = os.environ.get("TAOSARROW_SERVER_BIN")
    if explicit:
        return Path(explicit)
    target = os.environ.get("CARGO_TARGET_DIR")
    base = Path(target) if target else REPO_ROOT / "target"
    return base / "debug" / "taosarrow"


@dataclass
class RunningServer:
    """A server process and how to reach it."""

    url: str  # ws://127.0.0.1:PORT
    host: str
    port: int
    process: subprocess.Popen

    def dsn(self, user: str = "root", password: str = "taosdata", db: Optional[str] = None) -> str:
        """A DSN for taos-ws-py and taosarrow, e.g. ``ws://root:taosdata@127.0.0.1:PORT/db``."""
        dsn = f"ws://{user}:{password}@{self.host}:{self.port}"
        return f"{dsn}/{db}" if db else dsn

    def stop(self) -> None:
        """Stops the process (SIGTERM, then SIGKILL after 5 s)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def start_server(args: List[str] = (), env: Optional[Dict[str, str]] = None) -> RunningServer:
    """Starts the binary with ``serve --port 0`` plus ``args`` and waits for its URL;
    ``env`` adds to (or overrides) this process's environment, e.g. ``{"TZ": "Asia/Shanghai"}``."""
    binary = server_binary()
    if not binary.is_file():
        pytest.fail(
            f"server binary not found at {binary}: build it with "
            "`cargo build -p taosarrow-server --bin taosarrow` or set TAOSARROW_SERVER_BIN"
        )
    process = subprocess.Popen(
        [str(binary), "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env} if env else None,
    )
    lines: "queue.Queue[str]" = queue.Queue()
    threading.Thread(target=lambda: lines.put(process.stdout.readline()), daemon=True).start()
    try:
        line = lines.get(timeout=START_TIMEOUT_S).strip()
    except queue.Empty:
        process.kill()
        pytest.fail(f"server did not print its URL within {START_TIMEOUT_S} s")
    if not line.startswith("ws://"):
        process.kill()
        err = process.stderr.read() if process.stderr else ""
        pytest.fail(f"server failed to start: stdout={line!r} stderr={err!r}")
    host_port = line[len("ws://"):]
    host, _, port = host_port.rpartition(":")
    return RunningServer(url=line, host=host, port=int(port), process=process)


@pytest.fixture
def server_factory() -> Iterator[Callable[..., RunningServer]]:
    """Starts servers with extra command-line flags (and ``env=`` additions to their
    environment); all are stopped at teardown."""
    started: List[RunningServer] = []

    def factory(*args: str, env: Optional[Dict[str, str]] = None) -> RunningServer:
        s = start_server(list(args), env)
        started.append(s)
        return s

    yield factory
    for s in started:
        s.stop()


@pytest.fixture
def server(server_factory) -> RunningServer:
    """A fresh server with default settings (root/taosdata, 4096-row blocks)."""
    return server_factory()


@pytest.fixture
def server_dsn(server: RunningServer) -> str:
    """The DSN of a fresh default server."""
    return server.dsn()
