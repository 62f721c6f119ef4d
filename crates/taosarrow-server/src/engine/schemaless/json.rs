//! OpenTSDB JSON (`schemaless.md` §5): one data-point object, an array of them, or several
//! such documents one after another. Each object has exactly the keys `metric`,
//! `timestamp`, `value` and `tags` (any case). JSON tags keep their JSON type. Objects are
//! read with their keys sorted, so the tags of a new super table are created in key order
//! (TDengine keeps the document's order).

use std::borrow::Cow;

use serde_json::{Map, Value};
use taosarrow_protocol::Code;

use super::telnet::{opentsdb_time, VALUE_COLUMN};
use super::value::SmlValue;
use super::{check_key, check_table_name, Point, PointTime};
use crate::ServerError;

/// 0x0221 naming the data point.
fn invalid_json(point: usize, why: &str) -> ServerError {
    ServerError::new(
        Code::TSC_INVALID_JSON,
        format!("invalid JSON in data point {point}: {why}"),
    )
}

/// The data-point objects of the payload, in order.
pub fn parse_document(data: &str) -> Result<Vec<Value>, ServerError> {
    let mut points = Vec::new();
    for doc in serde_json::Deserializer::from_str(data).into_iter::<Value>() {
        let doc = doc
            .map_err(|e| ServerError::new(Code::TSC_INVALID_JSON, format!("invalid JSON: {e}")))?;
        match doc {
            Value::Array(items) => points.extend(items),
            other => points.push(other),
        }
    }
    if points.is_empty() {
        return Err(ServerError::new(
            Code::TSC_INVALID_JSON,
            "invalid JSON: no data point",
        ));
    }
    Ok(points)
}

/// The value of `key` in `obj`, the key compared without case.
fn get<'v>(obj: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    obj.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// Reads one data-point object into `p` (cleared by the caller); `no` is its 1-based place.
pub fn parse_point<'a>(v: &'a Value, no: usize, p: &mut Point<'a>) -> Result<(), ServerError> {
    let Value::Object(obj) = v else {
        return Err(invalid_json(no, "a data point must be an object"));
    };
    let (Some(metric), Some(ts), Some(value), Some(tags), 4) = (
        get(obj, "metric"),
        get(obj, "timestamp"),
        get(obj, "value"),
        get(obj, "tags"),
        obj.len(),
    ) else {
        return Err(invalid_json(
            no,
            "a data point has exactly the keys metric, timestamp, value and tags",
        ));
    };
    let Value::String(metric) = metric else {
        return Err(invalid_json(no, "metric must be a string"));
    };
    check_table_name(metric, no)?;
    p.measurement = Cow::Borrowed(metric);
    p.time = timestamp(ts, no)?;
    p.fields
        .push((Cow::Borrowed(VALUE_COLUMN), typed(value, no)?));
    let Value::Object(tags) = tags else {
        return Err(invalid_json(no, "tags must be an object"));
    };
    if tags.is_empty() {
        return Err(invalid_json(no, "tags must not be empty"));
    }
    for (k, v) in tags {
        check_key(k, no)?;
        p.tags.push((Cow::Borrowed(k), typed(v, no)?));
    }
    Ok(())
}

/// A timestamp: a number of 10 (s) or 13 (ms) digits, 0 for now, or
/// `{"value": n, "type": "s"|"ms"|"us"|"ns"}`. 0x0127 otherwise.
fn timestamp(v: &Value, no: usize) -> Result<PointTime, ServerError> {
    let bad = |why: &str| {
        ServerError::new(
            Code::INVALID_TIMESTAMP,
            format!("invalid timestamp in data point {no}: {why}"),
        )
    };
    match v {
        Value::Number(n) => {
            let t = n
                .as_u64()
                .ok_or_else(|| bad("not a non-negative integer"))?;
            opentsdb_time(&t.to_string(), no)
        }
        Value::Object(o) => {
            let (Some(value), Some(Value::String(unit)), 2) =
                (get(o, "value"), get(o, "type"), o.len())
            else {
                return Err(invalid_json(
                    no,
                    "a timestamp object has keys value and type",
                ));
            };
            let nanos = match unit.to_ascii_lowercase().as_str() {
                "s" => 1_000_000_000,
                "ms" => 1_000_000,
                "us" => 1_000,
                "ns" => 1,
                _ => return Err(bad(&format!("unknown unit {unit:?}"))),
            };
            let ticks = value
                .as_u64()
                .and_then(|t| i64::try_from(t).ok())
                .ok_or_else(|| bad("not a non-negative integer"))?;
            Ok(if ticks == 0 {
                PointTime::Now
            } else {
                PointTime::Ticks { ticks, nanos }
            })
        }
        _ => Err(bad("neither a number nor an object")),
    }
}

