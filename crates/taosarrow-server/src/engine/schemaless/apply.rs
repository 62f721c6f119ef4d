//! The points of one request grouped by super table and child table into Arrow columns, the
//! schema changes they need, and the commit.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use arrow::array::{new_null_array, ArrayRef};
use arrow::record_batch::RecordBatch;
use datafusion::scalar::ScalarValue;
use taosarrow_codec::ColumnSpec;
use taosarrow_protocol::{Code, Precision, TdType};

use super::naming::{child_table_name, dot_to_underscore};
use super::value::SmlValue;
use super::{invalid_line, Point, PointTime, SmlOutcome, SmlRequest};
use crate::engine::catalog::{read, schema_of, write, Database, StableDef};
use crate::engine::commit::{commit, NewChild, TableWrite};
use crate::engine::evolve;
use crate::engine::types::field;
use crate::engine::values::ColBuilder;
use crate::engine::Engine;
use crate::ServerError;

/// The tag of a super table whose points have no tags (TDengine's `smlTagName`).
pub const NULL_TAG: &str = "_tag_null";
/// The timestamp column of the super tables schemaless writing creates.
pub const TS_COLUMN: &str = "_ts";

/// A column or tag as the points of the request use it.
#[derive(Debug)]
struct ColMeta {
    name: String,
    ty: TdType,
    /// The longest value seen (bytes, or characters for NCHAR); 0 for fixed types.
    width: usize,
}

impl ColMeta {
    /// The column this makes in a new super table.
    fn spec(&self) -> ColumnSpec {
        let spec = ColumnSpec::new(self.name.clone(), self.ty);
        match self.ty.max_declared_length() {
            Some(_) => spec.with_length(self.width.max(1) as u32),
            None => spec,
        }
    }
}

/// One column of one child table under construction.
struct ColAcc {
    builder: ColBuilder,
    len: usize,
}

/// One child table's rows.
struct ChildAcc {
    name: String,
    /// Tag values by index into [`StableAcc::tags`] (used only if the table is created).
    tags: Vec<(usize, SmlValue<'static>)>,
    ts: Vec<i64>,
    /// By index into [`StableAcc::columns`].
    cols: Vec<Option<ColAcc>>,
}

/// One super table's points.
struct StableAcc<'a> {
    name: String,
    /// Its timestamp column's name.
    ts_name: String,
    /// Data columns other than the timestamp: those the super table has, then new ones.
    columns: Vec<ColMeta>,
    col_index: HashMap<Cow<'a, str>, usize>,
    tags: Vec<ColMeta>,
    tag_index: HashMap<Cow<'a, str>, usize>,
    children: Vec<ChildAcc>,
    by_series: HashMap<(&'a str, &'a str), usize>,
    by_name: HashMap<String, usize>,
    /// The column index of each field of the previous point, by position: points of one
    /// source usually repeat their field order, so most fields are found without hashing.
    hint: Vec<usize>,
}

/// Collects the points of one request.
pub struct Writer<'a> {
    db: Arc<Database>,
    table_name_key: &'a str,
    ttl: i32,
    /// `NOW` in the database's precision.
    now: i64,
    stables: Vec<StableAcc<'a>>,
    stable_index: HashMap<Cow<'a, str>, usize>,
    points: u64,
    scratch: Vec<u8>,
}

fn not_same_type(name: &str, had: TdType, got: TdType, line: usize) -> ServerError {
    ServerError::new(
        Code::SML_NOT_SAME_TYPE,
        format!("column {name} is {had}, line {line} gives it a {got} value"),
    )
}

fn duplicated(name: &str, line: usize) -> ServerError {
    ServerError::new(
        Code::SML_INVALID_DATA,
        format!(
            "invalid data in line {line}: {name} is given twice (as tags and fields share names)"
        ),
    )
}

