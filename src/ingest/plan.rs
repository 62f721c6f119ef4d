//! Cutting input batches into stmt2 binds: which child table each row goes to, which
//! columns feed which placeholders, and chunks of about the configured payload size.

use std::collections::HashMap;
use std::ops::Range;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch, UInt32Array};
use arrow_schema::{DataType, SchemaRef};
use taosarrow_codec::stmt2::{estimate_table_size, BindField, BindRole, TableBind};

use crate::Error;

/// Where each placeholder's values come from.
#[derive(Debug, Clone)]
pub(crate) struct Mapping {
    /// Column index in the batch for each tag field, in field order.
    tags: Vec<usize>,
    /// Column index in the batch for each column field, in field order.
    cols: Vec<usize>,
    /// Whether the statement has a `tbname` placeholder.
    has_tbname: bool,
}

impl Mapping {
    /// Matches the prepared fields to the batch columns by name (case-insensitive).
    pub fn new(fields: &[BindField], schema: &SchemaRef) -> Result<Mapping, Error> {
        let find = |name: &str| {
            schema
                .fields()
                .iter()
                .position(|f| f.name().eq_ignore_ascii_case(name))
                .ok_or_else(|| {
                    Error::Interface(format!(
                        "the data has no column `{name}` that the table needs"
                    ))
                })
        };
        let mut m = Mapping {
            tags: Vec::new(),
            cols: Vec::new(),
            has_tbname: false,
        };
        for f in fields {
            match f.role {
                BindRole::TableName => m.has_tbname = true,
                BindRole::Tag => m.tags.push(find(&f.name)?),
                BindRole::Column | BindRole::Query => m.cols.push(find(&f.name)?),
            }
        }
        Ok(m)
    }
}

/// How the child table of each row is named.
#[derive(Debug, Clone)]
pub(crate) enum Namer {
    /// One fixed table (no `tbname` placeholder).
    Fixed,
    /// The value of a string column.
    Column(usize),
    /// A template with `{column}` holes.
    Template(Vec<TemplatePart>),
}

/// A piece of a child-table name template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TemplatePart {
    Text(String),
    Column(usize),
}

/// Parses `d_{location}_{group}` against the schema; `{{` and `}}` are literal braces.
pub(crate) fn parse_template(t: &str, schema: &SchemaRef) -> Result<Vec<TemplatePart>, Error> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut name = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) => name.push(c),
                        None => {
                            return Err(Error::Interface(format!(
                                "subtable template `{t}`: unclosed `{{`"
                            )))
                        }
                    }
                }
                let idx = schema
                    .fields()
                    .iter()
                    .position(|f| f.name() == &name)
                    .ok_or_else(|| {
                        Error::Interface(format!(
                            "subtable template `{t}`: the data has no column `{name}`"
                        ))
                    })?;
                if !text.is_empty() {
                    parts.push(TemplatePart::Text(std::mem::take(&mut text)));
                }
                parts.push(TemplatePart::Column(idx));
            }
            '}' => {
                return Err(Error::Interface(format!(
                    "subtable template `{t}`: unmatched `}}`"
                )))
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        parts.push(TemplatePart::Text(text));
    }
    if !parts.iter().any(|p| matches!(p, TemplatePart::Column(_))) {
        return Err(Error::Interface(format!(
            "subtable template `{t}` names no column: every row would go to one table"
        )));
    }
    Ok(parts)
}

/// One bind + exec: the tables, and which input rows (global positions) they hold.
pub(crate) struct Chunk {
    pub tables: Vec<TableBind>,
    pub rows: u64,
    pub positions: Vec<Range<u64>>,
    /// Estimated payload bytes (an upper bound, see `estimate_table_size`).
    pub bytes: usize,
}

impl Chunk {
    fn empty() -> Chunk {
        Chunk {
            tables: Vec::new(),
            rows: 0,
            positions: Vec::new(),
            bytes: 0,
        }
    }
}

