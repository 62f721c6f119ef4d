//! The schemaless `insert` request and its response (`schemaless.md` §1, §1.2).

use serde::{Deserialize, Deserializer, Serialize};

use super::response::ResponseHeader;

/// `insert` arguments: one schemaless payload for the connection's current database.
/// `null` decodes like an absent field (the official Rust client sends `null` for unset
/// options).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemalessInsertRequest {
    /// Request id, echoed.
    #[serde(default, deserialize_with = "null_as_default")]
    pub req_id: u64,
    /// 1 line, 2 telnet, 3 JSON ([`crate::schemaless::SchemalessProtocol::code`]); 0 or
    /// absent is refused.
    #[serde(default, deserialize_with = "null_as_default")]
    pub protocol: i64,
    /// Line-protocol timestamp unit ([`crate::schemaless::SchemalessPrecision::wire`]).
    #[serde(default, deserialize_with = "null_as_default")]
    pub precision: String,
    /// The payload: lines joined by `\n`, or one JSON document.
    #[serde(default, deserialize_with = "null_as_default")]
    pub data: String,
    /// Time to live, in days, of the child tables this request creates; 0 = none.
    #[serde(default, deserialize_with = "null_as_default")]
    pub ttl: i64,
    /// A tag whose value names the child table (and is then not stored as a tag).
    #[serde(default, deserialize_with = "null_as_default")]
    pub table_name_key: String,
}

/// The request as borrowed fields, serialized without copying `data` into a JSON tree.
#[derive(Serialize)]
struct Envelope<'a> {
    action: &'static str,
    args: &'a SchemalessInsertRequest,
}

impl SchemalessInsertRequest {
    /// The request as a text frame.
    pub fn to_json(&self) -> String {
        // Strings and integers only: serializing cannot fail.
        serde_json::to_string(&Envelope {
            action: "insert",
            args: self,
        })
        .unwrap_or_default()
    }

    /// The bytes of the frame [`SchemalessInsertRequest::to_json`] builds, without building
    /// it: the JSON escapes of `data` counted exactly.
    pub fn json_len(&self) -> usize {
        const FIXED: usize = 160;
        FIXED
            + escaped_len(&self.data)
            + escaped_len(&self.precision)
            + escaped_len(&self.table_name_key)
    }
}

/// The length of `s` as a JSON string body (serde_json's escapes).
pub fn escaped_len(s: &str) -> usize {
    s.bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
            0..=0x1f => 6,
            _ => 1,
        })
        .sum()
}

fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// `insert` response: the header, rows written and data points parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemalessInsertResponse {
    /// Common fields.
    #[serde(flatten)]
    pub header: ResponseHeader,
    /// Rows written.
    #[serde(default)]
    pub affected_rows: i64,
    /// Data points parsed from `data`.
    #[serde(default)]
    pub total_rows: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::Request;

    #[test]
    fn nulls_decode_as_absent_and_the_frame_round_trips() {
        let text = r#"{"action":"insert","args":{"req_id":null,"protocol":1,"precision":"ms","data":"m f=1 1","ttl":null,"table_name_key":null}}"#;
        let Request::SchemalessInsert(r) = Request::parse(text.as_bytes()).unwrap() else {
            panic!("not an insert")
        };
        assert_eq!((r.req_id, r.protocol, r.ttl), (0, 1, 0));
        assert_eq!(r.table_name_key, "");
        let req = SchemalessInsertRequest {
            req_id: 7,
            protocol: 2,
            precision: String::new(),
            data: "a \"b\"\n\\c\u{1}".into(),
            ttl: 3,
            table_name_key: "k".into(),
        };
        let json = req.to_json();
        assert!(
            json.len() <= req.json_len(),
            "{} > {}",
            json.len(),
            req.json_len()
        );
        let back = Request::parse(json.as_bytes()).unwrap();
        assert_eq!(back, Request::SchemalessInsert(req));
    }
}