/// Finds (or adds) the column or tag `key` for a value `v`, checking its type and length.
// `key` is a `Cow` so a new entry keeps borrowing from the payload.
#[allow(clippy::ptr_arg)]
fn meta_index<'a>(
    metas: &mut Vec<ColMeta>,
    index: &mut HashMap<Cow<'a, str>, usize>,
    key: &Cow<'a, str>,
    v: &SmlValue<'_>,
    line: usize,
    found: Option<usize>,
) -> Result<(usize, bool), ServerError> {
    let (i, new) = match found.or_else(|| index.get(&**key).copied()) {
        Some(i) => (i, false),
        None => {
            metas.push(ColMeta {
                name: key.to_string(),
                ty: v.td_type(),
                width: 0,
            });
            index.insert(key.clone(), metas.len() - 1);
            (metas.len() - 1, true)
        }
    };
    let m = &mut metas[i];
    let ty = v.td_type();
    if m.ty != ty {
        return Err(not_same_type(&m.name, m.ty, ty, line));
    }
    let w = v.width();
    if w > m.width {
        if let Some(max) = ty.max_declared_length() {
            if w > max as usize {
                return Err(ServerError::new(
                    Code::PAR_INVALID_VAR_COLUMN_LEN,
                    format!(
                        "value of {w} for {} in line {line} is longer than a {ty} can be ({max})",
                        m.name
                    ),
                ));
            }
        }
        m.width = w;
    }
    Ok((i, new))
}

/// Appends `v` to a builder made for its type.
fn append(b: &mut ColBuilder, v: &SmlValue<'_>) -> Result<(), ServerError> {
    match (b, v) {
        (ColBuilder::Bool(b), SmlValue::Bool(x)) => b.append_value(*x),
        (ColBuilder::I8(b), SmlValue::I8(x)) => b.append_value(*x),
        (ColBuilder::I16(b), SmlValue::I16(x)) => b.append_value(*x),
        (ColBuilder::I32(b), SmlValue::I32(x)) => b.append_value(*x),
        (ColBuilder::I64(b), SmlValue::I64(x)) => b.append_value(*x),
        (ColBuilder::U8(b), SmlValue::U8(x)) => b.append_value(*x),
        (ColBuilder::U16(b), SmlValue::U16(x)) => b.append_value(*x),
        (ColBuilder::U32(b), SmlValue::U32(x)) => b.append_value(*x),
        (ColBuilder::U64(b), SmlValue::U64(x)) => b.append_value(*x),
        (ColBuilder::F32(b), SmlValue::F32(x)) => b.append_value(*x),
        (ColBuilder::F64(b), SmlValue::F64(x)) => b.append_value(*x),
        (ColBuilder::Str(b), SmlValue::VarChar(s) | SmlValue::NChar(s)) => b.append_value(s),
        (ColBuilder::Bin(b), SmlValue::VarBinary(x)) => b.append_value(x),
        (ColBuilder::Bin(b), SmlValue::Geometry(x)) => b.append_value(x),
        (_, v) => {
            return Err(ServerError::internal(format!(
                "a {} value for a column of another type",
                v.td_type()
            )))
        }
    }
    Ok(())
}

