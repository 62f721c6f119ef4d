"""The wheels install and work in a fresh virtual environment that has no Rust toolchain and
no other package: the full one (embedded server included) and the connector-only one
(``--no-default-features``, as ``make wheel-connector`` builds it). Built here in the debug
profile, which reuses the test build; ``make wheel`` builds the release ones."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from conftest import REPO_ROOT, RunningServer

SMOKE = """
import sys
import taosarrow
dsn = sys.argv[1]
if dsn == "embedded":
    from taosarrow.testing import LocalServer
    server = LocalServer()
    dsn = server.dsn()
with taosarrow.connect(dsn) as conn:
    conn.execute("CREATE DATABASE IF NOT EXISTS smoke")
    conn.execute("CREATE TABLE IF NOT EXISTS smoke.t (ts TIMESTAMP, v INT)")
    conn.execute("INSERT INTO smoke.t VALUES (1700000000000, 7)")
    cur = conn.cursor()
    cur.execute("SELECT v FROM smoke.t WHERE v = ?", (7,))
    assert cur.fetchall() == [(7,)], "row read back"
print("ok", taosarrow.__version__, taosarrow._native.HAS_SERVER)
"""


def build(out: Path, *extra: str) -> Path:
    maturin = Path(sys.executable).with_name("maturin")
    env = {**os.environ}
    subprocess.run([str(maturin), "build", "-q", "-o", str(out), *extra], cwd=REPO_ROOT, env=env, check=True)
    [wheel] = out.glob("taosarrow-*.whl")
    return wheel


def fresh_venv(path: Path, wheel: Path) -> Path:
    venv.EnvBuilder(with_pip=True).create(path)
    python = path / "bin" / "python"
    # No Rust on the PATH: installing a wheel must not need it.
    env = {"PATH": str(path / "bin") + ":/usr/bin:/bin", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-index", "--no-deps", str(wheel)], env=env, check=True)
    return python


def smoke(python: Path, dsn: str) -> str:
    out = subprocess.run([str(python), "-c", SMOKE, dsn], capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


@pytest.mark.parametrize("kind", ["full", "connector"])
def test_the_wheel_installs_and_runs_in_a_fresh_venv(kind, tmp_path, server: RunningServer):
    extra = () if kind == "full" else ("--no-default-features", "--features", "extension-module")
    wheel = build(tmp_path / "dist", *extra)
    assert "abi3" in wheel.name
    python = fresh_venv(tmp_path / "venv", wheel)
    assert smoke(python, server.dsn()).startswith("ok ")
    if kind == "full":
        assert smoke(python, "embedded").endswith("True")
    else:
        assert smoke(python, server.dsn()).endswith("False")
