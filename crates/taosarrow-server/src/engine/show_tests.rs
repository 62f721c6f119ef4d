//! SHOW, DESCRIBE, SHOW CREATE, the system tables and KILL, through [`Engine::execute`].

use std::time::Duration;

use taosarrow_codec::column_spec;
use taosarrow_protocol::Code;

use super::{Engine, Outcome, Session};

/// Column names and the rows as `a|b|c` text (NULL as `NULL`).
async fn query(e: &Engine, s: &mut Session, sql: &str) -> (Vec<String>, Vec<String>) {
    let rs = match e.execute(s, sql).await {
        Ok(Outcome::Rows(rs)) => rs,
        other => panic!("{sql}: {other:?}"),
    };
    let cols = rs
        .schema
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let mut rows = Vec::new();
    for b in &rs.batches {
        for r in 0..b.num_rows() {
            let cells: Vec<String> = b
                .columns()
                .iter()
                .map(|c| {
                    if arrow::array::Array::is_null(c, r) {
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

async fn rows(e: &Engine, s: &mut Session, sql: &str) -> Vec<String> {
    query(e, s, sql).await.1
}

async fn cols(e: &Engine, s: &mut Session, sql: &str) -> Vec<String> {
    query(e, s, sql).await.0
}

async fn setup() -> (Engine, Session) {
    let e = Engine::new();
    let mut s = e.session(None);
    for sql in [
        "create database d vgroups 3 keep 365 duration 1d",
        "use d",
        "create stable st (ts timestamp, v int, f float) tags (t1 int, t2 varchar(16))",
        "create table c1 using st tags (1, 'one')",
        "create table c2 using st tags (2, null)",
        "create table n1 (ts timestamp, s nchar(8))",
        "insert into c1 values (1700000000000, 1, 1.5)",
    ] {
        e.execute(&mut s, sql)
            .await
            .unwrap_or_else(|err| panic!("{sql}: {err}"));
    }
    (e, s)
}

#[tokio::test]
async fn show_lists_names_as_tdengine_rewrites_them() {
    let (e, mut s) = setup().await;
    assert_eq!(cols(&e, &mut s, "show databases").await, ["name"]);
    assert_eq!(
        rows(&e, &mut s, "show databases").await,
        ["information_schema", "performance_schema", "d"]
    );
    assert_eq!(rows(&e, &mut s, "show user databases").await, ["d"]);
    assert_eq!(
        rows(&e, &mut s, "show system databases").await,
        ["information_schema", "performance_schema"]
    );
    assert_eq!(cols(&e, &mut s, "show stables").await, ["stable_name"]);
    assert_eq!(rows(&e, &mut s, "show `d`.stables").await, ["st"]);
    assert_eq!(cols(&e, &mut s, "show tables").await, ["table_name"]);
    assert_eq!(rows(&e, &mut s, "show d.tables").await, ["c1", "c2", "n1"]);
    assert_eq!(rows(&e, &mut s, "show normal `d`.tables").await, ["n1"]);
    assert_eq!(
        rows(&e, &mut s, "show child tables like 'c%'").await,
        ["c1", "c2"]
    );
    assert_eq!(
        rows(&e, &mut s, "show tables like '%1'").await,
        ["c1", "n1"]
    );
    // Three vgroups, each of the one dnode, holding the three tables between them.
    let vg = rows(&e, &mut s, "show vgroups").await;
    assert_eq!(vg.len(), 3);
    let tables: i32 = vg
        .iter()
        .map(|r| r.split('|').nth(2).unwrap().parse::<i32>().unwrap())
        .sum();
    assert_eq!(tables, 3);
    assert!(vg.iter().all(|r| r.split('|').nth(3) == Some("1")));
    assert_eq!(
        rows(&e, &mut s, "show grants").await,
        ["community|unlimited|limited|false|ungranted|unlimited|unlimited|unlimited"]
    );
    assert_eq!(rows(&e, &mut s, "show cluster").await.len(), 1);
    assert_eq!(rows(&e, &mut s, "show mnodes").await.len(), 1);
    assert!(
        rows(&e, &mut s, "show variables like 'timezone'").await[0].starts_with("timezone|UTC|")
    );
    assert_eq!(
        rows(&e, &mut s, "show dnode 1 variables like 'fqdn'").await,
        ["1|fqdn|localhost|server|the node's fully qualified domain name"]
    );
    assert!(rows(&e, &mut s, "show dnode 2 variables").await.is_empty());
    assert_eq!(rows(&e, &mut s, "show alive").await, ["1"]);
    // Database-scoped listings name a database that exists.
    let mut none = e.session(None);
    let err = e.execute(&mut none, "show tables").await.unwrap_err();
    assert_eq!(err.code, Code::PAR_DB_NOT_SPECIFIED);
    let err = e.execute(&mut s, "show nodb.tables").await.unwrap_err();
    assert_eq!(err.code, Code::MND_DB_NOT_EXIST);
    let err = e.execute(&mut s, "show nodb.dnodes").await.unwrap_err();
    assert_eq!(err.code, Code::PAR_SYNTAX_ERROR);
}

#[tokio::test]
async fn ins_databases_has_every_column_with_the_options_given() {
    let (e, mut s) = setup().await;
    let (cols, got) = query(
        &e,
        &mut s,
        "select * from information_schema.ins_databases where name = 'd'",
    )
    .await;
    assert_eq!(cols.len(), 34);
    assert_eq!(cols[..4], ["name", "create_time", "vgroups", "ntables"]);
    assert_eq!(cols[33], "encrypt_algorithm");
    let row: Vec<&str> = got[0].split('|').collect();
    assert_eq!(row[2], "3", "vgroups");
    assert_eq!(row[3], "3", "ntables");
    assert_eq!(row[6], "1d", "duration");
    assert_eq!(row[7], "365d,365d,365d", "keep");
    assert_eq!(row[14], "ms", "precision");
    assert_eq!(row[15], "ready", "status");
    assert_eq!(row[22], "3600", "wal_retention_period");
    // WHERE, ORDER BY and LIMIT work on system tables as on any table.
    assert_eq!(
        rows(
            &e,
            &mut s,
            "select name, vgroups from information_schema.ins_databases where vgroups is not null order by name desc limit 1"
        )
        .await,
        ["d|3"]
    );
}

#[tokio::test]
async fn tables_tags_and_columns_are_queryable() {
    let (e, mut s) = setup().await;
    assert_eq!(
        rows(
            &e,
            &mut s,
            "select table_name, stable_name, type from information_schema.ins_tables where db_name = 'd' order by table_name"
        )
        .await,
        ["c1|st|CHILD_TABLE", "c2|st|CHILD_TABLE", "n1|NULL|NORMAL_TABLE"]
    );
    // The system tables list themselves.
    assert!(rows(
        &e,
        &mut s,
        "select table_name from information_schema.ins_tables where type = 'SYSTEM_TABLE' and table_name = 'perf_queries'"
    )
    .await
    .len()
        == 1);
    assert_eq!(
        rows(&e, &mut s, "show tags from c1").await,
        ["c1|d|st|t1|INT|1", "c1|d|st|t2|VARCHAR(16)|one"]
    );
    assert_eq!(
        rows(
            &e,
            &mut s,
            "select col_name, col_type, col_length from information_schema.ins_columns where table_name = 'n1'"
        )
        .await,
        ["ts|TIMESTAMP|8", "s|NCHAR(8)|8"]
    );
    assert_eq!(
        rows(
            &e,
            &mut s,
            "select stable_name, columns, tags from information_schema.ins_stables"
        )
        .await,
        ["st|3|2"]
    );
    // SHOW TABLE TAGS: tbname then the tags, in their own types.
    let (c, got) = query(&e, &mut s, "show table tags from st").await;
    assert_eq!(c, ["tbname", "t1", "t2"]);
    assert_eq!(got, ["c1|1|one", "c2|2|NULL"]);
    assert_eq!(
        rows(&e, &mut s, "show table tags t2, tbname from d.c2").await,
        ["NULL|c2"]
    );
    let err = e
        .execute(&mut s, "show table tags from n1")
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::PAR_INVALID_TAGS_PC);
    let err = e.execute(&mut s, "show tags from nope").await.unwrap_err();
    assert_eq!(err.code, Code::PAR_GET_META_ERROR);
}

#[tokio::test]
async fn describe_has_tdengine_3_3s_seven_columns() {
    let (e, mut s) = setup().await;
    let (c, got) = query(&e, &mut s, "describe st").await;
    assert_eq!(
        c,
        ["field", "type", "length", "note", "encode", "compress", "level"]
    );
    assert_eq!(
        got,
        [
            "ts|TIMESTAMP|8||delta-i|lz4|medium",
            "v|INT|4||simple8b|lz4|medium",
            "f|FLOAT|4||delta-d|lz4|medium",
            "t1|INT|4|TAG|disabled|disabled|disabled",
            "t2|VARCHAR|16|TAG|disabled|disabled|disabled",
        ]
    );
    let rs = match e.execute(&mut s, "desc n1").await.unwrap() {
        Outcome::Rows(rs) => rs,
        other => panic!("{other:?}"),
    };
    let widths: Vec<u32> = rs
        .schema
        .fields()
        .iter()
        .map(|f| column_spec(f).unwrap().length)
        .collect();
    assert_eq!(widths, [64, 20, 4, 16, 12, 12, 12]);
    // A system table: the four columns.
    let (c, got) = query(&e, &mut s, "describe information_schema.ins_dnodes").await;
    assert_eq!(c, ["field", "type", "length", "note"]);
    assert_eq!(got[1], "endpoint|VARCHAR|134|");
}

#[tokio::test]
async fn show_create_prints_what_would_create_it_again() {
    let (e, mut s) = setup().await;
    let (c, got) = query(&e, &mut s, "show create stable st").await;
    assert_eq!(c, ["Table", "Create Table"]);
    assert_eq!(
        got,
        ["st|CREATE STABLE `st` (`ts` TIMESTAMP ENCODE 'delta-i' COMPRESS 'lz4' LEVEL 'medium', \
          `v` INT ENCODE 'simple8b' COMPRESS 'lz4' LEVEL 'medium', `f` FLOAT ENCODE 'delta-d' \
          COMPRESS 'lz4' LEVEL 'medium') TAGS (`t1` INT, `t2` VARCHAR(16))"]
    );
    assert_eq!(
        rows(&e, &mut s, "show create table c1").await,
        ["c1|CREATE TABLE `c1` USING `st` (`t1`, `t2`) TAGS (1, \"one\")"]
    );
    assert_eq!(
        rows(&e, &mut s, "show create table d.c2").await,
        ["c2|CREATE TABLE `c2` USING `st` (`t1`, `t2`) TAGS (2, NULL)"]
    );
    let err = e
        .execute(&mut s, "show create stable c1")
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::TSC_NOT_STABLE_ERROR);
    let (c, got) = query(&e, &mut s, "show create database d").await;
    assert_eq!(c, ["Database", "Create Database"]);
    let text = got[0].split_once('|').unwrap().1;
    assert!(
        text.starts_with(
            "CREATE DATABASE `d` BUFFER 256 CACHESIZE 1 CACHEMODEL 'none' COMP 2 DURATION 1d "
        ),
        "{text}"
    );
    assert!(
        text.contains(" KEEP 365d,365d,365d ") && text.contains(" VGROUPS 3 "),
        "{text}"
    );
    // What SHOW CREATE printed creates the same table again.
    let stmt = rows(&e, &mut s, "show create stable st").await[0]
        .split_once('|')
        .unwrap()
        .1
        .replace("`st`", "`st_again`");
    e.execute(&mut s, &stmt).await.unwrap();
    assert_eq!(
        rows(&e, &mut s, "describe st_again").await,
        rows(&e, &mut s, "describe st").await
    );
    let err = e
        .execute(&mut s, "show create database nodb")
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::MND_DB_NOT_EXIST);
}

#[tokio::test]
async fn connections_and_queries_are_listed_and_killed() {
    let (e, _) = setup().await;
    let guard = e.peers().register("root", "127.0.0.1:40000");
    let mut s = e.session(Some("d".into()));
    s.set_user(Some("root"));
    s.set_peer(Some(std::sync::Arc::clone(guard.peer())));
    let got = rows(&e, &mut s, "show connections").await;
    assert_eq!(got.len(), 1);
    let cells: Vec<&str> = got[0].split('|').collect();
    assert_eq!(cells[1], "root");
    assert_eq!(cells[4], "127.0.0.1:40000");
    // The statement that lists the queries is itself running.
    let q = rows(
        &e,
        &mut s,
        "select kill_id, sql from performance_schema.perf_queries",
    )
    .await;
    assert_eq!(q.len(), 1);
    assert!(q[0].ends_with("|select kill_id, sql from performance_schema.perf_queries"));

    // A statement killed while it runs fails with 0x022D.
    let running = guard.peer().start_query(e.peers(), "long statement");
    let kill_id = e
        .peers()
        .queries()
        .into_iter()
        .find(|q| q.sql == "long statement")
        .unwrap()
        .kill_id;
    let mut admin = e.session(None);
    e.execute(&mut admin, &format!("kill query '{kill_id}'"))
        .await
        .unwrap();
    tokio::time::timeout(Duration::from_secs(5), running.killed())
        .await
        .unwrap();
    for (sql, code) in [
        ("kill query 'nonsense'", Code::MND_INVALID_QUERY_ID),
        ("kill query 'ffff:1'", Code::MND_INVALID_CONN_ID),
        ("kill connection 65535", Code::MND_INVALID_CONN_ID),
    ] {
        assert_eq!(
            e.execute(&mut admin, sql).await.unwrap_err().code,
            code,
            "{sql}"
        );
    }
    // KILL CONNECTION: every statement the connection runs from then on is killed.
    let id = guard.peer().id();
    e.execute(&mut admin, &format!("kill connection {id}"))
        .await
        .unwrap();
    assert!(guard.peer().is_killed());
    let err = e.execute(&mut s, "select * from c1").await.unwrap_err();
    assert_eq!(err.code, Code::TSC_QUERY_KILLED);
    drop(guard);
    assert!(rows(&e, &mut admin, "show connections").await.is_empty());
}

#[tokio::test]
async fn a_refused_statement_changes_nothing() {
    let (e, mut s) = setup().await;
    let tables = |e: &Engine, s: &mut Session| {
        let (e, mut s) = (e.clone(), s.clone());
        async move { rows(&e, &mut s, "show tables").await }
    };
    let before = tables(&e, &mut s).await;
    for sql in [
        // Reproduced on the token rewriter: this dropped c1 and then answered 0x2600.
        "drop table d.c1 union all drop table d.c2",
        "drop table c1, nope",
        "drop table c1, c2 extra",
        "create table x1 using st tags (1, 'x') x2 using nope tags (2, 'y')",
        "create table x1 using st tags (1, 'x') x2 using st tags (2, 'y') x3 (ts timestamp, v int)",
        "create table x1 (ts timestamp, v int) union all select 1",
        "create table x1 using st tags (1, 'x') c1 using st tags (2, 'y')",
        "insert into c1 values (1700000000001, 2, 2.5) c2 values (1700000000001, 'not a number', 1)",
        "insert into c1 values (1700000000001, 2, 2.5) nope values (1700000000001, 1, 1)",
    ] {
        assert!(e.execute(&mut s, sql).await.is_err(), "{sql} succeeded");
        assert_eq!(tables(&e, &mut s).await, before, "{sql} changed the tables");
        assert_eq!(
            rows(&e, &mut s, "select count(*) from c1").await,
            ["1"],
            "{sql} changed the rows"
        );
    }
    // The same statements without the fault do their work.
    e.execute(
        &mut s,
        "create table x1 using st tags (1, 'x') x2 using st tags (2, 'y') ttl 7",
    )
    .await
    .unwrap();
    e.execute(&mut s, "drop table x1, x2").await.unwrap();
    assert_eq!(tables(&e, &mut s).await, before);
}

#[tokio::test]
async fn delete_takes_a_time_range_and_refuses_anything_else() {
    let e = Engine::new();
    let mut s = e.session(None);
    for sql in [
        "create database dl precision 'ns'",
        "use dl",
        "create table t (ts timestamp, v int)",
        "insert into t values (1000, 1) (2000, 2) (3000, 3) (now, 4)",
    ] {
        e.execute(&mut s, sql).await.unwrap();
    }
    let deleted = |o: Outcome| match o {
        Outcome::Affected { rows } => rows,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        deleted(
            e.execute(&mut s, "delete from t where ts > 1000 and ts < 3000")
                .await
                .unwrap()
        ),
        1
    );
    assert_eq!(
        rows(&e, &mut s, "select v from t order by ts").await,
        ["1", "3", "4"]
    );
    // NOW ± a duration, in the database's precision.
    assert_eq!(
        deleted(
            e.execute(&mut s, "delete from t where ts > now - 1h")
                .await
                .unwrap()
        ),
        1
    );
    assert_eq!(
        deleted(
            e.execute(&mut s, "delete from t where ts = 3000")
                .await
                .unwrap()
        ),
        1
    );
    // An empty range deletes nothing.
    assert_eq!(
        deleted(
            e.execute(&mut s, "delete from t where ts > 5 and ts < 5")
                .await
                .unwrap()
        ),
        0
    );
    for (sql, code) in [
        ("delete from t where v = 1", Code::PAR_INVALID_DELETE_WHERE),
        (
            "delete from t where ts > 1 or ts < 0",
            Code::PAR_SYNTAX_ERROR,
        ),
        ("delete from t where ts > 1 extra", Code::PAR_SYNTAX_ERROR),
        ("delete from nope", Code::PAR_TABLE_NOT_EXIST),
    ] {
        assert_eq!(
            e.execute(&mut s, sql).await.unwrap_err().code,
            code,
            "{sql}"
        );
    }
    assert_eq!(rows(&e, &mut s, "select v from t").await, ["1"]);
}

#[tokio::test]
async fn insert_select_writes_the_query_rows() {
    let (e, mut s) = setup().await;
    for sql in [
        "create table copy (ts timestamp, v int, f double, note varchar(8))",
        "insert into c2 values (1700000000005, 5, 2.5)",
    ] {
        e.execute(&mut s, sql).await.unwrap();
    }
    let out = e
        .execute(
            &mut s,
            "insert into copy (ts, v, f) select ts, v, f from st where v > 0",
        )
        .await
        .unwrap();
    assert!(matches!(out, Outcome::Affected { rows: 2 }), "{out:?}");
    assert_eq!(
        rows(&e, &mut s, "select v, f, note from copy order by ts").await,
        ["1|1.5|NULL", "5|2.5|NULL"]
    );
    // Positional: every column of the table, cast to its type.
    e.execute(
        &mut s,
        "insert into copy select ts + 1, v * 2, f, 'x' from c1",
    )
    .await
    .unwrap();
    assert_eq!(rows(&e, &mut s, "select count(*) from copy").await, ["3"]);
    for (sql, code) in [
        (
            "insert into copy select ts, v from c1",
            Code::PAR_INCORRECT_NUM_OF_COL,
        ),
        (
            "insert into copy (v) select v from c1",
            Code::PAR_INVALID_COLUMN,
        ),
        (
            "insert into copy (ts, nope) select ts, v from c1",
            Code::PAR_INVALID_COLUMN,
        ),
        (
            "insert into st select ts, v, f from c1",
            Code::PAR_SYNTAX_ERROR,
        ),
    ] {
        assert_eq!(
            e.execute(&mut s, sql).await.unwrap_err().code,
            code,
            "{sql}"
        );
    }
    assert_eq!(rows(&e, &mut s, "select count(*) from copy").await, ["3"]);
}

#[tokio::test]
async fn flush_database_names_a_database_that_exists() {
    let (e, mut s) = setup().await;
    assert!(matches!(
        e.execute(&mut s, "flush database d").await.unwrap(),
        Outcome::Affected { rows: 0 }
    ));
    assert_eq!(
        e.execute(&mut s, "flush database nope")
            .await
            .unwrap_err()
            .code,
        Code::MND_DB_NOT_EXIST
    );
    assert_eq!(rows(&e, &mut s, "select count(*) from c1").await, ["1"]);
}

#[tokio::test]
async fn alter_database_changes_what_it_may_and_refuses_the_rest() {
    let (e, mut s) = setup().await;
    e.execute(
        &mut s,
        "alter database d keep 100 cachemodel 'last_row' wal_retention_period 60",
    )
    .await
    .unwrap();
    let row = rows(
        &e,
        &mut s,
        "select `keep`, cachemodel, wal_retention_period from information_schema.ins_databases where name = 'd'",
    )
    .await;
    assert_eq!(row, ["100d,100d,100d|last_row|60"]);
    let db = e.catalog().db("d").unwrap();
    assert_eq!(db.wal.retention().period_s, 60);
    e.execute(&mut s, "alter database d wal_retention_size -1")
        .await
        .unwrap();
    assert_eq!(db.wal.retention().size_kb, -1);
    // CREATE DATABASE reads its option values the same way.
    e.execute(
        &mut s,
        "create database neg wal_retention_period -1 keep 10,20,30",
    )
    .await
    .unwrap();
    let neg = e.catalog().db("neg").unwrap();
    assert_eq!(neg.wal.retention().period_s, -1);
    for (sql, code) in [
        ("alter database d vgroups 4", Code::PAR_SYNTAX_ERROR),
        ("alter database d precision 'us'", Code::PAR_SYNTAX_ERROR),
        (
            "alter database d wal_retention_size -5",
            Code::MND_INVALID_DB_OPTION,
        ),
        ("alter database d", Code::PAR_SYNTAX_ERROR),
        ("alter database nope keep 10", Code::MND_DB_NOT_EXIST),
    ] {
        assert_eq!(
            e.execute(&mut s, sql).await.unwrap_err().code,
            code,
            "{sql}"
        );
    }
    // A refused ALTER changed nothing.
    assert_eq!(
        rows(
            &e,
            &mut s,
            "select `keep` from information_schema.ins_databases where name = 'd'"
        )
        .await,
        ["100d,100d,100d"]
    );
}
