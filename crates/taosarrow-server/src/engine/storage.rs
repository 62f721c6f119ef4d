//! Per-table column data: Arrow batches kept sorted by timestamp, a row with an existing
//! timestamp overwriting the older one (TDengine semantics).

use std::sync::{Arc, RwLock};

use arrow::array::{new_null_array, Array, ArrayRef, AsArray, UInt32Array};
use arrow::compute::{concat_batches, take_record_batch};
use arrow::datatypes::{Int64Type, SchemaRef};
use arrow::record_batch::RecordBatch;
use taosarrow_protocol::Code;

use super::catalog::{read, write};
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

    /// Checks `batch` against the stored columns (names, types, a timestamp in every row)
    /// without changing anything: the fallible half of an append.
    pub fn check(&self, batch: RecordBatch) -> Result<CheckedBatch, ServerError> {
        if batch.num_columns() != self.schema.fields().len() {
            return Err(ServerError::internal(format!(
                "{} columns written to a table of {}",
                batch.num_columns(),
                self.schema.fields().len()
            )));
        }
        let batch = RecordBatch::try_new(self.schema.clone(), batch.columns().to_vec())
            .map_err(ServerError::internal)?;
        let ts = ts_values(&batch)?;
        let (first, last) = match (ts.first(), ts.last()) {
            (Some(&f), Some(&l)) => (f, l),
            _ => {
                return Ok(CheckedBatch {
                    batch,
                    increasing: true,
                    first: 0,
                    max: 0,
                })
            }
        };
        Ok(CheckedBatch {
            increasing: ts.windows(2).all(|w| w[0] < w[1]),
            first,
            max: ts.iter().copied().max().unwrap_or(last),
            batch,
        })
    }

    /// Appends a batch [`TableData::check`] accepted, merging by timestamp: rows keep ts
    /// order and a row whose ts already exists replaces the stored one. Cannot fail, so a
    /// commit that checked all its batches first applies all of them or none.
    pub fn append(&mut self, checked: CheckedBatch) -> u64 {
        let CheckedBatch {
            batch,
            increasing,
            first,
            max,
        } = checked;
        let rows = batch.num_rows();
        if rows == 0 {
            return 0;
        }
        if !increasing || self.max_ts.is_some_and(|m| first <= m) {
            self.dirty = true;
        }
        self.max_ts = Some(self.max_ts.map_or(max, |m| m.max(max)));
        match self.batches.last_mut() {
            Some(prev) if prev.num_rows() < SMALL_BATCH && rows < SMALL_BATCH => {
                match concat_batches(&self.schema, [&*prev, &batch]) {
                    Ok(merged) => *prev = merged,
                    // Same schema, so this does not happen; keeping the batch apart is
                    // still correct.
                    Err(_) => self.batches.push(batch),
                }
            }
            _ => self.batches.push(batch),
        }
        rows as u64
    }

    /// [`TableData::check`] then [`TableData::append`].
    pub fn append_batch(&mut self, batch: RecordBatch) -> Result<u64, ServerError> {
        let checked = self.check(batch)?;
        Ok(self.append(checked))
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

    /// Removes column `index` from the stored rows (ALTER TABLE … DROP COLUMN); `schema` is
    /// the table's columns without it.
    pub fn drop_column(&mut self, index: usize, schema: SchemaRef) -> Result<(), ServerError> {
        for b in &mut self.batches {
            let mut cols = b.columns().to_vec();
            if index >= cols.len() {
                return Err(ServerError::internal(format!(
                    "column {index} dropped from a table of {}",
                    cols.len()
                )));
            }
            cols.remove(index);
            *b = RecordBatch::try_new(schema.clone(), cols).map_err(ServerError::internal)?;
        }
        self.schema = schema;
        Ok(())
    }

    /// Relabels the stored rows with `schema`: the same columns and Arrow types, other
    /// metadata (a widened declared length).
    pub fn set_schema(&mut self, schema: SchemaRef) -> Result<(), ServerError> {
        for b in &mut self.batches {
            *b = RecordBatch::try_new(schema.clone(), b.columns().to_vec())
                .map_err(ServerError::internal)?;
        }
        self.schema = schema;
        Ok(())
    }

    /// Sorts by ts and drops overwritten rows (the later write of a ts wins).
    fn compact(&mut self) -> Result<(), ServerError> {
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

    /// Deletes the rows whose timestamp is in `[lo, hi]`; returns how many went.
    pub fn delete_range(&mut self, lo: i64, hi: i64) -> Result<u64, ServerError> {
        self.compact()?;
        let mut deleted = 0u64;
        let mut kept = Vec::with_capacity(self.batches.len());
        for b in &self.batches {
            let ts = ts_values(b)?;
            let keep: arrow::array::BooleanArray =
                ts.iter().map(|t| Some(*t < lo || *t > hi)).collect();
            let out =
                arrow::compute::filter_record_batch(b, &keep).map_err(ServerError::internal)?;
            deleted += (b.num_rows() - out.num_rows()) as u64;
            if out.num_rows() > 0 {
                kept.push(out);
            }
        }
        self.batches = kept;
        self.max_ts = match self.batches.last() {
            Some(b) => ts_values(b)?.last().copied(),
            None => None,
        };
        Ok(deleted)
    }

    /// Number of stored rows (after compaction).
    pub fn num_rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }
}

/// A batch [`TableData::check`] accepted, with what [`TableData::append`] needs of its
/// timestamps.
#[derive(Debug)]
pub struct CheckedBatch {
    batch: RecordBatch,
    /// Timestamps strictly increase down the batch.
    increasing: bool,
    /// The first row's timestamp.
    first: i64,
    /// The largest timestamp.
    max: i64,
}

impl CheckedBatch {
    /// The rows, in the table's columns.
    pub fn batch(&self) -> &RecordBatch {
        &self.batch
    }

    /// Rows in the batch.
    pub fn num_rows(&self) -> usize {
        self.batch.num_rows()
    }
}

/// Shared handle to a table's rows.
pub type SharedData = Arc<RwLock<TableData>>;

/// One consistent view of a table's rows: sorted by timestamp, one row per timestamp (cheap
/// `Arc` clones of the batches). The merge and the copy happen under one write lock, so no
/// append can land between them and show an overwritten row next to its replacement.
pub fn snapshot(data: &RwLock<TableData>) -> Result<Vec<RecordBatch>, ServerError> {
    {
        let d = read(data);
        if !d.dirty {
            return Ok(d.batches.clone());
        }
    }
    let mut d = write(data);
    d.compact()?;
    Ok(d.batches.clone())
}