/// Splits one batch (whose first row has global position `offset`) into chunks.
pub(crate) fn chunks(
    batch: &RecordBatch,
    offset: u64,
    fields: &[BindField],
    mapping: &Mapping,
    namer: &Namer,
    fixed_name: Option<&str>,
    chunk_bytes: usize,
) -> Result<Vec<Chunk>, Error> {
    let n = batch.num_rows();
    if n == 0 {
        return Ok(Vec::new());
    }
    let groups: Vec<Group> = match namer {
        Namer::Fixed => vec![(fixed_name.map(str::to_owned), Vec::new())],
        Namer::Column(i) => match utf8_groups(batch.column(*i))? {
            Some(groups) => groups,
            None => group_rows(n, |row| string_value(batch.column(*i), row))?,
        },
        Namer::Template(parts) => group_rows(n, |row| render(parts, batch, row))?,
    };
    let mut out = Vec::new();
    let mut current = Chunk::empty();
    for (name, runs) in groups {
        // Whole batch for a fixed table; else the rows of this child table.
        let (table, positions) = match runs.as_slice() {
            [] => {
                let t = table_bind(batch, mapping, name, None)?;
                let whole: Range<u64> = offset..offset + n as u64;
                (t, vec![whole])
            }
            [run] => {
                // Rows of one table next to each other (sorted input): a zero-copy slice.
                let (first, len) = (run.start as usize, run.len());
                let t = table_bind(&batch.slice(first, len), mapping, name, None)?;
                let start = offset + u64::from(run.start);
                (t, std::iter::once(start..start + len as u64).collect())
            }
            runs => {
                let idx = UInt32Array::from_iter_values(runs.iter().flat_map(Range::clone));
                let t = table_bind(batch, mapping, name, Some(&idx))?;
                let positions = runs
                    .iter()
                    .map(|r| offset + u64::from(r.start)..offset + u64::from(r.end))
                    .collect();
                (t, positions)
            }
        };
        let size = estimate_table_size(fields, &table);
        for (piece, piece_positions, piece_size) in
            split(table, positions, size, chunk_bytes, fields)
        {
            if current.bytes > 0 && current.bytes + piece_size > chunk_bytes {
                out.push(std::mem::replace(&mut current, Chunk::empty()));
            }
            current.rows += piece.num_rows() as u64;
            current.tables.push(piece);
            current.positions.extend(piece_positions);
            current.bytes += piece_size;
        }
    }
    if current.rows > 0 {
        out.push(current);
    }
    Ok(out)
}

/// Cuts one table bind of `size` bytes into pieces of at most about `limit` bytes (by rows),
/// each with its input positions and size.
fn split(
    table: TableBind,
    positions: Vec<Range<u64>>,
    size: usize,
    limit: usize,
    fields: &[BindField],
) -> Vec<(TableBind, Vec<Range<u64>>, usize)> {
    let rows = table.num_rows();
    if size <= limit || rows <= 1 {
        return vec![(table, positions, size)];
    }
    let per_row = size.div_ceil(rows).max(1);
    let step = (limit / per_row).max(1);
    let flat: Vec<u64> = positions.iter().flat_map(|r| r.clone()).collect();
    let mut out = Vec::new();
    let mut start = 0;
    while start < rows {
        let len = step.min(rows - start);
        let piece = TableBind {
            name: table.name.clone(),
            tags: table.tags.clone(),
            columns: table.columns.iter().map(|c| c.slice(start, len)).collect(),
        };
        let pos = ranges_of(&flat[start..start + len]);
        let piece_size = estimate_table_size(fields, &piece);
        out.push((piece, pos, piece_size));
        start += len;
    }
    out
}

fn table_bind(
    batch: &RecordBatch,
    mapping: &Mapping,
    name: Option<String>,
    rows: Option<&UInt32Array>,
) -> Result<TableBind, Error> {
    let pick = |i: usize| -> Result<ArrayRef, Error> {
        let col = batch.column(i);
        match rows {
            None => Ok(col.clone()),
            Some(idx) => arrow_select::take::take(col.as_ref(), idx, None)
                .map_err(|e| Error::Interface(format!("cannot gather rows: {e}"))),
        }
    };
    let columns = mapping
        .cols
        .iter()
        .map(|&i| pick(i))
        .collect::<Result<Vec<_>, _>>()?;
    // Tags: the value of the table's first row.
    let first = rows.map_or(0, |idx| idx.value(0) as usize);
    let tags = mapping
        .tags
        .iter()
        .map(|&i| batch.column(i).slice(first, 1))
        .collect();
    Ok(TableBind {
        name: if mapping.has_tbname { name } else { None },
        tags,
        columns,
    })
}

/// The rows of one child table as ascending runs of row numbers (`None` name and no runs:
/// the fixed table, all rows).
type Group = (Option<String>, Vec<Range<u32>>);

/// Adds `row` (larger than every row already in `runs`) to the runs.
fn push_row(runs: &mut Vec<Range<u32>>, row: u32) {
    match runs.last_mut() {
        Some(r) if r.end == row => r.end = row + 1,
        _ => runs.push(row..row + 1),
    }
}

