//! Statements built to break the front end: non-ASCII text where the lexer and the literal
//! readers slice, deep nesting, huge IN lists and LIKE patterns. Each must end in a result or
//! a TDengine error, never a panic, a stack overflow or a hang.

use super::*;

/// Runs `f` on a thread with a 2 MiB stack (the size of a tokio worker's) and a
/// current-thread runtime; a stack overflow aborts the test binary.
fn on_small_stack<T: Send + 'static>(
    f: impl FnOnce(&tokio::runtime::Runtime) -> T + Send + 'static,
) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap();
            f(&rt)
        })
        .unwrap()
        .join()
        .unwrap()
}

/// An engine with database `d` (current) and table `t`.
async fn with_table() -> (Engine, Session) {
    let e = Engine::new();
    let mut s = Session::new(None);
    for sql in [
        "create database d",
        "use d",
        "create table t (ts timestamp, v int, b varbinary(16), s varchar(16), n nchar(8))",
        "insert into t values (1, 1, '\\x01', 'a', 'b') (2, 2, '\\x02', 'c', 'd')",
        "create stable sj (ts timestamp, v int) tags (info json)",
        "create table j1 using sj tags ('{\"k\": \"v\"}')",
    ] {
        e.execute(&mut s, sql).await.unwrap();
    }
    (e, s)
}

async fn error_of(e: &Engine, s: &mut Session, sql: &str) -> ServerError {
    match e.execute(s, sql).await {
        Ok(_) => panic!("{sql}: succeeded"),
        Err(err) => err,
    }
}

#[tokio::test]
async fn non_ascii_text_is_a_tdengine_error() {
    let (e, mut s) = with_table().await;
    for (sql, code) in [
        ("SELECT a,中", Code::PAR_INVALID_COLUMN),
        ("select v,中 from t", Code::PAR_INVALID_COLUMN),
        ("select v from t where v<中", Code::PAR_INVALID_COLUMN),
        (
            "insert into t values (3, 'aé', '\\x03', 'e', 'f')",
            Code::PAR_WRONG_VALUE_TYPE,
        ),
        (
            "insert into t values (3, 'é', '\\x03', 'e', 'f')",
            Code::PAR_WRONG_VALUE_TYPE,
        ),
        (
            "insert into t values (3, '0é', '\\x03', 'e', 'f')",
            Code::PAR_WRONG_VALUE_TYPE,
        ),
        (
            "insert into t values (3, 中, '\\x03', 'e', 'f')",
            Code::PAR_SYNTAX_ERROR,
        ),
        (
            "insert into t values (3, é1, '\\x03', 'e', 'f')",
            Code::PAR_SYNTAX_ERROR,
        ),
        (
            "insert into t values (3, -中, '\\x03', 'e', 'f')",
            Code::PAR_SYNTAX_ERROR,
        ),
        (
            "insert into t values (now+1中, 1, '\\x03', 'e', 'f')",
            Code::PAR_SYNTAX_ERROR,
        ),
    ] {
        let err = error_of(&e, &mut s, sql).await;
        assert_eq!(err.code, code, "{sql}: {err}");
    }
    // Not hex after `\x`: the text's bytes, as TDengine stores them.
    e.execute(&mut s, "insert into t values (3, 3, '\\x中a', 'e', 'f')")
        .await
        .unwrap();
    let err = error_of(
        &e,
        &mut s,
        "insert into t values (4, 4, '\\x中中中中中中', 'e', 'f')",
    )
    .await;
    assert_eq!(err.code, Code::PAR_VALUE_TOO_LONG, "{err}");
    // The engine is still usable.
    let Outcome::Rows(rs) = e.execute(&mut s, "select * from t").await.unwrap() else {
        panic!("no rows")
    };
    assert_eq!(rs.num_rows(), 3);
}

/// `last(last(…(v)…))` 100 000 deep: refused before the translation recurses (it used to
/// overflow the stack, after a quadratic search for each closing parenthesis).
#[test]
fn deeply_nested_last_is_a_syntax_error() {
    let depth = 100_000;
    let sql = format!(
        "select {}v{} from t",
        "last(".repeat(depth),
        ")".repeat(depth)
    );
    let err = on_small_stack(move |rt| {
        rt.block_on(async {
            let (e, mut s) = with_table().await;
            error_of(&e, &mut s, &sql).await
        })
    });
    assert_eq!(err.code, Code::PAR_SYNTAX_ERROR, "{err}");
    assert!(err.message.contains("nested deeper than"), "{err}");
    assert!(err.message.len() < 200, "{err}");
}

