//! SHOW CREATE DATABASE | STABLE | TABLE: the statement that would create the object again,
//! in the text TDengine 3.3 prints (options in its order, names back-quoted).

use datafusion::scalar::ScalarValue;
use taosarrow_codec::ColumnSpec;

use super::columns::{vc, Rows};
use super::describe::compression;
use super::system::{duration_of, is_system_db, keep_of, sized_type, DbOptions};
use super::{db_not_exist, Parser};
use crate::engine::catalog::{read, table_not_exist, Database};
use crate::engine::{Engine, ResultSet, Session};
use crate::ServerError;
use taosarrow_protocol::{Code, TdType};

/// After `SHOW CREATE`.
pub(super) fn run(
    e: &Engine,
    s: &Session,
    p: &mut Parser<'_, '_>,
) -> Result<ResultSet, ServerError> {
    if p.eat_kw("DATABASE") {
        let name = p.name()?;
        p.end()?;
        return database(e, s, &name);
    }
    let stable = if p.eat_kw("STABLE") {
        true
    } else {
        p.expect_kw("TABLE")?;
        false
    };
    let (dbn, name) = p.qualified()?;
    p.end()?;
    let db = e.resolve_db(s, dbn.as_deref())?;
    let text = if let Some(st) = db.stable(&name) {
        let d = read(&st).clone();
        create_stable(&d.name, &d.columns, &d.tags)
    } else if stable {
        let _ = db.table(&name)?;
        return Err(ServerError::from_code(Code::TSC_NOT_STABLE_ERROR));
    } else {
        let t = db.table(&name).map_err(|_| table_not_exist(&name))?;
        let mut text = match &t.child_of {
            Some((sn, values)) => {
                let tags = db
                    .stable(sn)
                    .map(|s| read(&s).tags.clone())
                    .unwrap_or_default();
                create_child(&t.name, sn, &tags, &read(values))
            }
            None => create_normal(&t.name, &db.columns_of(&t)?),
        };
        if t.ttl_days() > 0 {
            text.push_str(&format!(" TTL {}", t.ttl_days()));
        }
        text
    };
    let mut rows = Rows::new(vec![vc("Table", 193), vc("Create Table", 3_145_726)]);
    rows.push(vec![name.into(), text.into()]);
    rows.finish()
}

