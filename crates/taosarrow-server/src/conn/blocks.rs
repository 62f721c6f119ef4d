//! From the engine's Arrow results to the wire: query-response field lists and raw blocks.

use arrow::array::RecordBatch;
use arrow::datatypes::Schema;
use taosarrow_codec::{column_spec, encode_block, read_layout};

use crate::ServerError;

/// The per-column lists of a query response (`sql.md` §2.1).
pub(crate) struct Fields {
    pub names: Vec<String>,
    pub types: Vec<u8>,
    pub lengths: Vec<i64>,
    pub precisions: Vec<i64>,
    pub scales: Vec<i64>,
}

/// Derives names, type codes, user-facing lengths, DECIMAL precisions and scales.
pub(crate) fn fields(schema: &Schema) -> Result<Fields, ServerError> {
    let n = schema.fields().len();
    let mut f = Fields {
        names: Vec::with_capacity(n),
        types: Vec::with_capacity(n),
        lengths: Vec::with_capacity(n),
        precisions: Vec::with_capacity(n),
        scales: Vec::with_capacity(n),
    };
    for field in schema.fields() {
        let spec = column_spec(field).map_err(|e| ServerError::internal(e.to_string()))?;
        f.names.push(spec.name);
        f.types.push(spec.ty.code());
        f.lengths.push(i64::from(spec.length));
        f.precisions.push(i64::from(spec.precision));
        f.scales.push(i64::from(spec.scale));
    }
    Ok(f)
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
