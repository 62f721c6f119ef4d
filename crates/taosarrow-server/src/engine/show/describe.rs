//! DESCRIBE: the columns, then the tags, of a table or super table, with TDengine 3.3's
//! seven columns (`field`, `type`, `length`, `note`, `encode`, `compress`, `level`); a
//! system table has the first four.

use taosarrow_codec::ColumnSpec;
use taosarrow_protocol::TdType;

use super::columns::{col, vc, Cell, Rows};
use super::system::{is_system_db, system_table};
use crate::engine::catalog::{read, table_not_exist};
use crate::engine::lexer::Token;
use crate::engine::{qualified_name, syntax_at, Engine, ResultSet, Session};
use crate::ServerError;

/// DESCRIBE | DESC [db.]name.
pub(super) fn run(
    e: &Engine,
    s: &Session,
    sql: &str,
    toks: &[Token<'_>],
) -> Result<ResultSet, ServerError> {
    let mut i = 1;
    let (dbn, name) = qualified_name(toks, &mut i, sql)?;
    if i < toks.len() {
        return Err(syntax_at(toks, i, sql));
    }
    let db_name = dbn.as_deref().or(s.current_db());
    if let Some(sys) = db_name.filter(|d| is_system_db(d)) {
        let rs = system_table(e, s, &sys.to_ascii_lowercase(), &name.to_ascii_lowercase())
            .ok_or_else(|| table_not_exist(&name))??;
        let cols: Vec<ColumnSpec> = rs
            .schema
            .fields()
            .iter()
            .map(|f| taosarrow_codec::column_spec(f).map_err(ServerError::internal))
            .collect::<Result<_, _>>()?;
        let mut rows = Rows::new(head());
        for c in &cols {
            rows.push(vec![
                c.name.as_str().into(),
                c.type_name().into(),
                c.length.into(),
                "".into(),
            ]);
        }
        return rows.finish();
    }
    let db = e.resolve_db(s, dbn.as_deref())?;
    let (cols, tags) = if let Some(st) = db.stable(&name) {
        let d = read(&st);
        (d.columns.clone(), d.tags.clone())
    } else {
        let t = db.table(&name).map_err(|_| table_not_exist(&name))?;
        let cols = db.columns_of(&t)?;
        let tags = match &t.child_of {
            Some((sn, _)) => db
                .stable(sn)
                .map(|s| read(&s).tags.clone())
                .unwrap_or_default(),
            None => Vec::new(),
        };
        (cols, tags)
    };
    let mut specs = head();
    specs.extend([vc("encode", 12), vc("compress", 12), vc("level", 12)]);
    let mut rows = Rows::new(specs);
    for c in &cols {
        let (encode, compress, level) = compression(c.ty);
        rows.push(vec![
            c.name.as_str().into(),
            c.type_name().into(),
            c.length.into(),
            "".into(),
            encode.into(),
            compress.into(),
            level.into(),
        ]);
    }
    for t in &tags {
        let row: Vec<Cell> = vec![
            t.name.as_str().into(),
            t.type_name().into(),
            t.length.into(),
            "TAG".into(),
            "disabled".into(),
            "disabled".into(),
            "disabled".into(),
        ];
        rows.push(row);
    }
    rows.finish()
}

/// The four columns every DESCRIBE has.
fn head() -> Vec<ColumnSpec> {
    vec![
        vc("field", 64),
        vc("type", 20),
        col("length", TdType::Int),
        vc("note", 16),
    ]
}

/// TDengine's default encoding, compression and level of a data column of type `ty`.
pub(super) fn compression(ty: TdType) -> (&'static str, &'static str, &'static str) {
    let encode = match ty {
        TdType::Bool => "bit-packing",
        TdType::TinyInt
        | TdType::SmallInt
        | TdType::Int
        | TdType::BigInt
        | TdType::UTinyInt
        | TdType::USmallInt
        | TdType::UInt
        | TdType::UBigInt => "simple8b",
        TdType::Float | TdType::Double => "delta-d",
        TdType::Timestamp => "delta-i",
        _ => "disabled",
    };
    let compress = match ty {
        TdType::Decimal | TdType::Decimal64 => "zstd",
        _ => "lz4",
    };
    (encode, compress, "medium")
}
