"""taospy's ``bind-multi.py`` and ``bind-row.py``, call for call: they start with
``from taos import *``, here ``from taosarrow import *``, and use stmt v1 with
``new_multi_binds`` / ``new_bind_params``."""

from __future__ import annotations

from taosarrow import *  # noqa: F403 - what the programs do

COLUMNS = (
    "create table if not exists log(ts timestamp, bo bool, nil tinyint, "
    "ti tinyint, si smallint, ii int, bi bigint, tu tinyint unsigned, "
    "su smallint unsigned, iu int unsigned, bu bigint unsigned, "
    "ff float, dd double, bb binary(100), nn nchar(100), tt timestamp)"
)
INSERT = "insert into log values(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"


def ms(value):
    return None if value is None else round(value.timestamp() * 1000)


def test_bind_multi(adapter_port):
    conn = connect()  # noqa: F405
    dbname = "pytest_taos_stmt_multi"
    conn.execute("drop database if exists %s" % dbname)
    conn.execute("create database if not exists %s" % dbname)
    conn.select_db(dbname)
    conn.execute(COLUMNS)

    stmt = conn.statement(INSERT)
    params = new_multi_binds(16)  # noqa: F405
    params[0].timestamp((1626861392589, 1626861392590, 1626861392591))
    params[1].bool((True, None, False))
    params[2].tinyint([-128, -128, None])
    params[3].tinyint([0, 127, None])
    params[4].smallint([3, None, 2])
    params[5].int([3, 4, None])
    params[6].bigint([3, 4, None])
    params[7].tinyint_unsigned([3, 4, None])
    params[8].smallint_unsigned([3, 4, None])
    params[9].int_unsigned([3, 4, None])
    params[10].bigint_unsigned([3, 4, None])
    params[11].float([3, None, 1])
    params[12].double([3, None, 1.2])
    params[13].binary(["abc", "dddafadfadfadfadfa", None])
    params[14].nchar(["涛思数据", None, "a long string with 中文字符"])
    params[15].timestamp([None, None, 1626861392591])
    stmt.bind_param_batch(params)
    stmt.execute()
    assert stmt.affected_rows == 3

    result = conn.query("select * from log")
    rows = [list(row) for row in result]
    for row in rows:
        row[0], row[15] = ms(row[0]), ms(row[15])
    assert rows == [
        [1626861392589, True, -128, 0, 3, 3, 3, 3, 3, 3, 3, 3.0, 3.0, "abc", "涛思数据", None],
        [1626861392590, None, -128, 127, None, 4, 4, 4, 4, 4, 4, None, None, "dddafadfadfadfadfa", None, None],
        [1626861392591, False, None, None, 2, None, None, None, None, None, None, 1.0, 1.2, None,
         "a long string with 中文字符", 1626861392591],
    ]
    conn.close()


def test_bind_row(adapter_port):
    conn = connect()  # noqa: F405
    dbname = "pytest_taos_stmt"
    conn.execute("drop database if exists %s" % dbname)
    conn.execute("create database if not exists %s" % dbname)
    conn.select_db(dbname)
    conn.execute(COLUMNS)

    stmt = conn.statement(INSERT)
    params = new_bind_params(16)  # noqa: F405
    params[0].timestamp(1626861392589)
    params[1].bool(True)
    params[2].tinyint(None)
    params[3].tinyint(2)
    params[4].smallint(3)
    params[5].int(4)
    params[6].bigint(5)
    params[7].tinyint_unsigned(6)
    params[8].smallint_unsigned(7)
    params[9].int_unsigned(8)
    params[10].bigint_unsigned(9)
    params[11].float(10.1)
    params[12].double(10.11)
    params[13].binary("hello")
    params[14].nchar("stmt")
    params[15].timestamp(1626861392589)
    stmt.bind_param(params)

    params[0].timestamp(1626861392590)
    params[15].timestamp(None)
    stmt.bind_param(params)
    stmt.execute()
    assert stmt.affected_rows == 2

    result = conn.query("select * from log")
    rows = []
    for row in result:
        rows.append(list(row))
    result.close()
    stmt.close()
    conn.close()

    assert len(rows) == 2
    first, second = rows
    assert ms(first[0]) == 1626861392589 and ms(second[0]) == 1626861392590
    assert first[1:11] == [True, None, 2, 3, 4, 5, 6, 7, 8, 9]
    assert abs(first[11] - 10.1) < 1e-5 and first[12] == 10.11
    assert first[13:15] == ["hello", "stmt"]
    assert ms(first[15]) == 1626861392589 and second[15] is None
    assert second[1:15] == first[1:15]
