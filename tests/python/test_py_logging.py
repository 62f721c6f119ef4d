"""Rust ``tracing`` events reach Python's ``logging`` under the ``taosarrow`` logger, at the
level the logger allows."""

from __future__ import annotations

import logging
import time

import taosarrow
from taosarrow import _native
from taosarrow.testing import LocalServer


def wait_for(caplog, predicate, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [r for r in caplog.records if predicate(r)]
        if found:
            return found
        time.sleep(0.01)
    return []


def test_events_arrive_under_the_taosarrow_logger_at_their_level(caplog):
    caplog.set_level(logging.DEBUG, logger="taosarrow")
    _native._log_test_event(30, "a warning from Rust")
    _native._log_test_event(10, "a debug line from Rust")
    [warn] = wait_for(caplog, lambda r: r.getMessage() == "a warning from Rust")
    assert warn.levelno == logging.WARNING and warn.name.startswith("taosarrow")
    [debug] = wait_for(caplog, lambda r: r.getMessage() == "a debug line from Rust")
    assert debug.levelno == logging.DEBUG


def test_the_logger_level_is_respected(caplog):
    caplog.set_level(logging.WARNING, logger="taosarrow")
    _native._log_test_event(20, "info that is filtered out")
    _native._log_test_event(30, "marker after it")
    assert wait_for(caplog, lambda r: r.getMessage() == "marker after it")
    assert not [r for r in caplog.records if r.getMessage() == "info that is filtered out"]


def test_the_compression_warning_reaches_the_user(caplog):
    caplog.set_level(logging.WARNING, logger="taosarrow")
    with LocalServer() as server, taosarrow.connect(server.dsn(), compression=True) as conn:
        assert conn.query("SELECT 1").fetch_all() == [(1,)]
    found = wait_for(caplog, lambda r: "compression" in r.getMessage())
    assert found and found[0].name == "taosarrow.transport"
