//! The head of a JSON request: its `action` and `args.req_id`, read in one pass that builds no
//! JSON tree and skips everything else, so a server can check the session (and refuse) before
//! parsing the arguments; then the arguments, parsed once, straight into their type.

use std::fmt;

use serde::de::{self, DeserializeOwned, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::ProtocolError;

/// The shape of a request's `args`, as far as the head reads it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ArgsShape {
    /// `args` is absent or `null`: the action's defaults apply.
    #[default]
    Absent,
    /// `args` is an object.
    Object,
    /// `args` is something else (a number, a string, an array): always a bad request.
    Other,
}

/// A JSON request's `action` and `req_id`, without its other arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestHead {
    /// The action; empty when the request has none (absent, null or `""`).
    pub action: String,
    /// `args.req_id` when it is an unsigned integer, else 0.
    pub req_id: u64,
    /// What `args` is.
    pub args: ArgsShape,
}

impl RequestHead {
    /// Reads the head of a text frame; bad JSON (or an action that is not a string) →
    /// [`ProtocolError::Unmarshal`], taosAdapter's error for it. A request without an action
    /// has a head with an empty `action` (see [`RequestHead::require_action`]).
    pub fn parse(text: &[u8]) -> Result<RequestHead, ProtocolError> {
        let raw: RawHead = serde_json::from_slice(text).map_err(ProtocolError::Unmarshal)?;
        let action = raw.action.unwrap_or_default();
        let (args, req_id) = raw
            .args
            .map_or((ArgsShape::Absent, 0), |a| (a.shape, a.req_id));
        Ok(RequestHead {
            action,
            req_id,
            args,
        })
    }

    /// [`ProtocolError::NoAction`] when the request has no action.
    pub fn require_action(&self) -> Result<&str, ProtocolError> {
        if self.action.is_empty() {
            return Err(ProtocolError::NoAction);
        }
        Ok(&self.action)
    }

    /// The arguments of the request whose head this is, decoded once into `T` (absent or null
    /// `args` give `T::default()`); [`ProtocolError::BadArgs`] when they do not fit.
    pub fn args<T: DeserializeOwned + Default>(&self, text: &[u8]) -> Result<T, ProtocolError> {
        let bad = |source| ProtocolError::BadArgs {
            action: self.action.clone(),
            req_id: self.req_id,
            source,
        };
        match self.args {
            ArgsShape::Absent => Ok(T::default()),
            ArgsShape::Other => Err(bad(de::Error::custom("args must be a JSON object"))),
            ArgsShape::Object => serde_json::from_slice::<Envelope<T>>(text)
                .map(|e| e.args.unwrap_or_default())
                .map_err(bad),
        }
    }
}

/// The request with only its `args` decoded (the action is skipped).
#[derive(Deserialize)]
struct Envelope<T> {
    #[serde(default = "Option::default")]
    args: Option<T>,
}

/// The top-level object skimmed: `action` and `args`, every other value skipped. Only a JSON
/// object is a request (an array is not, although serde would map one onto a struct).
#[derive(Default)]
struct RawHead {
    action: Option<String>,
    args: Option<RawArgs>,
}

impl<'de> Deserialize<'de> for RawHead {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawHead;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawHead, A::Error> {
                let mut head = RawHead::default();
                while let Some(key) = map.next_key::<TopKey>()? {
                    match key {
                        TopKey::Action => head.action = map.next_value::<Action>()?.0,
                        TopKey::Args => head.args = Some(map.next_value::<RawArgs>()?),
                        TopKey::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(head)
            }
        }
        d.deserialize_map(V)
    }
}

/// A top-level key.
enum TopKey {
    Action,
    Args,
    Other,
}

impl<'de> Deserialize<'de> for TopKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TopKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TopKey, E> {
                Ok(match v {
                    "action" => TopKey::Action,
                    "args" => TopKey::Args,
                    _ => TopKey::Other,
                })
            }
        }
        d.deserialize_str(V)
    }
}

