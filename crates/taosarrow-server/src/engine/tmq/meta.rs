//! The JSON of DDL events as `fetch_json_meta` returns them (`tmq.md` §3.8): `create` of a
//! super, child or normal table, `alter`, `drop`.

use datafusion::scalar::ScalarValue;
use serde_json::{json, Value};
use taosarrow_codec::ColumnSpec;

use super::wal::MetaEvent;

/// `{"name", "type"[, "length"]}` of a column or tag: `length` for the types declared with
/// one (VARCHAR, NCHAR, VARBINARY, GEOMETRY).
fn field(c: &ColumnSpec) -> Value {
    let mut f = json!({"name": c.name, "type": c.ty.code()});
    if c.ty.max_declared_length().is_some() && c.length > 0 {
        f["length"] = json!(c.length);
    }
    if c.ty.is_decimal() {
        f["precision"] = json!(c.precision);
        f["scale"] = json!(c.scale);
    }
    f
}

fn fields(cols: &[ColumnSpec]) -> Vec<Value> {
    cols.iter().map(field).collect()
}

/// A tag value as JSON: numbers as numbers, text as strings, NULL as null.
fn tag_value(v: &ScalarValue) -> Value {
    if v.is_null() {
        return Value::Null;
    }
    match v {
        ScalarValue::Boolean(Some(b)) => json!(b),
        ScalarValue::Int8(Some(x)) => json!(x),
        ScalarValue::Int16(Some(x)) => json!(x),
        ScalarValue::Int32(Some(x)) => json!(x),
        ScalarValue::Int64(Some(x)) => json!(x),
        ScalarValue::UInt8(Some(x)) => json!(x),
        ScalarValue::UInt16(Some(x)) => json!(x),
        ScalarValue::UInt32(Some(x)) => json!(x),
        ScalarValue::UInt64(Some(x)) => json!(x),
        ScalarValue::Float32(Some(x)) => json!(x),
        ScalarValue::Float64(Some(x)) => json!(x),
        ScalarValue::TimestampMillisecond(Some(x), _)
        | ScalarValue::TimestampMicrosecond(Some(x), _)
        | ScalarValue::TimestampNanosecond(Some(x), _)
        | ScalarValue::TimestampSecond(Some(x), _) => json!(x),
        ScalarValue::Utf8(Some(s)) | ScalarValue::LargeUtf8(Some(s)) => json!(s),
        ScalarValue::Binary(Some(b)) | ScalarValue::LargeBinary(Some(b)) => {
            json!(taosarrow_protocol::hex::encode(b))
        }
        other => json!(other.to_string()),
    }
}

/// `CREATE STABLE`.
pub fn create_stable(name: &str, columns: &[ColumnSpec], tags: &[ColumnSpec]) -> MetaEvent {
    MetaEvent {
        table: name.to_owned(),
        stable: Some(name.to_owned()),
        json: json!({
            "type": "create", "tableType": "super", "tableName": name,
            "columns": fields(columns), "tags": fields(tags),
        }),
    }
}

/// `CREATE TABLE … USING stable TAGS (…)`, explicit or by an insert.
pub fn create_child(
    name: &str,
    stable: &str,
    tag_specs: &[ColumnSpec],
    values: &[ScalarValue],
) -> MetaEvent {
    let tags: Vec<Value> = tag_specs
        .iter()
        .zip(values)
        .map(|(spec, v)| {
            let mut f = field(spec);
            f["value"] = tag_value(v);
            f
        })
        .collect();
    MetaEvent {
        table: name.to_owned(),
        stable: Some(stable.to_owned()),
        json: json!({
            "type": "create", "tableType": "child", "tableName": name, "using": stable,
            "tagNum": tag_specs.len(), "tags": tags, "createList": [],
        }),
    }
}

/// `CREATE TABLE name (…)`.
pub fn create_normal(name: &str, columns: &[ColumnSpec]) -> MetaEvent {
    MetaEvent {
        table: name.to_owned(),
        stable: None,
        json: json!({
            "type": "create", "tableType": "normal", "tableName": name,
            "columns": fields(columns), "tags": [],
        }),
    }
}

/// `DROP TABLE` / `DROP STABLE` of one table.
pub fn drop_table(name: &str, stable: Option<&str>, is_super: bool) -> MetaEvent {
    let table_type = match (is_super, stable) {
        (true, _) => "super",
        (false, Some(_)) => "child",
        (false, None) => "normal",
    };
    let json = if is_super {
        json!({"type": "drop", "tableType": table_type, "tableName": name})
    } else {
        json!({"type": "drop", "tableNameList": [name]})
    };
    MetaEvent {
        table: name.to_owned(),
        stable: stable.map(str::to_owned),
        json,
    }
}

/// An `ALTER TABLE` of `name`: TDengine's `alterType` code and the statement's fields.
pub fn alter(
    name: &str,
    stable: Option<&str>,
    is_super: bool,
    alter_type: i32,
    extra: Value,
) -> MetaEvent {
    let mut json = json!({
        "type": "alter",
        "tableType": if is_super { "super" } else if stable.is_some() { "child" } else { "normal" },
        "tableName": name, "alterType": alter_type,
    });
    if let (Some(obj), Value::Object(more)) = (json.as_object_mut(), extra) {
        obj.extend(more);
    }
    MetaEvent {
        table: name.to_owned(),
        stable: stable.map(str::to_owned),
        json,
    }
}
