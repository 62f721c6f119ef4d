//! The JSON tag operators `->` and CONTAINS, and the system tables (SHOW DNODES,
//! `information_schema`), through [`Engine::execute`].

use arrow::array::Array;
use taosarrow_codec::column_spec;

use super::*;

/// An engine with `d.s1 (ts, v1 INT) TAGS (info JSON)` and three children, one row each:
/// `s1_1` (v1 1) with every kind of value, `s1_2` (v1 2) with two keys, `s1_3` (v1 3) with
/// a NULL tag.
async fn with_json() -> (Engine, Session) {
    let e = Engine::new();
    let mut s = Session::new(None);
    for sql in [
        "create database d",
        "use d",
        "create stable s1 (ts timestamp, v1 int) tags (info json)",
        r#"create table s1_1 using s1 tags ('{"k1": "v1", "num": 1, "b": true, "n": null, "温度": "热", "o": {"p": [1, 2]}, "k1": "dup", "q": "a\\"b"}')"#,
        r#"create table s1_2 using s1 tags ('{"k1": "v2", "num": 2.5, "b": false}')"#,
        "create table s1_3 using s1 tags (null)",
        "insert into s1_1 values (1700000000000, 1) s1_2 values (1700000000000, 2) s1_3 values (1700000000000, 3)",
    ] {
        e.execute(&mut s, sql)
            .await
            .unwrap_or_else(|err| panic!("{sql}: {err}"));
    }
    (e, s)
}

/// The result's columns as (name, TDengine type, declared length) and its rows as text
/// (`NULL` for a null).
async fn query(
    e: &Engine,
    s: &mut Session,
    sql: &str,
) -> (Vec<(String, String, u32)>, Vec<String>) {
    let rs = match e.execute(s, sql).await {
        Ok(Outcome::Rows(rs)) => rs,
        other => panic!("{sql}: {other:?}"),
    };
    let cols = rs
        .schema
        .fields()
        .iter()
        .map(|f| {
            let spec = column_spec(f).unwrap();
            (f.name().clone(), spec.ty.sql_name().to_owned(), spec.length)
        })
        .collect();
    let mut rows = Vec::new();
    for b in &rs.batches {
        for r in 0..b.num_rows() {
            let cells: Vec<String> = b
                .columns()
                .iter()
                .map(|c| {
                    if c.is_null(r) {
                        "NULL".to_owned()
                    } else {
                        arrow::util::display::array_value_to_string(c, r).unwrap()
                    }
                })
                .collect();
            rows.push(cells.join("|"));
        }
    }
    (cols, rows)
}

/// The rows of `sql` (see [`query`]).
async fn rows(e: &Engine, s: &mut Session, sql: &str) -> Vec<String> {
    query(e, s, sql).await.1
}