/// `action`: a string, or null; anything else is an error (without building it).
struct Action(Option<String>);

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Action;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("action as a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Action, E> {
                Ok(Action(Some(v.to_owned())))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Action, E> {
                Ok(Action(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// `args` skimmed: its shape and `req_id`, every other value skipped.
struct RawArgs {
    shape: ArgsShape,
    req_id: u64,
}

impl<'de> Deserialize<'de> for RawArgs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawArgs;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("request arguments")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawArgs, A::Error> {
                let mut req_id = 0;
                while let Some(key) = map.next_key::<KeyName>()? {
                    if key.is_req_id {
                        req_id = map.next_value::<MaybeU64>()?.0.unwrap_or(0);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(RawArgs {
                    shape: ArgsShape::Object,
                    req_id,
                })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawArgs, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(other())
            }
            fn visit_unit<E: de::Error>(self) -> Result<RawArgs, E> {
                Ok(RawArgs {
                    shape: ArgsShape::Absent,
                    req_id: 0,
                })
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<RawArgs, E> {
                Ok(other())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<RawArgs, E> {
                Ok(other())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<RawArgs, E> {
                Ok(other())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<RawArgs, E> {
                Ok(other())
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<RawArgs, E> {
                Ok(other())
            }
        }
        fn other() -> RawArgs {
            RawArgs {
                shape: ArgsShape::Other,
                req_id: 0,
            }
        }
        d.deserialize_any(V)
    }
}

/// Whether a key of `args` is `req_id` (other keys are not kept).
struct KeyName {
    is_req_id: bool,
}

impl<'de> Deserialize<'de> for KeyName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KeyName;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyName, E> {
                Ok(KeyName {
                    is_req_id: v == "req_id",
                })
            }
        }
        d.deserialize_str(V)
    }
}

/// An unsigned integer, or `None` for any other value (skipped, not built).
struct MaybeU64(Option<u64>);

impl<'de> Deserialize<'de> for MaybeU64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybeU64;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a request id")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<MaybeU64, E> {
                Ok(MaybeU64(Some(v)))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<MaybeU64, E> {
                Ok(MaybeU64(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<MaybeU64, E> {
                Ok(MaybeU64(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<MaybeU64, E> {
                Ok(MaybeU64(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<MaybeU64, E> {
                Ok(MaybeU64(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<MaybeU64, E> {
                Ok(MaybeU64(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<MaybeU64, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(MaybeU64(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MaybeU64, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(MaybeU64(None))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::QueryRequest;

    #[test]
    fn reads_action_and_req_id_only() {
        let h = RequestHead::parse(br#"{"args":{"sql":[1,{"a":2}],"req_id":9},"action":"query"}"#)
            .unwrap();
        assert_eq!(
            h,
            RequestHead {
                action: "query".into(),
                req_id: 9,
                args: ArgsShape::Object
            }
        );
        let q: QueryRequest =
            RequestHead::parse(br#"{"action":"query","args":{"req_id":3,"sql":"x"}}"#)
                .unwrap()
                .args(br#"{"action":"query","args":{"req_id":3,"sql":"x"}}"#)
                .unwrap();
        assert_eq!((q.req_id, q.sql.as_str()), (3, "x"));
        for (text, shape, req_id) in [
            (&br#"{"action":"a"}"#[..], ArgsShape::Absent, 0),
            (br#"{"action":"a","args":null}"#, ArgsShape::Absent, 0),
            (br#"{"action":"a","args":[1]}"#, ArgsShape::Other, 0),
            (br#"{"action":"a","args":"x"}"#, ArgsShape::Other, 0),
            (
                br#"{"action":"a","args":{"req_id":-1}}"#,
                ArgsShape::Object,
                0,
            ),
            (
                br#"{"action":"a","args":{"req_id":{"x":1}}}"#,
                ArgsShape::Object,
                0,
            ),
        ] {
            let h = RequestHead::parse(text).unwrap();
            assert_eq!((h.args, h.req_id), (shape, req_id), "{text:?}");
        }
        for bad in [
            &b"{"[..],
            b"[]",
            br#"{"action":5}"#,
            br#"{"action":["query"]}"#,
        ] {
            assert!(
                matches!(RequestHead::parse(bad), Err(ProtocolError::Unmarshal(_))),
                "{bad:?}"
            );
        }
        for none in [
            &br#"{}"#[..],
            br#"{"action":""}"#,
            br#"{"action":null,"args":{"req_id":4}}"#,
        ] {
            let h = RequestHead::parse(none).unwrap();
            assert!(matches!(h.require_action(), Err(ProtocolError::NoAction)));
        }
        assert_eq!(
            RequestHead::parse(br#"{"args":{"req_id":4}}"#)
                .unwrap()
                .req_id,
            4
        );
    }
}