/// Groups the rows of a string column by value without allocating per row (`None` for
/// other column types). NULL and empty names are errors.
fn utf8_groups(col: &ArrayRef) -> Result<Option<Vec<Group>>, Error> {
    if let Some(row) = col
        .logical_nulls()
        .and_then(|n| n.iter().position(|valid| !valid))
    {
        return Err(Error::Interface(format!(
            "row {row}: the child-table name is NULL"
        )));
    }
    let groups = match col.data_type() {
        DataType::Utf8 => {
            let a = col.as_string::<i32>();
            group_strings(a.len(), |i| a.value(i), |_| false)
        }
        DataType::LargeUtf8 => {
            let a = col.as_string::<i64>();
            group_strings(a.len(), |i| a.value(i), |_| false)
        }
        DataType::Utf8View => {
            let a = col.as_string_view();
            let views = a.views();
            // Equal views are equal strings (same inline bytes, or same buffer range).
            group_strings(a.len(), |i| a.value(i), |i| views[i] == views[i - 1])
        }
        _ => return Ok(None),
    };
    groups.map(Some)
}

/// Groups rows `0..n` by the string `value(row)`, tables in order of first appearance.
/// `same_as_previous(row)` may answer true cheaply when row equals row - 1.
fn group_strings<'a>(
    n: usize,
    value: impl Fn(usize) -> &'a str,
    same_as_previous: impl Fn(usize) -> bool,
) -> Result<Vec<Group>, Error> {
    let mut index: HashMap<&'a str, usize> = HashMap::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut last: Option<(&'a str, usize)> = None;
    for row in 0..n {
        if let Some((_, g)) = last {
            if same_as_previous(row) {
                push_row(&mut groups[g].1, row as u32);
                continue;
            }
        }
        let name = value(row);
        if name.is_empty() {
            return Err(Error::Interface(format!(
                "row {row}: the child-table name is empty"
            )));
        }
        let g = match last {
            Some((l, g)) if l == name => g,
            _ => {
                let g = *index.entry(name).or_insert_with(|| {
                    groups.push((Some(name.to_owned()), Vec::new()));
                    groups.len() - 1
                });
                last = Some((name, g));
                g
            }
        };
        push_row(&mut groups[g].1, row as u32);
    }
    Ok(groups)
}

/// Groups row numbers by key, tables in order of first appearance.
fn group_rows(
    n: usize,
    mut key: impl FnMut(usize) -> Result<String, Error>,
) -> Result<Vec<Group>, Error> {
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut last: Option<(String, usize)> = None;
    for row in 0..n {
        let k = key(row)?;
        // Runs of the same table (sorted input) skip the hash lookup.
        let g = match &last {
            Some((lk, g)) if *lk == k => *g,
            _ => {
                let g = match index.get(&k) {
                    Some(&g) => g,
                    None => {
                        groups.push((Some(k.clone()), Vec::new()));
                        index.insert(k.clone(), groups.len() - 1);
                        groups.len() - 1
                    }
                };
                last = Some((k, g));
                g
            }
        };
        push_row(&mut groups[g].1, row as u32);
    }
    Ok(groups)
}

fn string_value(col: &ArrayRef, row: usize) -> Result<String, Error> {
    if col.is_null(row) {
        return Err(Error::Interface(format!(
            "row {row}: the child-table name is NULL"
        )));
    }
    let s = match col.data_type() {
        DataType::Utf8 => col.as_string::<i32>().value(row).to_owned(),
        DataType::LargeUtf8 => col.as_string::<i64>().value(row).to_owned(),
        DataType::Utf8View => col.as_string_view().value(row).to_owned(),
        _ => display_value(col, row)?,
    };
    if s.is_empty() {
        return Err(Error::Interface(format!(
            "row {row}: the child-table name is empty"
        )));
    }
    Ok(s)
}

fn display_value(col: &ArrayRef, row: usize) -> Result<String, Error> {
    let fmt = arrow_cast::display::ArrayFormatter::try_new(col.as_ref(), &Default::default())
        .map_err(|e| Error::Interface(format!("cannot format a child-table name: {e}")))?;
    Ok(fmt.value(row).to_string())
}

fn render(parts: &[TemplatePart], batch: &RecordBatch, row: usize) -> Result<String, Error> {
    let mut s = String::new();
    for p in parts {
        match p {
            TemplatePart::Text(t) => s.push_str(t),
            TemplatePart::Column(i) => {
                let col = batch.column(*i);
                if col.is_null(row) {
                    return Err(Error::Interface(format!(
                        "row {row}: column `{}` used in the subtable template is NULL",
                        batch.schema().field(*i).name()
                    )));
                }
                s.push_str(&display_value(col, row)?);
            }
        }
    }
    Ok(s)
}

