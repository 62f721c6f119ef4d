//! Per-table column data: Arrow batches kept sorted by timestamp, a row with an existing
//! timestamp overwriting the older one (TDengine semantics).

use std::sync::Arc;

use arrow::array::{new_null_array, Array, ArrayRef, AsArray, UInt32Array};
use arrow::compute::{concat_batches, take_record_batch};
use arrow::datatypes::{Int64Type, SchemaRef};
use arrow::record_batch::RecordBatch;
use taosarrow_protocol::Code;

use crate::ServerError;

/// Batches smaller than this are merged with the next append.
const SMALL_BATCH: usize = 4096;

/// The rows of one table. Column 0 is the timestamp.
#[derive(Debug)]
pub struct TableData {
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
    max_ts: Option<i64>,
    /// Batches overlap or are out of order: merge before the next read.
    dirty: bool,
}

/// The i64 ticks of a batch's timestamp column (column 0), which has no NULLs.
fn ts_values(batch: &RecordBatch) -> Result<&[i64], ServerError> {
    let col = batch.column(0);
    if col.null_count() > 0 {
        return Err(ServerError::new(
            Code::PAR_INCORRECT_TIMESTAMP_VAL,
            "Primary timestamp column should not be null",
        ));
    }
    Ok(match col.data_type() {
        arrow::datatypes::DataType::Int64 => col.as_primitive::<Int64Type>().values(),
        arrow::datatypes::DataType::Timestamp(_, _) => timestamp_values(col),
        other => {
            return Err(ServerError::internal(format!(
                "timestamp column of type {other}"
            )))
        }
    })
}

fn timestamp_values(col: &ArrayRef) -> &[i64] {
    use arrow::datatypes::{DataType, TimeUnit::*};
    use arrow::datatypes::{
        TimestampMicrosecondType as U, TimestampMillisecondType as M, TimestampNanosecondType as N,
        TimestampSecondType as S,
    };
    match col.data_type() {
        DataType::Timestamp(Millisecond, _) => col.as_primitive::<M>().values(),
        DataType::Timestamp(Microsecond, _) => col.as_primitive::<U>().values(),
        DataType::Timestamp(Nanosecond, _) => col.as_primitive::<N>().values(),
        _ => col.as_primitive::<S>().values(),
    }
}

impl TableData {
    /// An empty table with columns `schema`.
    pub fn new(schema: SchemaRef) -> Self {
        TableData {
            schema,
            batches: Vec::new(),
            max_ts: None,
            dirty: false,
        }
    }

    /// The stored columns.
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// Appends `batch` (same columns as the table), merging by timestamp: rows keep ts
    /// order and a row whose ts already exists replaces the stored one.
    pub fn append_batch(&mut self, batch: RecordBatch) -> Result<u64, ServerError> {
        let rows = batch.num_rows();
        if rows == 0 {
            return Ok(0);
        }
        let batch = RecordBatch::try_new(self.schema.clone(), batch.columns().to_vec())
            .map_err(ServerError::internal)?;
        let ts = ts_values(&batch)?;
        let increasing = ts.windows(2).all(|w| w[0] < w[1]);
        let first = ts[0];
        let last = ts[rows - 1];
        if !increasing || self.max_ts.is_some_and(|m| first <= m) {
            self.dirty = true;
        }
        self.max_ts = Some(
            self.max_ts
                .map_or(last, |m| m.max(*ts.iter().max().unwrap_or(&last))),
        );
        match self.batches.last_mut() {
            Some(prev) if prev.num_rows() < SMALL_BATCH && rows < SMALL_BATCH => {
                *prev = concat_batches(&self.schema, [&*prev, &batch])
                    .map_err(ServerError::internal)?;
            }
            _ => self.batches.push(batch),
        }
        Ok(rows as u64)
    }

    /// Adds a column of NULLs to the stored rows (ALTER TABLE … ADD COLUMN).
    pub fn add_column(&mut self, schema: SchemaRef) -> Result<(), ServerError> {
        let field = schema
            .fields()
            .last()
            .ok_or_else(|| ServerError::internal("empty schema"))?
            .clone();
        for b in &mut self.batches {
            let mut cols = b.columns().to_vec();
            cols.push(new_null_array(field.data_type(), b.num_rows()));
            *b = RecordBatch::try_new(schema.clone(), cols).map_err(ServerError::internal)?;
        }
        self.schema = schema;
        Ok(())
    }

    /// True when a read must first merge the batches ([`TableData::compact`]).
    pub fn needs_compaction(&self) -> bool {
        self.dirty
    }

    /// Sorts by ts and drops overwritten rows (the later write of a ts wins).
    pub fn compact(&mut self) -> Result<(), ServerError> {
        if !self.dirty {
            return Ok(());
        }
        let all = concat_batches(&self.schema, &self.batches).map_err(ServerError::internal)?;
        let ts = ts_values(&all)?;
        let mut idx: Vec<u32> = (0..ts.len() as u32).collect();
        idx.sort_by_key(|&i| ts[i as usize]);
        let mut keep = Vec::with_capacity(idx.len());
        for (k, &i) in idx.iter().enumerate() {
            let next_same = idx
                .get(k + 1)
                .is_some_and(|&j| ts[j as usize] == ts[i as usize]);
            if !next_same {
                keep.push(i);
            }
        }
        let sorted =
            take_record_batch(&all, &UInt32Array::from(keep)).map_err(ServerError::internal)?;
        self.batches = vec![sorted];
        self.dirty = false;
        Ok(())
    }

    /// The stored batches (cheap `Arc` clones). Call [`TableData::compact`] first.
    pub fn batches(&self) -> Vec<RecordBatch> {
        self.batches.clone()
    }

    /// Number of stored rows (after compaction).
    pub fn num_rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }
}

/// Shared handle to a table's rows.
pub type SharedData = Arc<std::sync::RwLock<TableData>>;
