//! TDengine's JSON tag operators as DataFusion functions: `tag->'key'` (the key's value, of
//! type JSON), `tag CONTAINS 'key'`, and the typed reads of a key the translation compares
//! with literals (`tag->'k' = 'v'` compares strings, `tag->'k' > 1` numbers).
//!
//! TDengine keeps a JSON tag's values as strings, doubles, booleans or null, the first of
//! duplicate keys winning and empty keys ignored; `->` renders a string with its quotes
//! (`"v1"`), a number as the client's `%.9lf` does (`1.000000000`), `true`/`false`, `null`,
//! and a missing key as NULL. A nested object or array (which this server stores though
//! TDengine refuses it) is rendered as compact JSON text.

use std::sync::{Arc, LazyLock};

use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Float64Array, StringArray};
use arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{DataFusionError, Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;
use taosarrow_codec::ColumnSpec;
use taosarrow_protocol::{Precision, TdType};

use super::types::field;

/// The longest key TDengine accepts in a JSON tag (`TSDB_MAX_JSON_KEY_LEN`), in bytes.
pub(crate) const MAX_JSON_KEY_LEN: usize = 256;

/// What a function reads of a JSON tag's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum JsonRead {
    /// `->`: the value as JSON text, of type JSON; NULL when the key is missing.
    Value,
    /// A string value (NULL for any other value): what a string literal is compared with.
    Text,
    /// A number, or a boolean as 1 or 0 (NULL for any other value): what a number or a
    /// boolean literal is compared with.
    Number,
    /// `CONTAINS`: whether the key is present (false, never NULL, for a NULL tag).
    Contains,
}

impl JsonRead {
    /// The function's name in the DataFusion statement.
    pub(crate) fn name(self) -> &'static str {
        match self {
            JsonRead::Value => "td_json_value",
            JsonRead::Text => "td_json_text",
            JsonRead::Number => "td_json_number",
            JsonRead::Contains => "td_json_contains",
        }
    }

    fn data_type(self) -> DataType {
        match self {
            JsonRead::Value | JsonRead::Text => DataType::Utf8,
            JsonRead::Number => DataType::Float64,
            JsonRead::Contains => DataType::Boolean,
        }
    }
}

/// The four functions, built once and registered into every statement's context.
pub(crate) fn functions() -> &'static [ScalarUDF] {
    static FUNCTIONS: LazyLock<Vec<ScalarUDF>> = LazyLock::new(|| {
        [
            JsonRead::Value,
            JsonRead::Text,
            JsonRead::Number,
            JsonRead::Contains,
        ]
        .into_iter()
        .map(|read| {
            ScalarUDF::new_from_impl(JsonFn {
                read,
                signature: Signature::exact(
                    vec![DataType::Utf8, DataType::Utf8],
                    Volatility::Immutable,
                ),
            })
        })
        .collect()
    });
    &FUNCTIONS
}

/// One JSON tag function: `name(tag, key)`.
#[derive(Debug, PartialEq, Eq, Hash)]
struct JsonFn {
    read: JsonRead,
    signature: Signature,
}

impl ScalarUDFImpl for JsonFn {
    fn name(&self) -> &str {
        self.read.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(self.read.data_type())
    }