#[tokio::test]
async fn arrow_reads_a_key_as_json_text() {
    let (e, mut s) = with_json().await;
    // The documented example: an alias, type JSON, a string value keeps its quotes.
    let (cols, got) = query(&e, &mut s, "select info->'k1' as k1 from s1 order by v1").await;
    assert_eq!(cols, [("k1".to_owned(), "JSON".to_owned(), 4095)]);
    // The first of two `k1` wins, as in TDengine; the NULL tag has no keys.
    assert_eq!(got, ["\"v1\"", "\"v2\"", "NULL"]);
    for (key, want) in [
        // Numbers are doubles, printed as TDengine's client prints them.
        ("num", ["1.000000000", "2.500000000", "NULL"]),
        ("b", ["true", "false", "NULL"]),
        // A JSON null is a value (`null`); a missing key is NULL.
        ("n", ["null", "NULL", "NULL"]),
        ("missing", ["NULL", "NULL", "NULL"]),
        ("温度", ["\"热\"", "NULL", "NULL"]),
        // TDengine's strings have no escapes: the text goes between the quotes as it is.
        ("q", ["\"a\"b\"", "NULL", "NULL"]),
        // A nested value (which TDengine would refuse to store) reads as compact JSON.
        ("o", ["{\"p\":[1,2]}", "NULL", "NULL"]),
        // Empty keys are ignored.
        ("", ["NULL", "NULL", "NULL"]),
    ] {
        let sql = format!("select info->'{key}' from s1 order by v1");
        let (cols, got) = query(&e, &mut s, &sql).await;
        assert_eq!(cols[0].0, format!("info->'{key}'"), "{sql}");
        assert_eq!(cols[0].1, "JSON", "{sql}");
        assert_eq!(got, want, "{sql}");
    }
    // Qualified, spaced, with other columns, DISTINCT and GROUP BY.
    assert_eq!(
        rows(
            &e,
            &mut s,
            "select v1, s1.info -> 'k1', tbname from s1 order by v1"
        )
        .await,
        ["1|\"v1\"|s1_1", "2|\"v2\"|s1_2", "3|NULL|s1_3"]
    );
    assert_eq!(
        rows(
            &e,
            &mut s,
            "select distinct info->'n' from s1 order by 1 nulls first"
        )
        .await,
        ["NULL", "null"]
    );
    assert_eq!(
        rows(
            &e,
            &mut s,
            "select info->'b', count(*) from s1 group by info->'b' order by 1 nulls first"
        )
        .await,
        ["NULL|1", "false|1", "true|1"]
    );
    // Grouped and distinct keys stay JSON.
    for sql in [
        "select distinct info->'k1' from s1",
        "select info->'b', count(*) from s1 group by info->'b'",
    ] {
        assert_eq!(query(&e, &mut s, sql).await.0[0].1, "JSON", "{sql}");
    }
    // A child table reads its own tag.
    assert_eq!(
        rows(&e, &mut s, "select info->'num' from s1_2").await,
        ["2.500000000"]
    );
}

#[tokio::test]
async fn where_compares_a_key_with_a_literal_of_its_type() {
    let (e, mut s) = with_json().await;
    for (cond, want) in [
        ("info->'k1' = 'v1'", vec!["1"]),
        ("info->'k1' != 'v1'", vec!["2"]),
        ("info->'k1' <> 'v1'", vec!["2"]),
        ("'v2' = info->'k1'", vec!["2"]),
        ("info->'k1' like 'v%'", vec!["1", "2"]),
        ("info->'k1' not like '%1'", vec!["2"]),
        ("info->'k1' is null", vec!["3"]),
        ("info->'k1' is not null", vec!["1", "2"]),
        ("info->'n' is null", vec!["2", "3"]),
        ("info->'num' = 1", vec!["1"]),
        ("info->'num' > 1", vec!["2"]),
        ("info->'num' >= -1.5", vec!["1", "2"]),
        ("2 < info->'num'", vec!["2"]),
        ("info->'num' between 2 and 3", vec!["2"]),
        ("info->'b' = true", vec!["1"]),
        ("info->'b' = false", vec!["2"]),
        // A number is not equal to a string, nor a string to a number (TDengine: false).
        ("info->'num' = '1'", vec![]),
        ("info->'k1' > 0", vec![]),
        ("info->'温度' = '热'", vec!["1"]),
        ("info->'k1' = 'v1' and v1 = 1", vec!["1"]),
        ("info->'k1' = 'v1' or info->'num' = 2.5", vec!["1", "2"]),
        ("info contains 'k1'", vec!["1", "2"]),
        ("info contains 'o'", vec!["1"]),
        ("info contains 'n'", vec!["1"]),
        ("not info contains 'o'", vec!["2", "3"]),
        ("s1.info contains 'b' and info->'b' = false", vec!["2"]),
        ("info contains ''", vec![]),
        // `-` and `>` apart are a minus and a comparison.
        ("v1 - 1 > 0", vec!["2", "3"]),
        ("3 -v1 > 1", vec!["1"]),
    ] {
        let sql = format!("select v1 from s1 where {cond} order by v1");
        assert_eq!(rows(&e, &mut s, &sql).await, want, "{sql}");
    }
    // In the select list a comparison is a boolean.
    assert_eq!(
        rows(
            &e,
            &mut s,
            "select info->'k1' = 'v1', info contains 'num' from s1 order by v1"
        )
        .await,
        ["true|true", "false|true", "NULL|false"]
    );
}

