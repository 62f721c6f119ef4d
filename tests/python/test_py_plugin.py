"""The pytest plugin's `local_server` fixture and the `taosarrow serve` console script."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

import taosws

import taosarrow


def test_local_server_fixture(local_server):
    assert local_server.port > 0
    with taosarrow.connect(local_server.dsn()) as conn:
        conn.execute("CREATE DATABASE p")
        cur = conn.cursor()
        cur.execute("SHOW DATABASES")
        names = [row[0] for row in cur.fetchall()]
    assert "p" in names


def test_serve_console_script():
    exe = shutil.which("taosarrow", path=os.path.dirname(sys.executable))
    assert exe is not None, "the taosarrow console script is not installed"
    proc = subprocess.Popen([exe, "serve", "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("ws://127.0.0.1:")
        conn = taosws.connect(url.replace("ws://", "ws://root:taosdata@"))
        rows = list(conn.query("SELECT SERVER_VERSION()"))
        assert rows and rows[0][0].startswith("3.")
        conn.close()
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
