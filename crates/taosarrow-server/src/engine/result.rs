//! Result sets with the codec's field metadata: stored columns keep theirs, computed ones get
//! their natural TDengine type (COUNT → BIGINT, AVG → DOUBLE, text → VARCHAR sized by data).

use std::sync::Arc;

use arrow::array::{ArrayRef, AsArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use taosarrow_codec::{column_spec, time_unit, ColumnSpec, META_TYPE_CODE};
use taosarrow_protocol::{Code, Precision, TdType};

use super::types::field;
use super::ResultSet;
use crate::ServerError;

/// The Arrow type a computed column is carried as, or `None` when TDengine has no such type.
fn target_type(dt: &DataType, p: Precision) -> Option<DataType> {
    Some(match dt {
        DataType::Boolean
        | DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64 => dt.clone(),
        DataType::UInt8 | DataType::UInt16 | DataType::UInt32 | DataType::UInt64 => dt.clone(),
        DataType::Float32 | DataType::Float64 => dt.clone(),
        DataType::Float16 => DataType::Float32,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null => {
            DataType::Utf8
        }
        DataType::Binary | DataType::BinaryView | DataType::FixedSizeBinary(_) => DataType::Binary,
        DataType::LargeBinary => DataType::LargeBinary,
        DataType::Timestamp(_, _) | DataType::Date32 | DataType::Date64 => {
            DataType::Timestamp(time_unit(p), None)
        }
        DataType::Decimal128(a, b) => DataType::Decimal128(*a, *b),
        DataType::Decimal32(a, b) | DataType::Decimal64(a, b) => DataType::Decimal128(*a, *b),
        DataType::Decimal256(_, _) => DataType::Float64,
        DataType::Dictionary(_, v) => return target_type(v, p),
        _ => return None,
    })
}

fn max_len(a: &ArrayRef, nchar: bool) -> u32 {
    let mut m = 0usize;
    if let Some(s) = a.as_string_opt::<i32>() {
        for v in s.iter().flatten() {
            m = m.max(if nchar { v.chars().count() } else { v.len() });
        }
    } else if let Some(s) = a.as_binary_opt::<i32>() {
        for v in s.iter().flatten() {
            m = m.max(v.len());
        }
    }
    m.max(1) as u32
}

/// What the select list appends to a result column name given twice (DataFusion wants unique
/// names); [`finish`] cuts the name there, so the client sees the name as written.
pub(crate) const DUPLICATE_MARK: char = '\u{1f}';

/// Turns DataFusion's output into a [`ResultSet`]: casts to TDengine-representable types and
/// puts the codec metadata on every field.
pub fn finish(
    schema: &Schema,
    batches: Vec<RecordBatch>,
    p: Precision,
) -> Result<ResultSet, ServerError> {
    let want_ts = DataType::Timestamp(time_unit(p), None);
    let mut fields = Vec::with_capacity(schema.fields().len());
    let mut casts: Vec<Option<DataType>> = Vec::with_capacity(fields.capacity());
    for f in schema.fields() {
        let dt = f.data_type();
        let target = target_type(dt, p).ok_or_else(|| {
            ServerError::new(
                Code::PAR_SYNTAX_ERROR,
                format!(
                    "syntax error: result column {} has type {dt}, which TDengine has no type for",
                    f.name()
                ),
            )
        })?;
        // A stored column's metadata describes it only while its Arrow type is unchanged
        // (`CAST(v AS DOUBLE)` keeps `v`'s metadata in DataFusion).
        let keep_meta = f.metadata().contains_key(META_TYPE_CODE)
            && &target == dt
            && column_spec(f.as_ref())
                .ok()
                .and_then(|spec| field(&spec, p).ok())
                .is_some_and(|stored| stored.data_type() == dt);
        casts.push((&target != dt).then(|| target.clone()));
        fields.push((f.clone(), target, keep_meta));
    }
    let batches = batches
        .into_iter()
        .map(|b| {
            let cols = b
                .columns()
                .iter()
                .zip(&casts)
                .map(|(c, t)| match t {
                    Some(t) => arrow::compute::cast(c, t).map_err(ServerError::internal),
                    None => Ok(c.clone()),
                })
                .collect::<Result<Vec<ArrayRef>, _>>()?;
            Ok(cols)
        })
        .collect::<Result<Vec<_>, ServerError>>()?;
    let mut out_fields = Vec::with_capacity(fields.len());
    for (k, (f, target, keep)) in fields.into_iter().enumerate() {
        let field = if keep {
            f.as_ref().clone()
        } else {
            let mut spec = column_spec(&Field::new(f.name(), target.clone(), true))
                .map_err(ServerError::internal)?;
            if let Ok(orig) = column_spec(f.as_ref()) {
                // Keep a stored column's declared type when only its Arrow storage changed.
                if orig.ty == spec.ty || (orig.ty == TdType::NChar && spec.ty == TdType::VarChar) {
                    spec = orig;
                }
            }
            if spec.ty.max_declared_length().is_some() && spec.length == 0 {
                let nchar = spec.ty == TdType::NChar;
                let m = batches
                    .iter()
                    .map(|b| max_len(&b[k], nchar))
                    .max()
                    .unwrap_or(1);
                spec.length = m;
            }
            if spec.ty == TdType::Timestamp && target != want_ts {
                return Err(ServerError::internal("timestamp unit mismatch"));
            }
            field(&spec, p)?
        };
        let field = match field.name().split_once(DUPLICATE_MARK) {
            Some((name, _)) => {
                let name = name.to_owned();
                field.with_name(name)
            }
            None => field,
        };
        out_fields.push(field);
    }
    let schema = Arc::new(Schema::new(out_fields));
    let batches = batches
        .into_iter()
        .map(|cols| RecordBatch::try_new(schema.clone(), cols).map_err(ServerError::internal))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ResultSet {
        schema,
        batches,
        precision: p,
    })
}

/// A result built from Arrow arrays for the given column specs (SHOW, DESCRIBE, constants).
pub fn from_columns(
    specs: &[ColumnSpec],
    cols: Vec<ArrayRef>,
    p: Precision,
) -> Result<ResultSet, ServerError> {
    let fields = specs
        .iter()
        .map(|s| field(s, p))
        .collect::<Result<Vec<_>, _>>()?;
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), cols).map_err(ServerError::internal)?;
    Ok(ResultSet {
        schema,
        batches: vec![batch],
        precision: p,
    })
}
