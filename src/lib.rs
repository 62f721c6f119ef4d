//! taosarrow: an Apache-Arrow-native client for TDengine over its WebSocket protocol.
#![warn(missing_docs)]

pub use taosarrow_codec as codec;
pub use taosarrow_protocol as protocol;
