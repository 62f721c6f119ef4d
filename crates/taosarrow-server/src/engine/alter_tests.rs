//! ALTER … DROP / RENAME / MODIFY of columns and tags: what is stored afterwards, and
//! TDengine's codes for what it refuses.

use super::*;

async fn run(e: &Engine, s: &mut Session, sqls: &[&str]) {
    for sql in sqls {
        e.execute(s, sql)
            .await
            .unwrap_or_else(|err| panic!("{sql}: {err}"));
    }
}

/// Column names and row count of `SELECT *` of `table`.
async fn shape(e: &Engine, s: &mut Session, table: &str) -> (Vec<String>, usize) {
    let sql = format!("select * from {table}");
    let Outcome::Rows(rs) = e.execute(s, &sql).await.unwrap() else {
        panic!("{sql}: no rows")
    };
    let names = rs
        .schema
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    (names, rs.num_rows())
}

async fn code_of(e: &Engine, s: &mut Session, sql: &str) -> Code {
    match e.execute(s, sql).await {
        Ok(_) => panic!("{sql}: accepted"),
        Err(err) => err.code,
    }
}

#[tokio::test]
async fn drop_column_of_a_super_table_drops_it_from_every_child() {
    let e = Engine::new();
    let mut s = Session::new(None);
    run(
        &e,
        &mut s,
        &[
            "create database d",
            "use d",
            "create stable st (ts timestamp, a int, b double, c varchar(8)) tags (g int, h int)",
            "insert into c1 using st tags (1, 2) values (1, 10, 1.5, 'x') (2, 20, 2.5, 'y')",
            "insert into c2 using st tags (3, 4) values (1, 30, 3.5, 'z')",
            "alter stable st drop column b",
            "alter table st drop tag h",
        ],
    )
    .await;
    let (names, rows) = shape(&e, &mut s, "st").await;
    assert_eq!(names, ["ts", "a", "c", "g"]);
    assert_eq!(rows, 3);
    let (names, rows) = shape(&e, &mut s, "c1").await;
    assert_eq!(names, ["ts", "a", "c"]);
    assert_eq!(rows, 2);
    // New rows have the new shape.
    run(&e, &mut s, &["insert into c1 values (3, 40, 'w')"]).await;
    assert_eq!(shape(&e, &mut s, "st").await.1, 4);
    assert_eq!(
        code_of(&e, &mut s, "alter stable st drop column ts").await,
        Code::MND_INVALID_STB_ALTER_OPTION
    );
    assert_eq!(
        code_of(&e, &mut s, "alter stable st drop column nope").await,
        Code::MND_COLUMN_NOT_EXIST
    );
    assert_eq!(
        code_of(&e, &mut s, "alter stable st drop tag g").await,
        Code::MND_INVALID_STB_ALTER_OPTION
    );
    run(&e, &mut s, &["alter stable st drop column c"]).await;
    assert_eq!(
        code_of(&e, &mut s, "alter stable st drop column a").await,
        Code::PAR_INVALID_DROP_COL
    );
}

#[tokio::test]
async fn rename_tag_of_a_super_table_keeps_the_values() {
    let e = Engine::new();
    let mut s = Session::new(None);
    run(
        &e,
        &mut s,
        &[
            "create database d",
            "use d",
            "create stable st (ts timestamp, v int) tags (g int, h nchar(4))",
            "insert into c1 using st tags (7, 'ab') values (1, 1)",
            "alter table `st` rename tag g g2",
        ],
    )
    .await;
    let Outcome::Rows(rs) = e.execute(&mut s, "select g2 from st").await.unwrap() else {
        panic!()
    };
    assert_eq!(rs.num_rows(), 1);
    assert_eq!(
        code_of(&e, &mut s, "alter stable st rename tag g2 h").await,
        Code::MND_TAG_ALREADY_EXIST
    );
    assert_eq!(
        code_of(&e, &mut s, "alter stable st rename tag g2 v").await,
        Code::MND_TAG_ALREADY_EXIST
    );
    assert_eq!(
        code_of(&e, &mut s, "alter stable st rename column v w").await,
        Code::MND_INVALID_STB_ALTER_OPTION
    );
}

#[tokio::test]
async fn normal_table_columns_modify_rename_and_drop() {
    let e = Engine::new();
    let mut s = Session::new(None);
    run(
        &e,
        &mut s,
        &[
            "create database d",
            "use d",
            "create table `table` (ts timestamp, v int)",
            "insert into `table` values (1, 1)",
            "alter table `table` add column new10 nchar(4)",
            "alter table `table` modify column new10 nchar(32)",
            "insert into `table` values (2, 2, 'longer than four')",
            "alter table `table` rename column new10 new10_new",
        ],
    )
    .await;
    let (names, rows) = shape(&e, &mut s, "`table`").await;
    assert_eq!(names, ["ts", "v", "new10_new"]);
    assert_eq!(rows, 2);
    run(&e, &mut s, &["alter table `table` drop column new10_new"]).await;
    assert_eq!(
        shape(&e, &mut s, "`table`").await,
        (vec!["ts".into(), "v".into()], 2)
    );
    assert_eq!(
        code_of(&e, &mut s, "alter table `table` drop column v").await,
        Code::PAR_INVALID_DROP_COL
    );
    assert_eq!(
        code_of(&e, &mut s, "alter table `table` rename column v ts").await,
        Code::MND_COLUMN_ALREADY_EXIST
    );
}
