"""DSNs built by ``taosarrow.testing.LocalServer.dsn()``: credentials with URL delimiters,
percent signs and non-ASCII characters reach the server as they are, and a wrong password
is never quoted in an error."""

from __future__ import annotations

import pytest

import taosarrow
from taosarrow.testing import LocalServer

AWKWARD = ["p?a/s@s#w%rd:é", "100%", "a@b?c", "?", "/", "中文:@"]


@pytest.mark.parametrize("password", AWKWARD)
def test_local_server_dsn_carries_any_password(password):
    with LocalServer(user="u:@/?", password=password) as server:
        with taosarrow.connect(server.dsn()) as conn:
            conn.execute("CREATE DATABASE IF NOT EXISTS dsn")
        with taosarrow.connect(server.dsn("dsn")) as conn:
            assert conn.cursor().execute("SELECT DATABASE()").fetchone() == ("dsn",)


def test_a_wrong_password_is_not_quoted_in_the_error():
    with LocalServer(password="right") as server:
        wrong = "Zq9?Xk/Yv@Wm"
        dsn = server.dsn().replace(":right@", f":{wrong}@")
        with pytest.raises(taosarrow.Error) as info:
            taosarrow.connect(dsn, conn_retries=0)
        text = f"{info.value!s} {info.value!r}"
        for part in ("Zq9", "Xk", "Yv", "Wm"):
            assert part not in text, text