/// A name back-quoted, a back quote in it doubled.
fn q(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// A data column of a super or normal table: name, sized type and compression.
fn data_column(c: &ColumnSpec) -> String {
    let (encode, compress, level) = compression(c.ty);
    format!(
        "{} {} ENCODE '{encode}' COMPRESS '{compress}' LEVEL '{level}'",
        q(&c.name),
        sized_type(c)
    )
}

fn create_stable(name: &str, cols: &[ColumnSpec], tags: &[ColumnSpec]) -> String {
    let cols: Vec<String> = cols.iter().map(data_column).collect();
    let tags: Vec<String> = tags
        .iter()
        .map(|t| format!("{} {}", q(&t.name), sized_type(t)))
        .collect();
    format!(
        "CREATE STABLE {} ({}) TAGS ({})",
        q(name),
        cols.join(", "),
        tags.join(", ")
    )
}

fn create_normal(name: &str, cols: &[ColumnSpec]) -> String {
    let cols: Vec<String> = cols.iter().map(data_column).collect();
    format!("CREATE TABLE {} ({})", q(name), cols.join(", "))
}

fn create_child(name: &str, stable: &str, tags: &[ColumnSpec], values: &[ScalarValue]) -> String {
    let names: Vec<String> = tags.iter().map(|t| q(&t.name)).collect();
    let values: Vec<String> = tags
        .iter()
        .zip(values)
        .map(|(t, v)| tag_value(t, v))
        .collect();
    format!(
        "CREATE TABLE {} USING {} ({}) TAGS ({})",
        q(name),
        q(stable),
        names.join(", "),
        values.join(", ")
    )
}

/// A tag value as TDengine prints it in SHOW CREATE TABLE: NULL, `true`, integers, raw
/// timestamps, floats in C's `%e`, strings in double quotes, JSON as it is.
fn tag_value(spec: &ColumnSpec, v: &ScalarValue) -> String {
    if v.is_null() {
        return "NULL".to_owned();
    }
    let text = super::system::tag_text(v).unwrap_or_default();
    match (spec.ty, v) {
        (TdType::Json, _) => text,
        (_, ScalarValue::Float32(Some(f))) => c_exp(f64::from(*f)),
        (_, ScalarValue::Float64(Some(f))) => c_exp(*f),
        (TdType::VarChar | TdType::NChar | TdType::Geometry, _) => {
            format!("\"{text}\"")
        }
        (TdType::VarBinary, _) => format!("\"{text}\""),
        _ => text,
    }
}

/// `f` as C's `printf("%e")`: six decimals, a signed two-digit (at least) exponent.
fn c_exp(f: f64) -> String {
    if !f.is_finite() {
        return if f.is_nan() {
            "nan".into()
        } else if f > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    let s = format!("{f:.6e}");
    match s.split_once('e') {
        Some((m, e)) => {
            let exp: i32 = e.parse().unwrap_or(0);
            let sign = if exp < 0 { '-' } else { '+' };
            format!("{m}e{sign}{:02}", exp.abs())
        }
        None => s,
    }
}

/// SHOW CREATE DATABASE name.
fn database(e: &Engine, s: &Session, name: &str) -> Result<ResultSet, ServerError> {
    let text = if is_system_db(name) {
        format!("CREATE DATABASE {}", q(&name.to_ascii_lowercase()))
    } else {
        let db = e.resolve_db(s, Some(name)).map_err(|err| {
            if err.code == Code::MND_DB_NOT_EXIST {
                db_not_exist()
            } else {
                err
            }
        })?;
        create_database(&db)
    };
    let mut rows = Rows::new(vec![vc("Database", 63), vc("Create Database", 65517)]);
    rows.push(vec![name.into(), text.into()]);
    rows.finish()
}

fn create_database(db: &Database) -> String {
    let o = DbOptions::of(db);
    let r = db.wal.retention();
    format!(
        "CREATE DATABASE {} BUFFER {} CACHESIZE {} CACHEMODEL '{}' COMP {} DURATION {} \
         WAL_FSYNC_PERIOD {} MAXROWS {} MINROWS {} STT_TRIGGER {} KEEP {} PAGES {} PAGESIZE {} \
         PRECISION '{}' REPLICA {} WAL_LEVEL {} VGROUPS {} SINGLE_STABLE {} TABLE_PREFIX {} \
         TABLE_SUFFIX {} TSDB_PAGESIZE {} WAL_RETENTION_PERIOD {} WAL_RETENTION_SIZE {} \
         KEEP_TIME_OFFSET {} ENCRYPT_ALGORITHM '{}' S3_CHUNKSIZE {} S3_KEEPLOCAL {} S3_COMPACT {}",
        q(&db.name),
        o.buffer,
        o.cachesize,
        o.cachemodel,
        o.comp,
        duration_of(db),
        o.wal_fsync_period,
        o.maxrows,
        o.minrows,
        o.stt_trigger,
        keep_of(db),
        o.pages,
        o.pagesize,
        db.precision.name(),
        o.replica,
        o.wal_level,
        db.wal.vgroups().len(),
        i32::from(o.single_stable),
        o.table_prefix,
        o.table_suffix,
        o.tsdb_pagesize,
        r.period_s,
        r.size_kb,
        o.keep_time_offset,
        o.encrypt_algorithm,
        o.s3_chunkpages,
        o.s3_keeplocal,
        o.s3_compact,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_c_does() {
        assert_eq!(c_exp(1.5), "1.500000e+00");
        assert_eq!(c_exp(-0.00012), "-1.200000e-04");
        assert_eq!(c_exp(1e120), "1.000000e+120");
        assert_eq!(c_exp(0.0), "0.000000e+00");
    }

    #[test]
    fn names_are_quoted_with_back_quotes_doubled() {
        assert_eq!(q("a`b"), "`a``b`");
    }
}