#[test]
fn deeply_nested_parentheses_are_a_syntax_error() {
    let depth = 100_000;
    for sql in [
        format!("select {}1{}", "(".repeat(depth), ")".repeat(depth)),
        format!(
            "select v from t where {}v{} > 0",
            "abs(".repeat(depth),
            ")".repeat(depth)
        ),
        format!("insert into t values {}", "(".repeat(depth)),
        format!(
            "create table x (ts timestamp, v varchar{})",
            "(".repeat(depth)
        ),
        "(".repeat(depth),
    ] {
        let err = on_small_stack(move |rt| {
            rt.block_on(async {
                let (e, mut s) = with_table().await;
                error_of(&e, &mut s, &sql).await
            })
        });
        assert_eq!(err.code, Code::PAR_SYNTAX_ERROR, "{err}");
    }
}

#[tokio::test]
async fn nesting_up_to_the_limit_is_accepted_and_the_limit_is_configurable() {
    let (e, mut s) = with_table().await;
    let sql = format!("select {}v{} from t", "abs(".repeat(20), ")".repeat(20));
    e.execute(&mut s, &sql).await.unwrap();
    let e = e.with_limits(limits::SqlLimits::default().with_max_nesting_depth(10));
    let err = error_of(&e, &mut s, &sql).await;
    assert_eq!(err.code, Code::PAR_SYNTAX_ERROR, "{err}");
    e.execute(&mut s, "select abs(v) from t").await.unwrap();
}

#[tokio::test]
async fn nested_first_and_last_are_refused_as_in_tdengine() {
    let (e, mut s) = with_table().await;
    for sql in [
        "select last(last(v)) from t",
        "select first(abs(last_row(v))) from t",
        "select last_row(v + first(v)) from t",
    ] {
        let err = error_of(&e, &mut s, sql).await;
        assert_eq!(err.code, Code::PAR_AGG_FUNC_NESTING, "{sql}: {err}");
    }
    let Outcome::Rows(rs) = e
        .execute(&mut s, "select last(v), first(v) from t")
        .await
        .unwrap()
    else {
        panic!("no rows")
    };
    assert_eq!(rs.num_rows(), 1);
}

/// Every literal of an IN list used to walk back over the literals before it.
#[tokio::test]
async fn an_in_list_of_fifty_thousand_literals_runs() {
    let (e, mut s) = with_table().await;
    let list: Vec<String> = (0..50_000).map(|k| k.to_string()).collect();
    let list = list.join(", ");
    for sql in [
        format!("select v from t where v in ({list}) order by v"),
        format!("select v from t where ts in ({list}) order by v"),
    ] {
        let Outcome::Rows(rs) = e.execute(&mut s, &sql).await.unwrap() else {
            panic!("no rows")
        };
        assert_eq!(rs.num_rows(), 2);
    }
}

/// Many table clauses in one INSERT: each used to count every tuple up to the end of the
/// statement to size its builders.
#[tokio::test]
async fn an_insert_of_many_table_clauses_runs() {
    let (e, mut s) = with_table().await;
    let mut sql = String::from("insert into");
    for k in 0..20_000 {
        sql.push_str(&format!(
            " t values ({}, {k}, '\\x00', 'a', 'b')",
            1_000 + k
        ));
    }
    let r = e.execute(&mut s, &sql).await.unwrap();
    assert!(matches!(r, Outcome::Affected { rows: 20_000 }), "{r:?}");
}

/// `%%%…%x` took exponential time in the recursive matcher.
#[tokio::test]
async fn show_like_with_many_percents_answers() {
    let (e, mut s) = with_table().await;
    let sql = format!("show databases like '{}x'", "%".repeat(40));
    let Outcome::Rows(rs) = e.execute(&mut s, &sql).await.unwrap() else {
        panic!("no rows")
    };
    assert_eq!(rs.num_rows(), 0);
    let sql = format!("show tables like '{}t'", "%".repeat(40));
    let Outcome::Rows(rs) = e.execute(&mut s, &sql).await.unwrap() else {
        panic!("no rows")
    };
    assert_eq!(rs.num_rows(), 1);
}

/// A long pattern overflowed the stack of the recursive matcher.
#[test]
fn show_like_with_a_long_pattern_does_not_overflow_the_stack() {
    let rows = on_small_stack(|rt| {
        rt.block_on(async {
            let (e, mut s) = with_table().await;
            let sql = format!("show databases like '{}'", "%".repeat(1_000_000));
            match e.execute(&mut s, &sql).await.unwrap() {
                Outcome::Rows(rs) => rs.num_rows(),
                Outcome::Affected { .. } => usize::MAX,
            }
        })
    });
    // information_schema, performance_schema and d.
    assert_eq!(rows, 3);
}