    fn return_field_from_args(&self, _args: ReturnFieldArgs) -> Result<FieldRef> {
        let nullable = self.read != JsonRead::Contains;
        if self.read == JsonRead::Value {
            // The JSON type's metadata: the result column is reported as JSON (code 15).
            let json = field(
                &ColumnSpec::new(self.name(), TdType::Json),
                Precision::default(),
            )
            .map_err(|e| DataFusionError::Internal(e.to_string()))?;
            return Ok(Arc::new(json));
        }
        Ok(Arc::new(Field::new(
            self.name(),
            self.read.data_type(),
            nullable,
        )))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [tag, key] = &args.args[..] else {
            return Err(DataFusionError::Plan(format!(
                "{} takes a JSON tag and a key",
                self.name()
            )));
        };
        let all_scalar =
            matches!(tag, ColumnarValue::Scalar(_)) && matches!(key, ColumnarValue::Scalar(_));
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let tags = utf8(&arrays[0])?;
        let keys = utf8(&arrays[1])?;
        let (tags, keys) = (tags.as_string::<i32>(), keys.as_string::<i32>());
        let key_at = |i: usize| (!keys.is_null(i)).then(|| keys.value(i));
        let found = |i: usize| -> Option<Value> {
            let key = key_at(if keys.len() == 1 { 0 } else { i })?;
            if tags.is_null(i) {
                return None;
            }
            lookup(tags.value(i), key)
        };
        let n = tags.len();
        let out: ArrayRef = match self.read {
            JsonRead::Value => Arc::new(
                (0..n)
                    .map(|i| found(i).map(|v| render(&v)))
                    .collect::<StringArray>(),
            ),
            JsonRead::Text => Arc::new(
                (0..n)
                    .map(|i| match found(i) {
                        Some(Value::String(s)) => Some(s),
                        _ => None,
                    })
                    .collect::<StringArray>(),
            ),
            JsonRead::Number => Arc::new(
                (0..n)
                    .map(|i| match found(i) {
                        Some(Value::Number(x)) => x.as_f64(),
                        Some(Value::Bool(b)) => Some(if b { 1.0 } else { 0.0 }),
                        _ => None,
                    })
                    .collect::<Float64Array>(),
            ),
            JsonRead::Contains => Arc::new(
                (0..n)
                    .map(|i| Some(found(i).is_some()))
                    .collect::<BooleanArray>(),
            ),
        };
        if all_scalar {
            return Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?));
        }
        Ok(ColumnarValue::Array(out))
    }
}

/// `a` as a Utf8 array.
fn utf8(a: &ArrayRef) -> Result<ArrayRef> {
    if a.data_type() == &DataType::Utf8 {
        return Ok(Arc::clone(a));
    }
    Ok(arrow::compute::cast(a, &DataType::Utf8)?)
}

/// The value of `key` in the JSON object `doc`: its first occurrence, `None` when the key is
/// missing or empty, or `doc` is not an object (an empty or unreadable tag).
pub(crate) fn lookup(doc: &str, key: &str) -> Option<Value> {
    if key.is_empty() {
        return None;
    }
    let mut de = serde_json::Deserializer::from_str(doc);
    FirstValue(key).deserialize(&mut de).ok().flatten()
}

/// Reads an object, keeping the value of the first entry named `.0` and skipping the rest.
struct FirstValue<'k>(&'k str);

impl<'de> DeserializeSeed<'de> for FirstValue<'_> {
    type Value = Option<Value>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FirstValue<'_> {
    type Value = Option<Value>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(k) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if found.is_none() && k == self.0 {
                found = Some(map.next_value::<Value>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// A value as TDengine's client renders the result of `->`.
pub(crate) fn render(v: &Value) -> String {
    match v {
        // TDengine's JSON strings have no escapes: the text goes between quotes as it is.
        Value::String(s) => format!("\"{s}\""),
        // Numbers are doubles, printed with `%.9lf`.
        Value::Number(n) => match n.as_f64() {
            Some(x) => format!("{x:.9}"),
            None => n.to_string(),
        },
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_owned(),
        Value::Array(_) | Value::Object(_) => v.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_reads_the_first_occurrence_and_nothing_else() {
        let doc = r#"{"a": 1, "b": "x", "a": 2, "": 5, "n": null, "o": {"p": [1, 2]}}"#;
        assert_eq!(lookup(doc, "a"), Some(Value::from(1)));
        assert_eq!(lookup(doc, "b"), Some(Value::from("x")));
        assert_eq!(lookup(doc, "n"), Some(Value::Null));
        assert_eq!(lookup(doc, ""), None);
        assert_eq!(lookup(doc, "missing"), None);
        assert_eq!(render(&lookup(doc, "o").unwrap()), r#"{"p":[1,2]}"#);
        for not_an_object in ["", "  ", "null", "[1]", "\"s\"", "{", "{\"a\":", "1"] {
            assert_eq!(lookup(not_an_object, "a"), None, "{not_an_object}");
        }
    }

    #[test]
    fn render_follows_tdengine() {
        assert_eq!(render(&Value::from("v1")), "\"v1\"");
        assert_eq!(render(&Value::from(1)), "1.000000000");
        assert_eq!(render(&Value::from(-2.5)), "-2.500000000");
        assert_eq!(render(&Value::from(true)), "true");
        assert_eq!(render(&Value::Null), "null");
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = format!("{{\"a\": {}1{}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(lookup(&deep, "a"), None);
        assert_eq!(lookup(&deep, "b"), None);
    }
}
