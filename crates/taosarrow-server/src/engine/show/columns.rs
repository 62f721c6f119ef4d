//! The column builders of SHOW and DESCRIBE results.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, Int16Array, Int32Array, Int64Array, StringArray, TimestampMillisecondArray,
};
use taosarrow_codec::ColumnSpec;
use taosarrow_protocol::TdType;

/// A VARCHAR(`n`) result column.
pub(super) fn vc(name: &str, n: u32) -> ColumnSpec {
    ColumnSpec::new(name, TdType::VarChar).with_length(n)
}

/// A VARCHAR array.
pub(super) fn strs<I: IntoIterator<Item = Option<String>>>(it: I) -> ArrayRef {
    Arc::new(StringArray::from_iter(it))
}

/// A millisecond TIMESTAMP array.
pub(super) fn ts(it: impl IntoIterator<Item = Option<i64>>) -> ArrayRef {
    Arc::new(TimestampMillisecondArray::from_iter(it))
}

/// An INT array.
pub(super) fn ints(it: impl IntoIterator<Item = Option<i32>>) -> ArrayRef {
    Arc::new(Int32Array::from_iter(it))
}

/// A BIGINT array.
pub(super) fn bigints(it: impl IntoIterator<Item = Option<i64>>) -> ArrayRef {
    Arc::new(Int64Array::from_iter(it))
}

/// A SMALLINT array.
pub(super) fn smallints(it: impl IntoIterator<Item = Option<i16>>) -> ArrayRef {
    Arc::new(Int16Array::from_iter(it))
}

/// The rows of `v` whose `keep` flag is set.
pub(super) fn kept<T>(v: Vec<T>, keep: &[bool]) -> Vec<T> {
    v.into_iter()
        .zip(keep)
        .filter(|(_, k)| **k)
        .map(|(x, _)| x)
        .collect()
}