fn ranges_of(sorted: &[u64]) -> Vec<Range<u64>> {
    let mut out: Vec<Range<u64>> = Vec::new();
    for &p in sorted {
        match out.last_mut() {
            Some(r) if r.end == p => r.end = p + 1,
            _ => out.push(p..p + 1),
        }
    }
    out
}

/// Merges ranges into a sorted, non-overlapping list.
pub(crate) fn merge(mut v: Vec<Range<u64>>) -> Vec<Range<u64>> {
    v.sort_by_key(|r| r.start);
    let mut out: Vec<Range<u64>> = Vec::new();
    for r in v {
        match out.last_mut() {
            Some(last) if last.end >= r.start => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// The parts of `0..total` not covered by `covered` (sorted, merged).
pub(crate) fn complement(covered: &[Range<u64>], total: u64) -> Vec<Range<u64>> {
    let mut out = Vec::new();
    let mut at = 0;
    for r in covered {
        if r.start > at {
            out.push(at..r.start);
        }
        at = at.max(r.end);
    }
    if at < total {
        out.push(at..total);
    }
    out
}

#[cfg(test)]
#[allow(clippy::single_range_in_vec_init)] // vectors of row ranges are the point
mod tests {
    use super::*;
    use std::sync::Arc;

    use arrow_schema::{Field, Schema};

    #[test]
    fn templates_parse() {
        let schema: SchemaRef = Arc::new(Schema::new(vec![
            Field::new("loc", DataType::Utf8, true),
            Field::new("g", DataType::Int32, true),
        ]));
        let p = parse_template("d_{loc}_{g}{{x}}", &schema).unwrap();
        assert_eq!(
            p,
            vec![
                TemplatePart::Text("d_".into()),
                TemplatePart::Column(0),
                TemplatePart::Text("_".into()),
                TemplatePart::Column(1),
                TemplatePart::Text("{x}".into()),
            ]
        );
        assert!(parse_template("d_{nope}", &schema).is_err());
        assert!(parse_template("d_{loc", &schema).is_err());
        assert!(parse_template("fixed", &schema).is_err());
    }

    #[test]
    fn string_names_group_without_copies_and_runs_are_found() {
        let col: ArrayRef = Arc::new(arrow_array::StringArray::from(vec![
            "a", "b", "a", "a", "c",
        ]));
        let groups = utf8_groups(&col).unwrap().unwrap();
        let got: Vec<(String, Vec<Range<u32>>)> =
            groups.into_iter().map(|(n, r)| (n.unwrap(), r)).collect();
        let want = vec![
            ("a".to_owned(), vec![0..1, 2..4]),
            ("b".to_owned(), vec![1..2]),
            ("c".to_owned(), vec![4..5]),
        ];
        assert_eq!(got, want);
        // The same through string views: long (out-of-line) values, equal views in runs,
        // equal strings behind different views.
        let long = |c: &str| c.repeat(20);
        let mut view = arrow_array::builder::StringViewBuilder::new();
        for v in ["a", "b", "a", "a", "c"] {
            view.append_value(long(v));
        }
        let col: ArrayRef = Arc::new(view.finish());
        let got: Vec<(String, Vec<Range<u32>>)> = utf8_groups(&col)
            .unwrap()
            .unwrap()
            .into_iter()
            .map(|(n, r)| (n.unwrap(), r))
            .collect();
        let want_long: Vec<(String, Vec<Range<u32>>)> =
            want.into_iter().map(|(n, r)| (long(&n), r)).collect();
        assert_eq!(got, want_long);
        let empty: ArrayRef = Arc::new(arrow_array::StringViewArray::from(vec!["a", ""]));
        assert!(utf8_groups(&empty).is_err());
        let nulls: ArrayRef = Arc::new(arrow_array::StringArray::from(vec![Some("a"), None]));
        assert!(utf8_groups(&nulls).is_err());
        let ints: ArrayRef = Arc::new(arrow_array::Int32Array::from(vec![1]));
        assert!(utf8_groups(&ints).unwrap().is_none());
    }

    #[test]
    fn ranges_merge_and_complement() {
        assert_eq!(ranges_of(&[10, 11, 12, 15, 16]), vec![10..13, 15..17]);
        let m = merge(vec![5..7, 0..2, 2..3, 6..9]);
        assert_eq!(m, vec![0..3, 5..9]);
        assert_eq!(complement(&m, 12), vec![3..5, 9..12]);
        assert_eq!(complement(&[], 3), vec![0..3]);
    }
}