fn out_of_range(no: usize, v: &Value, ty: &str) -> ServerError {
    ServerError::new(
        Code::TSC_VALUE_OUT_OF_RANGE,
        format!("value {v} out of range for {ty} in data point {no}"),
    )
}

fn json_type(no: usize, why: String) -> ServerError {
    ServerError::new(
        Code::TSC_INVALID_JSON_TYPE,
        format!("invalid JSON type in data point {no}: {why}"),
    )
}

/// A value or tag: number → DOUBLE, bool → BOOL, string → VARCHAR, or a typed object
/// `{"value": v, "type": t}`.
fn typed(v: &Value, no: usize) -> Result<SmlValue<'_>, ServerError> {
    Ok(match v {
        Value::Bool(b) => SmlValue::Bool(*b),
        Value::Number(n) => SmlValue::F64(
            n.as_f64()
                .filter(|f| f.is_finite())
                .ok_or_else(|| out_of_range(no, v, "double"))?,
        ),
        Value::String(s) => SmlValue::VarChar(Cow::Borrowed(s)),
        Value::Object(o) => {
            let (Some(value), Some(Value::String(ty)), 2) =
                (get(o, "value"), get(o, "type"), o.len())
            else {
                return Err(invalid_json(no, "a typed value has keys value and type"));
            };
            typed_as(value, &ty.to_ascii_lowercase(), no)?
        }
        Value::Null | Value::Array(_) => {
            return Err(invalid_json(
                no,
                "a value must be a number, bool, string or typed object",
            ))
        }
    })
}

/// An integer value of a typed object within `T`'s range: JSON integers exactly, other
/// numbers truncated toward zero when in range.
fn int<T: TryFrom<i128>>(v: &Value, no: usize, ty: &str) -> Result<T, ServerError> {
    let Value::Number(n) = v else {
        return Err(json_type(no, format!("{ty} needs a number, not {v}")));
    };
    let wide: Option<i128> = match (n.as_i64(), n.as_u64(), n.as_f64()) {
        (Some(i), _, _) => Some(i128::from(i)),
        (_, Some(u), _) => Some(i128::from(u)),
        (_, _, Some(f)) if f.is_finite() && f.abs() < 1e38 => Some(f.trunc() as i128),
        _ => None,
    };
    wide.and_then(|w| T::try_from(w).ok())
        .ok_or_else(|| out_of_range(no, v, ty))
}

