"""pytest plugin (entry point ``taosarrow``): the ``local_server`` fixture.

    def test_it(local_server):
        with taosarrow.connect(local_server.dsn()) as conn:
            ...
"""

from __future__ import annotations

from typing import Iterator

import pytest

from .testing import LocalServer


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    """A fresh embedded server on a free port, shut down after the test."""
    with LocalServer() as server:
        yield server