#[tokio::test]
async fn json_operators_on_anything_else_are_clear_errors() {
    let (e, mut s) = with_json().await;
    let long = "k".repeat(100_000);
    let at_limit = "k".repeat(256);
    let over = "k".repeat(257);
    for (sql, code, fragment) in [
        (
            "select ->'k1' from s1".to_owned(),
            Code::PAR_SYNTAX_ERROR,
            "->'k1'",
        ),
        (
            "select info-> from s1".to_owned(),
            Code::PAR_SYNTAX_ERROR,
            "from s1",
        ),
        (
            "select v1, info->".to_owned(),
            Code::PAR_SYNTAX_ERROR,
            "incomplete",
        ),
        // No table: no column named info.
        (
            "select info->'k1'".to_owned(),
            Code::PAR_INVALID_COLUMN,
            "info",
        ),
        (
            "select v1 from s1 where info->".to_owned(),
            Code::PAR_SYNTAX_ERROR,
            "incomplete",
        ),
        (
            "select info->k1 from s1".to_owned(),
            Code::PAR_WRONG_VALUE_TYPE,
            "must be a string",
        ),
        (
            "select info->1 from s1".to_owned(),
            Code::PAR_WRONG_VALUE_TYPE,
            "must be a string",
        ),
        (
            "select info->'k1'->'x' from s1".to_owned(),
            Code::PAR_WRONG_VALUE_TYPE,
            "JSON tag",
        ),
        (
            "select (info)->'k1' from s1".to_owned(),
            Code::PAR_WRONG_VALUE_TYPE,
            "JSON tag",
        ),
        (
            "select v1->'k1' from s1".to_owned(),
            Code::PAR_WRONG_VALUE_TYPE,
            "not v1",
        ),
        (
            "select tbname->'k1' from s1".to_owned(),
            Code::PAR_WRONG_VALUE_TYPE,
            "JSON tag",
        ),
        (
            "select nope->'k1' from s1".to_owned(),
            Code::PAR_INVALID_COLUMN,
            "nope",
        ),
        (
            "select v1 from s1 where v1 contains 'k'".to_owned(),
            Code::PAR_WRONG_VALUE_TYPE,
            "CONTAINS",
        ),
        (
            "select v1 from s1 where info contains 1".to_owned(),
            Code::PAR_WRONG_VALUE_TYPE,
            "must be a string",
        ),
        (
            "select v1 from s1 where 1 contains 'k'".to_owned(),
            Code::PAR_WRONG_VALUE_TYPE,
            "CONTAINS",
        ),
        (
            "select v1 from s1 where info->'k1' = v1".to_owned(),
            Code::PAR_SYNTAX_ERROR,
            "literal",
        ),
        (
            "select v1 from s1 where info->'k1' = info->'k1'".to_owned(),
            Code::PAR_SYNTAX_ERROR,
            "literal",
        ),
        (
            "select v1 from s1 where info->'k1' in ('v1')".to_owned(),
            Code::PAR_SYNTAX_ERROR,
            "IN",
        ),
        (
            "select v1 from s1 where true = info->'b'".to_owned(),
            Code::PAR_SYNTAX_ERROR,
            "literal",
        ),
        (
            format!("select info->'{over}' from s1"),
            Code::PAR_SYNTAX_ERROR,
            "too long",
        ),
        (
            format!("select v1 from s1 where info->'{long}' = 'x'"),
            Code::PAR_SYNTAX_ERROR,
            "too long",
        ),
        (
            format!("select v1 from s1 where info contains '{long}'"),
            Code::PAR_SYNTAX_ERROR,
            "too long",
        ),
        (
            "select v1 from d.t1 where info->'k1' = 'v1'".to_owned(),
            Code::PAR_GET_META_ERROR,
            "Table does not exist",
        ),
    ] {
        let short: String = sql.chars().take(70).collect();
        let err = e.execute(&mut s, &sql).await.expect_err(&short);
        assert_eq!(err.code, code, "{short}: {err}");
        assert!(err.message.contains(fragment), "{short}: {}", err.message);
    }
    // A key of exactly 256 bytes is accepted.
    let sql = format!("select info->'{at_limit}' from s1");
    assert_eq!(rows(&e, &mut s, &sql).await, ["NULL", "NULL", "NULL"]);
    // The connection's statements go on.
    assert_eq!(rows(&e, &mut s, "select count(*) from s1").await, ["3"]);
}

