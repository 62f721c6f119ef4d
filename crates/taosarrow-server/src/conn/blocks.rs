//! From the engine's Arrow results to the wire: query-response field lists and raw blocks.

use arrow::array::RecordBatch;
use arrow::datatypes::Schema;
use taosarrow_codec::{column_spec, encode_block, read_layout};
use taosarrow_protocol::messages::ResultColumns;
use taosarrow_protocol::Precision;

use crate::ServerError;

/// The columns of a result in the database precision `precision`, as query and
/// `stmt2_result` responses describe them: names, type codes, user-facing lengths, DECIMAL
/// precisions and scales.
pub(crate) fn columns(schema: &Schema, precision: Precision) -> Result<ResultColumns, ServerError> {
    let n = schema.fields().len();
    let (mut names, mut types, mut lengths) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut precisions, mut scales) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for field in schema.fields() {
        let spec = column_spec(field).map_err(|e| ServerError::internal(e.to_string()))?;
        names.push(spec.name);
        types.push(spec.ty.code());
        lengths.push(i64::from(spec.length));
        precisions.push(i64::from(spec.precision));
        scales.push(i64::from(spec.scale));
    }
    Ok(ResultColumns {
        fields_count: n as i64,
        fields_names: Some(names),
        fields_types: Some(types),
        fields_lengths: Some(lengths),
        precision: precision.code(),
        fields_precisions: Some(precisions),
        fields_scales: Some(scales),
    })
}

/// Appends one raw block for `batch`; with `corrupt`, its row count is set to `i32::MAX`.
pub(crate) fn encode(
    batch: &RecordBatch,
    out: &mut Vec<u8>,
    corrupt: bool,
) -> Result<(), ServerError> {
    let start = out.len();
    encode_block(batch, out).map_err(|e| ServerError::internal(e.to_string()))?;
    if corrupt && out.len() >= start + 12 {
        out[start + 8..start + 12].copy_from_slice(&i32::MAX.to_le_bytes());
    }
    Ok(())
}

/// The schema width of each column of an encoded block (the JSON `fetch` `lengths`).
pub(crate) fn schema_widths(block: &[u8]) -> Vec<i64> {
    match read_layout(block) {
        Ok((_, cols, _)) => cols.iter().map(|c| i64::from(c.bytes)).collect(),
        Err(_) => Vec::new(),
    }
}