/// The text of a tag that names a child table.
fn name_text(v: &SmlValue<'_>) -> Option<String> {
    match v {
        SmlValue::VarChar(s) | SmlValue::NChar(s) => Some(s.to_string()),
        SmlValue::F64(f) => Some(f.to_string()),
        SmlValue::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl<'a> Writer<'a> {
    /// A writer into `db` for `req`, whose `NOW` is `now`.
    pub fn new(
        db: Arc<Database>,
        req: &SmlRequest<'a>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        let per_tick = db.precision.unit().nanos();
        let now_ns = i128::from(now.timestamp_nanos_opt().unwrap_or(i64::MAX));
        let now = i64::try_from(now_ns / i128::from(per_tick)).unwrap_or(i64::MAX);
        Writer {
            db,
            table_name_key: req.table_name_key,
            ttl: req.ttl,
            now,
            stables: Vec::new(),
            stable_index: HashMap::new(),
            points: 0,
            scratch: Vec::new(),
        }
    }

    // `m` is a `Cow` so the index keeps borrowing from the payload.
    #[allow(clippy::ptr_arg)]
    /// The super table of measurement `m`, as it exists (its columns and tags first, so the
    /// points must agree with their types) or as it will be created.
    fn stable_for(&mut self, m: &Cow<'a, str>, line: usize) -> Result<usize, ServerError> {
        if let Some(&i) = self.stable_index.get(&**m) {
            return Ok(i);
        }
        let name = dot_to_underscore(m).into_owned();
        let mut acc = StableAcc {
            ts_name: TS_COLUMN.to_owned(),
            columns: Vec::new(),
            col_index: HashMap::new(),
            tags: Vec::new(),
            tag_index: HashMap::new(),
            children: Vec::new(),
            by_series: HashMap::new(),
            by_name: HashMap::new(),
            hint: Vec::new(),
            name,
        };
        match self.db.stable(&acc.name) {
            Some(st) => {
                let def = read(&st);
                let mut specs = def.columns.iter();
                if let Some(ts) = specs.next() {
                    acc.ts_name = ts.name.clone();
                }
                let meta = |c: &ColumnSpec| ColMeta {
                    name: c.name.clone(),
                    ty: c.ty,
                    width: 0,
                };
                for c in specs {
                    acc.col_index
                        .insert(Cow::Owned(c.name.clone()), acc.columns.len());
                    acc.columns.push(meta(c));
                }
                for t in &def.tags {
                    acc.tag_index
                        .insert(Cow::Owned(t.name.clone()), acc.tags.len());
                    acc.tags.push(meta(t));
                }
            }
            None if self.db.table(&acc.name).is_ok() => {
                return Err(invalid_line(
                    line,
                    &format!("{} is a table, not a super table", acc.name),
                ))
            }
            None => {}
        }
        self.stables.push(acc);
        self.stable_index.insert(m.clone(), self.stables.len() - 1);
        Ok(self.stables.len() - 1)
    }

    /// The child table of point `p` in super table `si`, created in the writer if new.
    fn child_for(&mut self, si: usize, p: &Point<'a>, line: usize) -> Result<usize, ServerError> {
        let st = &mut self.stables[si];
        let tnk = self.table_name_key;
        let mut explicit = None;
        let mut tags: Vec<(usize, &SmlValue<'a>)> = Vec::with_capacity(p.tags.len());
        for (k, (key, v)) in p.tags.iter().enumerate() {
            if p.tags[..k].iter().any(|(prev, _)| prev == key) {
                return Err(duplicated(key, line));
            }
            if !tnk.is_empty() && key == tnk {
                let text = name_text(v)
                    .ok_or_else(|| invalid_line(line, &format!("tag {tnk} cannot name a table")))?;
                explicit = Some(dot_to_underscore(&text).into_owned());
                continue;
            }
            if *key == *st.ts_name
                || (st.col_index.contains_key(&**key) && !st.tag_index.contains_key(&**key))
            {
                return Err(duplicated(key, line));
            }
            let (ti, _) = meta_index(&mut st.tags, &mut st.tag_index, key, v, line, None)?;
            tags.push((ti, v));
        }
        if st.tags.is_empty() {
            st.tags.push(ColMeta {
                name: NULL_TAG.to_owned(),
                ty: TdType::NChar,
                width: 1,
            });
            st.tag_index.insert(Cow::Borrowed(NULL_TAG), 0);
        }
        let name = match explicit {
            Some(n) => n,
            None => {
                let named: Vec<(&str, &SmlValue<'_>)> = tags
                    .iter()
                    .map(|&(ti, v)| (st.tags[ti].name.as_str(), v))
                    .collect();
                child_table_name(&st.name, &named, &mut self.scratch)
            }
        };
        if let Some(&c) = st.by_name.get(&name) {
            return Ok(c);
        }
        st.children.push(ChildAcc {
            name: name.clone(),
            tags: tags
                .into_iter()
                .map(|(ti, v)| (ti, v.clone().into_owned()))
                .collect(),
            ts: Vec::new(),
            cols: Vec::new(),
        });
        st.by_name.insert(name, st.children.len() - 1);
        Ok(st.children.len() - 1)
    }

    /// A point's time in the database's precision.
    fn ticks(&self, t: PointTime, line: usize) -> Result<i64, ServerError> {
        match t {
            PointTime::Now => Ok(self.now),
            PointTime::Ticks { ticks, nanos } => {
                let per_tick = i128::from(self.db.precision.unit().nanos());
                i64::try_from(i128::from(ticks) * i128::from(nanos) / per_tick).map_err(|_| {
                    ServerError::new(
                        Code::INVALID_TIMESTAMP,
                        format!("timestamp {ticks} in line {line} is out of range"),
                    )
                })
            }
        }
    }

    /// Adds one parsed point (line `line` of the payload).
    pub fn add(&mut self, p: &Point<'a>, line: usize) -> Result<(), ServerError> {
        let ts = self.ticks(p.time, line)?;
        let si = self.stable_for(&p.measurement, line)?;
        let series = p.series;
        let cached = if series.0.is_empty() {
            None
        } else {
            self.stables[si].by_series.get(&series).copied()
        };
        let ci = match cached {
            Some(c) => c,
            None => {
                let c = self.child_for(si, p, line)?;
                if !series.0.is_empty() {
                    self.stables[si].by_series.insert(series, c);
                }
                c
            }
        };
        let st = &mut self.stables[si];
        let child = &mut st.children[ci];
        let row = child.ts.len();
        for (pos, (key, v)) in p.fields.iter().enumerate() {
            let guess = st
                .hint
                .get(pos)
                .copied()
                .filter(|&g| st.columns.get(g).is_some_and(|m| m.name == **key));
            let (idx, new) = meta_index(&mut st.columns, &mut st.col_index, key, v, line, guess)?;
            if new && (*key == *st.ts_name || st.tag_index.contains_key(&**key)) {
                return Err(duplicated(key, line));
            }
            if pos < st.hint.len() {
                st.hint[pos] = idx;
            } else {
                st.hint.push(idx);
            }
            if child.cols.len() <= idx {
                child.cols.resize_with(idx + 1, || None);
            }
            let acc = child.cols[idx].get_or_insert_with(|| ColAcc {
                builder: ColBuilder::new(&ColumnSpec::new("", v.td_type()), 16),
                len: 0,
            });
            if acc.len > row {
                return Err(duplicated(key, line));
            }
            while acc.len < row {
                acc.builder.append_null();
                acc.len += 1;
            }
            append(&mut acc.builder, v)?;
            acc.len += 1;
        }
        child.ts.push(ts);
        self.points += 1;
        Ok(())
    }

    /// Makes the schema changes the points need, then stores every row in one commit.
    pub fn finish(self, engine: &Engine) -> Result<SmlOutcome, ServerError> {
        // One schemaless request at a time from here on: the columns its batches are built
        // for are the columns the commit finds.
        let _one = write(engine.schemaless_lock());
        let db = Arc::clone(&self.db);
        let mut writes = Vec::new();
        for st in self.stables {
            let def = {
                let _ddl = engine.commit_lock().writing();
                evolve_stable(&db, &st)?
            };
            let schema = schema_of(&def.columns, db.precision)?;
            for child in st.children {
                writes.push(child_write(
                    &db,
                    &st.name,
                    &st.columns,
                    &st.tags,
                    &def,
                    &schema,
                    child,
                    self.ttl,
                )?);
            }
        }
        let rows = commit(engine.commit_lock(), writes)?;
        Ok(SmlOutcome {
            affected_rows: rows,
            total_rows: self.points,
        })
    }
}

/// Creates or extends super table `st.name` for the points: new columns and tags added,
/// longer values widening their column. Returns the definition after the changes.
fn evolve_stable(db: &Database, st: &StableAcc<'_>) -> Result<StableDef, ServerError> {
    let Some(shared) = db.stable(&st.name) else {
        if db.table(&st.name).is_ok() {
            return Err(ServerError::new(
                Code::SML_INVALID_DATA,
                format!("{} is a table, not a super table", st.name),
            ));
        }
        let mut columns = vec![ColumnSpec::new(TS_COLUMN, TdType::Timestamp)];
        columns.extend(st.columns.iter().map(ColMeta::spec));
        let def = StableDef {
            name: st.name.clone(),
            columns,
            tags: st.tags.iter().map(ColMeta::spec).collect(),
        };
        schema_of(&def.columns, db.precision)?;
        write(&db.stables).insert(st.name.clone(), Arc::new(RwLock::new(def.clone())));
        return Ok(def);
    };
    let mut def = write(&shared);
    for (metas, is_tag) in [(&st.columns, false), (&st.tags, true)] {
        for m in metas {
            let have = if is_tag { &def.tags } else { &def.columns };
            match have
                .iter()
                .find(|c| c.name == m.name)
                .map(|c| (c.ty, c.length))
            {
                Some((ty, _)) if ty != m.ty => {
                    return Err(ServerError::new(
                        Code::SML_NOT_SAME_TYPE,
                        format!(
                            "column {} is {ty}, the data gives it {} values",
                            m.name, m.ty
                        ),
                    ))
                }
                Some((ty, len)) => {
                    if ty.max_declared_length().is_some() && m.width > len as usize {
                        evolve::widen(db, &mut def, &m.name, m.width as u32, is_tag)?;
                    }
                }
                None if is_tag => evolve::add_tag(db, &mut def, m.spec())?,
                None => evolve::add_column(db, &mut def, m.spec())?,
            }
        }
    }
    Ok(def.clone())
}

/// The rows of one child table in the columns of `def`, and how to create it if it does not
/// exist.
#[allow(clippy::too_many_arguments)]
fn child_write(
    db: &Arc<Database>,
    stable: &str,
    metas: &[ColMeta],
    tag_metas: &[ColMeta],
    def: &StableDef,
    schema: &arrow::datatypes::SchemaRef,
    child: ChildAcc,
    ttl: i32,
) -> Result<TableWrite, ServerError> {
    let rows = child.ts.len();
    let mut by_name: HashMap<&str, ColAcc> = HashMap::new();
    for (i, acc) in child.cols.into_iter().enumerate() {
        if let (Some(acc), Some(m)) = (acc, metas.get(i)) {
            by_name.insert(m.name.as_str(), acc);
        }
    }
    let mut cols: Vec<ArrayRef> = Vec::with_capacity(def.columns.len());
    for (k, spec) in def.columns.iter().enumerate() {
        let f = schema.field(k);
        if k == 0 {
            let mut b = ColBuilder::new(spec, rows);
            if let ColBuilder::I64(b) = &mut b {
                b.append_slice(&child.ts);
            }
            cols.push(b.finish(f.data_type())?);
            continue;
        }
        match by_name.remove(spec.name.as_str()) {
            Some(mut acc) => {
                while acc.len < rows {
                    acc.builder.append_null();
                    acc.len += 1;
                }
                cols.push(acc.builder.finish(f.data_type())?);
            }
            None => cols.push(new_null_array(f.data_type(), rows)),
        }
    }
    let batch = RecordBatch::try_new(schema.clone(), cols).map_err(ServerError::internal)?;
    let create = match db.table(&child.name) {
        Ok(t) => match &t.child_of {
            Some((s, _)) if s == stable => None,
            _ => {
                return Err(ServerError::new(
                    Code::SML_INVALID_DATA,
                    format!(
                        "table {} exists and is not a child table of {stable}",
                        child.name
                    ),
                ))
            }
        },
        Err(_) => {
            let mut tags = Vec::with_capacity(def.tags.len());
            for spec in &def.tags {
                let v = child
                    .tags
                    .iter()
                    .find(|(ti, _)| tag_metas.get(*ti).is_some_and(|m| m.name == spec.name))
                    .map(|(_, v)| v);
                tags.push(tag_scalar(spec, v, db.precision)?);
            }
            Some(NewChild {
                stable: stable.to_owned(),
                columns: def.columns.clone(),
                schema: schema.clone(),
                tags,
                ttl_days: ttl,
            })
        }
    };
    Ok(TableWrite {
        db: Arc::clone(db),
        name: child.name,
        create,
        batch,
    })
}

/// A tag value as the catalog keeps it (NULL when the point did not give the tag).
fn tag_scalar(
    spec: &ColumnSpec,
    v: Option<&SmlValue<'_>>,
    precision: Precision,
) -> Result<ScalarValue, ServerError> {
    let f = field(spec, precision)?;
    let mut b = ColBuilder::new(spec, 1);
    match v {
        Some(v) => append(&mut b, v)?,
        None => b.append_null(),
    }
    let arr = b.finish(f.data_type())?;
    ScalarValue::try_from_array(&arr, 0).map_err(ServerError::internal)
}
