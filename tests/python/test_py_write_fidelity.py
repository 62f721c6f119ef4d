"""Every type in each precision through the write path: the every-type super table of the
fidelity suite is read into Arrow by taosarrow, written into a fresh copy through stmt2
(``Connection.write``), and the copy is read back by the official client, value for value."""

from __future__ import annotations

import pyarrow as pa
import pytest
import taosws

import taosarrow
from fidelity_data import PRECISIONS, load_every_type, stable_ddl, TAGS

QUERY = "SELECT * FROM {} ORDER BY ts"


@pytest.mark.parametrize("precision", PRECISIONS)
def test_every_type_round_trips_through_stmt2(server, precision):
    ws = taosws.connect(server.dsn().replace("ws://", "taosws://"))
    db = load_every_type(ws, precision)
    ws.execute(f"USE {db}")
    ws.execute(stable_ddl("copy"))
    with taosarrow.connect(server.dsn(db=db)) as conn:
        data = taosarrow.read_arrow("SELECT tbname AS tb, * FROM st", conn)
        assert data.num_rows == 4
        # New child tables (d1 and d2 exist already, as children of st).
        data = data.drop_columns(["tb"]).append_column("tb", pa.array(["c_" + n for n in data.column("tb").to_pylist()]))
        written = conn.write(data, stable="copy", subtable="tb", tags=[t for t, _ in TAGS])
        assert written == 4
    cur = ws.cursor()
    cur.execute(QUERY.format(f"{db}.st"))
    original = cur.fetchall()
    cur.execute(QUERY.format(f"{db}.copy"))
    copy = cur.fetchall()
    assert copy == original
    # The child tables were created with the same names and tags.
    cur.execute(f"SELECT DISTINCT tbname FROM {db}.copy ORDER BY tbname")
    assert [r[0] for r in cur.fetchall()] == ["c_d1", "c_d2"]
    ws.close()
