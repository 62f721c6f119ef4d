//! Users, grants and their enforcement, through [`Engine::execute`].

use arrow::array::{Array, StringArray};
use taosarrow_protocol::Code;

use crate::engine::{Engine, Outcome, Session};

fn as_user(e: &Engine, user: &str) -> Session {
    let mut s = e.session(None);
    s.set_user(Some(user));
    s
}

async fn ok(e: &Engine, s: &mut Session, sql: &str) -> Outcome {
    match e.execute(s, sql).await {
        Ok(o) => o,
        Err(err) => panic!("{sql}: {err:?}"),
    }
}

async fn code(e: &Engine, s: &mut Session, sql: &str) -> Code {
    match e.execute(s, sql).await {
        Ok(_) => panic!("{sql} succeeded"),
        Err(err) => err.code,
    }
}

/// The first column of a result, as text.
async fn first_col(e: &Engine, s: &mut Session, sql: &str) -> Vec<String> {
    let Outcome::Rows(rs) = ok(e, s, sql).await else {
        panic!("{sql}: no rows");
    };
    let mut out = Vec::new();
    for b in &rs.batches {
        let a = arrow::compute::cast(b.column(0), &arrow::datatypes::DataType::Utf8).unwrap();
        let a = a.as_any().downcast_ref::<StringArray>().unwrap();
        out.extend((0..a.len()).map(|i| a.value(i).to_owned()));
    }
    out
}

async fn setup() -> (Engine, Session) {
    let e = Engine::new();
    let mut root = as_user(&e, "root");
    for sql in [
        "create database d",
        "create database d2",
        "create table d.t1 (ts timestamp, v int)",
        "create table d.t2 (ts timestamp, v int)",
        "insert into d.t1 values (1700000000000, 1)",
        "create user u1 pass 'Passw0rd!'",
    ] {
        ok(&e, &mut root, sql).await;
    }
    (e, root)
}

#[tokio::test]
async fn a_new_user_logs_in_but_touches_nothing_until_granted() {
    let (e, mut root) = setup().await;
    assert!(e.users().authenticate("u1", "Passw0rd!").is_ok());
    assert_eq!(
        e.users().authenticate("u1", "wrong").unwrap_err().code,
        Code::MND_AUTH_FAILURE
    );
    assert_eq!(
        e.users()
            .authenticate("nobody", "Passw0rd!")
            .unwrap_err()
            .code,
        Code::MND_AUTH_FAILURE
    );
    let mut u1 = as_user(&e, "u1");
    assert_eq!(
        code(&e, &mut u1, "select * from d.t1").await,
        Code::PAR_PERMISSION_DENIED
    );
    assert_eq!(
        code(&e, &mut u1, "insert into d.t1 values (1700000000001, 2)").await,
        Code::PAR_PERMISSION_DENIED
    );
    assert_eq!(
        code(&e, &mut u1, "use d").await,
        Code::PAR_PERMISSION_DENIED
    );
    assert_eq!(
        first_col(&e, &mut u1, "show databases").await,
        ["information_schema", "performance_schema"]
    );
    // Administration is the superuser's.
    assert_eq!(
        code(&e, &mut u1, "create user u2 pass 'Passw0rd!'").await,
        Code::MND_NO_RIGHTS
    );
    assert_eq!(
        code(&e, &mut u1, "grant all on d.* to u1").await,
        Code::MND_NO_RIGHTS
    );
    assert_eq!(
        code(&e, &mut u1, "drop user u1").await,
        Code::PAR_PERMISSION_DENIED
    );
    assert_eq!(
        code(&e, &mut u1, "create database mine").await,
        Code::MND_NO_RIGHTS
    );
    // What root sees of users.
    assert_eq!(first_col(&e, &mut root, "show users").await, ["root", "u1"]);
    assert_eq!(first_col(&e, &mut u1, "show users").await, ["u1"]);
}

#[tokio::test]
async fn grants_allow_exactly_what_they_name_and_revoke_takes_it_back() {
    let (e, mut root) = setup().await;
    let mut u1 = as_user(&e, "u1");
    ok(&e, &mut root, "grant read on d.* to u1").await;
    assert_eq!(first_col(&e, &mut u1, "select v from d.t1").await, ["1"]);
    assert_eq!(
        code(&e, &mut u1, "insert into d.t1 values (1700000000001, 2)").await,
        Code::PAR_PERMISSION_DENIED
    );
    assert_eq!(
        code(&e, &mut u1, "create table d.t3 (ts timestamp, v int)").await,
        Code::PAR_PERMISSION_DENIED
    );
    assert_eq!(
        first_col(&e, &mut u1, "show databases").await,
        ["information_schema", "performance_schema", "d"]
    );
    ok(&e, &mut u1, "use d").await;
    assert_eq!(first_col(&e, &mut u1, "show tables").await, ["t1", "t2"]);
    assert_eq!(
        code(&e, &mut u1, "select * from d2.x").await,
        Code::PAR_PERMISSION_DENIED
    );

    ok(&e, &mut root, "grant write on d.* to u1").await;
    ok(&e, &mut u1, "insert into d.t1 values (1700000000001, 2)").await;
    let privs = first_col(
        &e,
        &mut root,
        "select privilege from information_schema.ins_user_privileges where user_name = 'u1' order by privilege",
    )
    .await;
    assert_eq!(privs, ["read", "write"]);

    ok(&e, &mut root, "revoke read on d.* from u1").await;
    assert_eq!(
        code(&e, &mut u1, "select * from d.t1").await,
        Code::PAR_PERMISSION_DENIED
    );
    ok(&e, &mut u1, "insert into d.t1 values (1700000000002, 3)").await;
    ok(&e, &mut root, "revoke all on d.* from u1").await;
    assert_eq!(
        code(&e, &mut u1, "insert into d.t1 values (1700000000003, 4)").await,
        Code::PAR_PERMISSION_DENIED
    );
}