fn typed_as<'v>(v: &'v Value, ty: &str, no: usize) -> Result<SmlValue<'v>, ServerError> {
    let float = || -> Result<f64, ServerError> {
        match v {
            Value::Number(n) => n.as_f64().ok_or_else(|| out_of_range(no, v, ty)),
            _ => Err(json_type(no, format!("{ty} needs a number, not {v}"))),
        }
    };
    Ok(match ty {
        "bool" => match v {
            Value::Bool(b) => SmlValue::Bool(*b),
            _ => return Err(json_type(no, format!("bool needs true or false, not {v}"))),
        },
        "i8" | "tinyint" => SmlValue::I8(int(v, no, ty)?),
        "i16" | "smallint" => SmlValue::I16(int(v, no, ty)?),
        "i32" | "int" => SmlValue::I32(int(v, no, ty)?),
        "i64" | "bigint" => SmlValue::I64(int(v, no, ty)?),
        "u8" | "tinyint unsigned" => SmlValue::U8(int(v, no, ty)?),
        "u16" | "smallint unsigned" => SmlValue::U16(int(v, no, ty)?),
        "u32" | "int unsigned" => SmlValue::U32(int(v, no, ty)?),
        "u64" | "bigint unsigned" => SmlValue::U64(int(v, no, ty)?),
        "f32" | "float" => {
            let f = float()?;
            let narrow = f as f32;
            if !narrow.is_finite() {
                return Err(out_of_range(no, v, ty));
            }
            SmlValue::F32(narrow)
        }
        "f64" | "double" => SmlValue::F64(float()?),
        "binary" | "varchar" | "nchar" => match v {
            Value::String(s) if ty == "nchar" => SmlValue::NChar(Cow::Borrowed(s)),
            Value::String(s) => SmlValue::VarChar(Cow::Borrowed(s)),
            _ => return Err(json_type(no, format!("{ty} needs a string, not {v}"))),
        },
        other => return Err(json_type(no, format!("unknown type {other:?}"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(data: &str) -> Result<Vec<Value>, ServerError> {
        parse_document(data)
    }

    fn one(
        data: &str,
    ) -> Result<(Cow<'static, str>, Vec<SmlValue<'static>>, PointTime), ServerError> {
        let doc = points(data)?;
        let mut p = Point::default();
        parse_point(&doc[0], 1, &mut p)?;
        let mut vals = vec![p.fields[0].1.clone().into_owned()];
        vals.extend(p.tags.iter().map(|(_, v)| v.clone().into_owned()));
        Ok((Cow::Owned(p.measurement.into_owned()), vals, p.time))
    }

    #[test]
    fn plain_and_typed_values_and_tags() {
        let (m, v, t) = one(
            r#"[{"metric":"meters2.current","timestamp":1648432611249,"value":10.3,
            "tags":{"location":"California.SanFrancisco","groupid":2,"ok":true}}]"#,
        )
        .unwrap();
        assert_eq!(m, "meters2.current");
        assert_eq!(
            t,
            PointTime::Ticks {
                ticks: 1648432611249,
                nanos: 1_000_000
            }
        );
        assert_eq!(
            v,
            [
                SmlValue::F64(10.3),
                // Tags in key order (`groupid`, `location`, `ok`).
                SmlValue::F64(2.0),
                SmlValue::VarChar("California.SanFrancisco".into()),
                SmlValue::Bool(true)
            ]
        );
        let (_, v, t) = one(r#"{"METRIC":"m","Timestamp":{"value":1626006833639000,"type":"US"},
            "value":{"value":-7,"type":"i8"},"tags":{"a":{"value":"x","type":"nchar"},"b":{"value":9,"type":"bigint"}}}"#)
        .unwrap();
        assert_eq!(
            t,
            PointTime::Ticks {
                ticks: 1626006833639000,
                nanos: 1000
            }
        );
        assert_eq!(
            v,
            [
                SmlValue::I8(-7),
                SmlValue::NChar("x".into()),
                SmlValue::I64(9)
            ]
        );
        for (ty, want) in [
            ("i16", SmlValue::I16(5)),
            ("int", SmlValue::I32(5)),
            ("u8", SmlValue::U8(5)),
            ("f32", SmlValue::F32(5.0)),
            ("double", SmlValue::F64(5.0)),
        ] {
            let doc = format!(
                r#"{{"metric":"m","timestamp":0,"value":{{"value":5,"type":"{ty}"}},"tags":{{"t":1}}}}"#
            );
            assert_eq!(one(&doc).unwrap().1[0], want, "{ty}");
        }
        let (_, v, _) =
            one(r#"{"metric":"m","timestamp":1648432611,"value":"s","tags":{"t":false}}"#).unwrap();
        assert_eq!(v, [SmlValue::VarChar("s".into()), SmlValue::Bool(false)]);
        // Several documents one after another.
        assert_eq!(points("{\"a\":1}\n[{\"b\":2},{\"c\":3}]").unwrap().len(), 3);
    }

    #[test]
    fn errors_have_their_codes() {
        let cases: &[(&str, Code)] = &[
            ("", Code::TSC_INVALID_JSON),
            ("{", Code::TSC_INVALID_JSON),
            ("[]", Code::TSC_INVALID_JSON),
            ("[1]", Code::TSC_INVALID_JSON),
            (
                r#"{"metric":"m","timestamp":0,"value":1}"#,
                Code::TSC_INVALID_JSON,
            ),
            (
                r#"{"metric":"m","timestamp":0,"value":1,"tags":{"t":1},"x":1}"#,
                Code::TSC_INVALID_JSON,
            ),
            (
                r#"{"metric":"m","timestamp":0,"value":1,"tags":{}}"#,
                Code::TSC_INVALID_JSON,
            ),
            (
                r#"{"metric":"m","timestamp":0,"value":1,"tags":[1]}"#,
                Code::TSC_INVALID_JSON,
            ),
            (
                r#"{"metric":"m","timestamp":0,"value":null,"tags":{"t":1}}"#,
                Code::TSC_INVALID_JSON,
            ),
            (
                r#"{"metric":"m","timestamp":0,"value":1,"tags":{"t":null}}"#,
                Code::TSC_INVALID_JSON,
            ),
            (
                r#"{"metric":1,"timestamp":0,"value":1,"tags":{"t":1}}"#,
                Code::TSC_INVALID_JSON,
            ),
            (
                r#"{"metric":"","timestamp":0,"value":1,"tags":{"t":1}}"#,
                Code::TSC_INVALID_TABLE_ID_LENGTH,
            ),
            (
                r#"{"metric":"m","timestamp":0,"value":1,"tags":{"":1}}"#,
                Code::TSC_INVALID_COLUMN_LENGTH,
            ),
            (
                r#"{"metric":"m","timestamp":-1648432611,"value":1,"tags":{"t":1}}"#,
                Code::INVALID_TIMESTAMP,
            ),
            (
                r#"{"metric":"m","timestamp":16484326112,"value":1,"tags":{"t":1}}"#,
                Code::INVALID_TIMESTAMP,
            ),
            (
                r#"{"metric":"m","timestamp":1.5,"value":1,"tags":{"t":1}}"#,
                Code::INVALID_TIMESTAMP,
            ),
            (
                r#"{"metric":"m","timestamp":{"value":1,"type":"h"},"value":1,"tags":{"t":1}}"#,
                Code::INVALID_TIMESTAMP,
            ),
            (
                r#"{"metric":"m","timestamp":0,"value":{"value":1,"type":"decimal"},"tags":{"t":1}}"#,
                Code::TSC_INVALID_JSON_TYPE,
            ),
            (
                r#"{"metric":"m","timestamp":0,"value":{"value":"x","type":"int"},"tags":{"t":1}}"#,
                Code::TSC_INVALID_JSON_TYPE,
            ),
            (
                r#"{"metric":"m","timestamp":0,"value":{"value":1,"type":"bool"},"tags":{"t":1}}"#,
                Code::TSC_INVALID_JSON_TYPE,
            ),
            (
                r#"{"metric":"m","timestamp":0,"value":{"value":1,"type":"binary"},"tags":{"t":1}}"#,
                Code::TSC_INVALID_JSON_TYPE,
            ),
            (
                r#"{"metric":"m","timestamp":0,"value":{"value":128,"type":"i8"},"tags":{"t":1}}"#,
                Code::TSC_VALUE_OUT_OF_RANGE,
            ),
            (
                r#"{"metric":"m","timestamp":0,"value":{"value":-1,"type":"u64"},"tags":{"t":1}}"#,
                Code::TSC_VALUE_OUT_OF_RANGE,
            ),
            (
                r#"{"metric":"m","timestamp":0,"value":{"value":1e300,"type":"f32"},"tags":{"t":1}}"#,
                Code::TSC_VALUE_OUT_OF_RANGE,
            ),
            (
                r#"{"metric":"m","timestamp":0,"value":{"value":1,"type":"int","x":1},"tags":{"t":1}}"#,
                Code::TSC_INVALID_JSON,
            ),
        ];
        for (doc, code) in cases {
            let err = one(doc).err().unwrap_or_else(|| panic!("{doc} parsed"));
            assert_eq!(err.code, *code, "{doc}: {}", err.message);
        }
    }
}