#[tokio::test]
async fn show_dnodes_lists_the_one_dnode() {
    let (e, mut s) = with_json().await;
    let (cols, got) = query(&e, &mut s, "show dnodes").await;
    let want_cols: Vec<(String, String, u32)> = [
        ("id", "INT", 4),
        ("endpoint", "VARCHAR", 134),
        ("vnodes", "SMALLINT", 2),
        ("support_vnodes", "SMALLINT", 2),
        ("status", "VARCHAR", 10),
        ("create_time", "TIMESTAMP", 8),
        ("reboot_time", "TIMESTAMP", 8),
        ("note", "VARCHAR", 256),
    ]
    .iter()
    .map(|(n, t, l)| ((*n).to_owned(), (*t).to_owned(), *l))
    .collect();
    assert_eq!(cols, want_cols);
    assert_eq!(got.len(), 1);
    let cells: Vec<&str> = got[0].split('|').collect();
    // One vnode per vgroup of the user databases (`d` has the default 2), no vnode limit.
    assert_eq!(cells[..5], ["1", "localhost:6030", "2", "32767", "ready"]);
    assert_eq!(cells[7], "");
    let dnode = e.dnode().clone();
    let created = chrono::DateTime::from_timestamp_millis(dnode.created).unwrap();
    assert_eq!(
        cells[5],
        created
            .naive_utc()
            .format("%Y-%m-%dT%H:%M:%S%.3f")
            .to_string()
    );
    // The same rows from information_schema, with SELECT's clauses.
    let (cols2, got2) = query(&e, &mut s, "select * from information_schema.ins_dnodes").await;
    assert_eq!((cols2, got2), (want_cols, got.clone()));
    assert_eq!(
        rows(
            &e,
            &mut s,
            "select endpoint, status from information_schema.ins_dnodes where id = 1 and vnodes < support_vnodes"
        )
        .await,
        ["localhost:6030|ready"]
    );
    assert_eq!(
        rows(
            &e,
            &mut s,
            "SELECT COUNT(*) FROM INFORMATION_SCHEMA.INS_DNODES"
        )
        .await,
        ["1"]
    );
    // ins_databases is SHOW DATABASES' listing.
    assert_eq!(
        rows(
            &e,
            &mut s,
            "select name from information_schema.ins_databases order by name"
        )
        .await,
        ["d", "information_schema", "performance_schema"]
    );
    // A server sets where it listens; the creation time stays, the start time moves.
    let served = e.clone().with_endpoint("127.0.0.1:6041");
    let (_, got) = query(&served, &mut s, "show dnodes").await;
    let cells: Vec<&str> = got[0].split('|').collect();
    assert_eq!(cells[1], "127.0.0.1:6041");
    assert!(served.dnode().created == dnode.created && served.dnode().started >= dnode.started);
    for (sql, code) in [
        ("show dnodes like 'x'", Code::PAR_SYNTAX_ERROR),
        ("show d.dnodes", Code::PAR_SYNTAX_ERROR),
        ("show dnodes extra", Code::PAR_SYNTAX_ERROR),
        (
            "select * from information_schema.ins_nope",
            Code::PAR_GET_META_ERROR,
        ),
    ] {
        let err = e.execute(&mut s, sql).await.expect_err(sql);
        assert_eq!(err.code, code, "{sql}: {err}");
    }
}