#[tokio::test]
async fn a_table_grant_reaches_that_table_only() {
    let (e, mut root) = setup().await;
    let mut u1 = as_user(&e, "u1");
    ok(&e, &mut root, "grant read on d.t1 to u1").await;
    assert_eq!(first_col(&e, &mut u1, "select v from d.t1").await, ["1"]);
    assert_eq!(
        code(&e, &mut u1, "select * from d.t2").await,
        Code::PAR_PERMISSION_DENIED
    );
}

#[tokio::test]
async fn user_statements_check_names_passwords_and_existence() {
    let (e, mut root) = setup().await;
    assert_eq!(
        code(&e, &mut root, "create user u1 pass 'Passw0rd!'").await,
        Code::MND_USER_ALREADY_EXIST
    );
    assert_eq!(
        code(&e, &mut root, "create user u9 pass 'short'").await,
        Code::PAR_PASSWD_TOO_SHORT_OR_EMPTY
    );
    assert_eq!(
        code(&e, &mut root, "create user u9 pass '12345678'").await,
        Code::MND_INVALID_PASS_FORMAT
    );
    let long = format!("create user {} pass 'Passw0rd!'", "u".repeat(24));
    assert_eq!(
        code(&e, &mut root, &long).await,
        Code::PAR_NAME_OR_PASSWD_TOO_LONG
    );
    // An error quoting the statement never quotes its password.
    let err = e
        .execute(&mut root, "create user u9 sysinfo 1 pass 'Secret_pw1'")
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::PAR_SYNTAX_ERROR);
    assert!(!err.message.contains("Secret_pw1"), "{}", err.message);
    assert!(err.message.contains("'******'"), "{}", err.message);
    assert_eq!(
        code(&e, &mut root, "drop user nobody").await,
        Code::MND_USER_NOT_EXIST
    );
    assert_eq!(
        code(&e, &mut root, "drop user root").await,
        Code::PAR_PERMISSION_DENIED
    );
    assert_eq!(
        code(&e, &mut root, "grant read on nodb.* to u1").await,
        Code::MND_DB_NOT_EXIST
    );
    assert_eq!(
        code(&e, &mut root, "grant read on d.* to nobody").await,
        Code::MND_USER_NOT_EXIST
    );

    // A user changes its own password; a disabled user cannot log in.
    let mut u1 = as_user(&e, "u1");
    ok(&e, &mut u1, "alter user u1 pass 'N3w-passw0rd'").await;
    assert!(e.users().authenticate("u1", "N3w-passw0rd").is_ok());
    assert_eq!(
        code(&e, &mut u1, "alter user u1 enable 0").await,
        Code::MND_NO_RIGHTS
    );
    ok(&e, &mut root, "alter user u1 enable 0").await;
    assert_eq!(
        e.users()
            .authenticate("u1", "N3w-passw0rd")
            .unwrap_err()
            .code,
        Code::MND_USER_DISABLED
    );
    ok(&e, &mut root, "drop user u1").await;
    assert_eq!(first_col(&e, &mut root, "show users").await, ["root"]);
}

#[tokio::test]
async fn a_user_with_createdb_owns_what_it_creates() {
    let (e, mut root) = setup().await;
    ok(
        &e,
        &mut root,
        "create user maker pass 'Passw0rd!' createdb 1",
    )
    .await;
    let mut m = as_user(&e, "maker");
    ok(&e, &mut m, "create database mine").await;
    ok(&e, &mut m, "create table mine.t (ts timestamp, v int)").await;
    ok(&e, &mut m, "insert into mine.t values (1700000000000, 7)").await;
    assert_eq!(first_col(&e, &mut m, "select v from mine.t").await, ["7"]);
    assert_eq!(
        code(&e, &mut m, "drop database d").await,
        Code::MND_NO_RIGHTS
    );
    ok(&e, &mut m, "drop database mine").await;
}

#[tokio::test]
async fn users_without_sysinfo_cannot_read_system_information() {
    let (e, mut root) = setup().await;
    ok(
        &e,
        &mut root,
        "create user nosys pass 'Passw0rd!' sysinfo 0",
    )
    .await;
    let mut n = as_user(&e, "nosys");
    assert_eq!(
        code(&e, &mut n, "show dnodes").await,
        Code::PAR_PERMISSION_DENIED
    );
    assert_eq!(
        code(&e, &mut n, "select * from information_schema.ins_users").await,
        Code::PAR_PERMISSION_DENIED
    );
    // What is not system information stays readable.
    assert_eq!(
        first_col(&e, &mut n, "show databases").await,
        ["information_schema", "performance_schema"]
    );
}