#[tokio::test]
async fn show_like_reads_escaped_wildcards_literally() {
    let (e, mut s) = with_table().await;
    for sql in [
        "create table a_b (ts timestamp, v int)",
        "create table axb (ts timestamp, v int)",
    ] {
        e.execute(&mut s, sql).await.unwrap();
    }
    let names = |rs: ResultSet| -> Vec<String> {
        let mut out = Vec::new();
        for b in &rs.batches {
            let col = b
                .column(0)
                .as_any()
                .downcast_ref::<arrow::array::StringArray>()
                .unwrap();
            out.extend(col.iter().flatten().map(str::to_owned));
        }
        out.sort();
        out
    };
    let Outcome::Rows(rs) = e.execute(&mut s, "show tables like 'a_b'").await.unwrap() else {
        panic!("no rows")
    };
    assert_eq!(names(rs), ["a_b", "axb"]);
    let Outcome::Rows(rs) = e.execute(&mut s, "show tables like 'a\\_b'").await.unwrap() else {
        panic!("no rows")
    };
    assert_eq!(names(rs), ["a_b"]);
}

/// Fragments of TDengine SQL and awkward characters, glued at random.
fn fragment() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop_oneof![
        proptest::sample::select(vec![
            "select ",
            "insert into ",
            "t ",
            "values ",
            "(",
            ")",
            ",",
            "'",
            "\"",
            "`",
            "\\",
            "\\x",
            "0x",
            "-",
            "--",
            "+",
            "*",
            "?",
            ".",
            "<",
            "<=",
            "!=",
            "::",
            "||",
            "now",
            "1d",
            "1.5e",
            "last(",
            "first(",
            "from ",
            "where ",
            "in (",
            "like ",
            "%",
            "_",
            "show ",
            "databases ",
            "tables ",
            "create ",
            "table ",
            "using ",
            "tags ",
            "describe ",
            "interval(",
            "partition by ",
            "->",
            "- >",
            "'k'",
            "info",
            "contains ",
            "sj ",
            "dnodes ",
            "information_schema.ins_dnodes ",
            "ts",
            "v",
            "b",
            "s",
            "n",
            "中",
            "é",
            "🚀",
            "\u{0}",
            " ",
        ])
        .prop_map(str::to_owned),
        "\\PC{1,4}",
        "[0-9]{1,4}",
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(256))]

    /// Arbitrary UTF-8 text never panics the statement entry point.
    #[test]
    fn arbitrary_utf8_sql_never_panics(text in "\\PC{0,64}") {
        crate::fuzzing::sql(&text);
    }

    /// Statements glued from SQL fragments, run against a database with a table: a result
    /// or an error, never a panic.
    #[test]
    fn sql_fragments_never_panic(parts in proptest::collection::vec(fragment(), 0..24)) {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let (e, mut s) = rt.block_on(with_table());
        crate::fuzzing::sql_on(&e, &mut s, &parts.concat());
    }
}

/// Long flat operator chains (no parentheses) make deep expression trees downstream.
#[test]
fn long_operator_chains_do_not_overflow_the_stack() {
    for sql in [
        format!("select v{} from t", " + 1".repeat(100_000)),
        format!("select v from t where v = 0{}", " or v = 1".repeat(50_000)),
    ] {
        on_small_stack(move |rt| {
            rt.block_on(async {
                let (e, mut s) = with_table().await;
                let _ = e.execute(&mut s, &sql).await;
            })
        });
    }
}

#[tokio::test]
async fn operators_up_to_the_limit_are_accepted() {
    let (e, mut s) = with_table().await;
    let max = limits::DEFAULT_MAX_QUERY_OPERATORS;
    let ok = format!("select v{} from t", " + 1".repeat(max));
    e.execute(&mut s, &ok).await.unwrap();
    let ok = format!(
        "select v from t where v = 0{}",
        " or v = 1".repeat(max / 2 - 1)
    );
    e.execute(&mut s, &ok).await.unwrap();
    let negatives: Vec<String> = (0..50_000).map(|k| format!("-{k}")).collect();
    let ok = format!("select v from t where v in ({})", negatives.join(", "));
    e.execute(&mut s, &ok).await.unwrap();
    let too_many = format!("select v{} from t", " + 1".repeat(max + 1));
    let err = error_of(&e, &mut s, &too_many).await;
    assert_eq!(err.code, Code::PAR_SYNTAX_ERROR, "{err}");
    assert!(err.message.contains("operators"), "{err}");
}
