//! Prepared statements (stmt2): the placeholders of an INSERT, appending bound Arrow
//! columns straight to storage (no SQL text per row), and queries with `?` parameters.
//!
//! INSERT forms understood (`?` only, no literals mixed in):
//! * `INSERT INTO ? USING stb [(tags…)] TAGS (?, …) [(cols…)] VALUES (?, …)`
//! * `INSERT INTO tb [USING stb [(tags…)] TAGS (?, …)] [(cols…)] VALUES (?, …)`
//! * `INSERT INTO stb (tbname, tag…, col…) VALUES (?, …)` (a super table with `tbname`)
//! * `INSERT INTO [db.]? [(cols…)] VALUES (?, …)` (a normal or existing child table named
//!   when binding; see [`InsertPlan::for_table`])

mod plan;

use std::sync::Arc;

use arrow::array::{new_null_array, Array, ArrayRef, AsArray, RecordBatch};
use arrow::compute::cast;
use arrow::datatypes::{DataType, SchemaRef};
use datafusion::scalar::ScalarValue;
use taosarrow_codec::stmt2::{BindField, BindRole, ParsedTable};
use taosarrow_codec::{timestamp_ticks, ColumnSpec};
use taosarrow_protocol::time::rfc3339_utc;
use taosarrow_protocol::{quote_literal, Code, Precision};

use super::catalog::{read, schema_of, table_not_exist, Catalog, Database, StableDef};
use super::commit::{commit, CommitLock, NewChild, TableWrite};
use super::lexer::tokenize;
use super::{Engine, Session};
use crate::ServerError;

/// What a prepared SQL is.
#[derive(Debug, Clone)]
pub enum Prepared {
    /// An INSERT: its placeholders and where their values go.
    Insert(InsertPlan),
    /// A query with `params` placeholders, run by substituting the bound values.
    Query {
        /// The SQL as prepared.
        sql: String,
        /// Byte offsets of the `?` placeholders.
        marks: Vec<usize>,
    },
}

/// Where the rows of a prepared INSERT go.
#[derive(Debug, Clone)]
pub struct InsertPlan {
    /// The database of the table; for `INSERT INTO ? VALUES` the current one, if any (the
    /// bound name may give another).
    db: Option<Arc<Database>>,
    /// The table named in the SQL, or `None` when it is bound (`?` / `tbname`).
    table: Option<String>,
    /// The super table for auto-creation.
    stable: Option<String>,
    /// The placeholders, in order.
    pub fields: Vec<BindField>,
    /// For each tag field: its index among the super table's tags.
    tag_index: Vec<usize>,
    /// For each column field: its index among the table's columns.
    col_index: Vec<usize>,
    /// `INSERT INTO ? [(cols…)] VALUES (?, …)`: the columns are the bound table's, known
    /// once it is named; the only field until then is `tbname`.
    open: Option<OpenTable>,
    /// The engine's commit lock, taken by [`InsertPlan::write`].
    commit: Arc<CommitLock>,
    /// The session's time zone when prepared: how a time string bound to a TIMESTAMP
    /// column is read.
    tz: Option<chrono_tz::Tz>,
}

/// What `INSERT INTO ? [(cols…)] VALUES (?, …)` says of the columns of its table.
#[derive(Debug, Clone)]
struct OpenTable {
    /// The column list, if any.
    listed: Option<Vec<String>>,
    /// The number of VALUES placeholders.
    n: usize,
    /// Where a `db.table` name is looked up.
    catalog: Arc<Catalog>,
    /// Who may write the table named later.
    guard: super::users::WriteGuard,
}

/// The syntax error for a form prepared statements do not take.
fn unsupported_stmt(what: &str) -> ServerError {
    ServerError::new(
        Code::PAR_SYNTAX_ERROR,
        format!("syntax error: {what} is not supported in a prepared statement"),
    )
}

/// Prepares `sql` for `session`.
pub fn prepare(e: &Engine, s: &Session, sql: &str) -> Result<Prepared, ServerError> {
    let sql = sql.trim().trim_end_matches(';').trim_end();
    let toks = tokenize(sql)?;
    e.limits().check(sql, &toks)?;
    let first = toks.first().ok_or_else(|| ServerError::syntax(sql))?;
    if !first.is_kw("INSERT") {
        let marks = toks
            .iter()
            .filter(|t| t.is_punct("?"))
            .map(|t| t.pos)
            .collect();
        return Ok(Prepared::Query {
            sql: sql.to_owned(),
            marks,
        });
    }
    plan::insert(e, s, sql, &toks).map(Prepared::Insert)
}

impl InsertPlan {
    /// The database of the table (always known once the table is).
    fn db(&self) -> Result<&Arc<Database>, ServerError> {
        self.db
            .as_ref()
            .ok_or_else(|| ServerError::from_code(Code::PAR_DB_NOT_SPECIFIED))
    }

    /// Whether the table is named only when binding (`INSERT INTO ? VALUES (?, …)` without
    /// `USING`), so the columns are known only then.
    pub fn is_open(&self) -> bool {
        self.open.is_some()
    }

    /// For `INSERT INTO ? [(cols…)] VALUES (?, …)`: the number of VALUES placeholders.
    pub fn open_marks(&self) -> Option<usize> {
        self.open.as_ref().map(|o| o.n)
    }

    /// For `INSERT INTO ? [(cols…)] VALUES (?, …)`: the plan for the table `name` (`tb` or
    /// `db.tb`, a normal or existing child table; a super table or a table that does not
    /// exist is an error), whose fields are `tbname` and that table's columns bound. Any
    /// other plan names its table already and is returned as it is.
    pub fn for_table(&self, name: &str) -> Result<InsertPlan, ServerError> {
        match &self.open {
            Some(open) => plan::named(self, open, name),
            None => Ok(self.clone()),
        }
    }

    /// For an open plan, the plan of the table `t` names.
    fn of_bound(&self, t: &ParsedTable) -> Result<InsertPlan, ServerError> {
        let name = t.name.as_deref().ok_or_else(|| {
            ServerError::new(Code::TSC_STMT_TBNAME_ERROR, "Stmt table name not set")
        })?;
        self.for_table(name)
    }

    /// Checks bound tables before they are kept: names, declared lengths, a NULL primary
    /// timestamp (see [`super::bind::validate`]).
    pub fn validate(&self, tables: &[ParsedTable]) -> Result<(), ServerError> {
        if self.is_open() {
            for t in tables {
                self.of_bound(t)?.validate(std::slice::from_ref(t))?;
            }
            return Ok(());
        }
        let ts = self.col_index.iter().position(|&k| k == 0);
        super::bind::validate(&self.fields, tables, ts)
    }

    /// The column specs of the tags (`get_tag_fields`) and columns (`get_col_fields`) bound
    /// by this statement, in placeholder order.
    pub fn bound_fields(&self, role: BindRole) -> Vec<BindField> {
        self.fields
            .iter()
            .filter(|f| f.role == role)
            .cloned()
            .collect()
    }

    /// Appends the bound tables; returns the rows written. Child tables that do not exist
    /// are created from the super table with the bound tag values. All-or-nothing: every
    /// table is checked and its rows built first, then all are written in one commit, so a
    /// failure on any table stores nothing and no reader sees part of the exec.
    pub fn write(&self, tables: &[ParsedTable]) -> Result<u64, ServerError> {
        if self.is_open() {
            // Each bound table with the plan of its own columns, all in one commit.
            let writes = tables
                .iter()
                .map(|t| self.of_bound(t)?.table_write(t, &mut None))
                .collect::<Result<Vec<_>, _>>()?;
            return commit(&self.commit, writes);
        }
        // Every target is checked before the first row is built.
        for t in tables {
            self.check_target(&self.target_name(t)?)?;
        }
        let mut template = None;
        let writes = tables
            .iter()
            .map(|t| self.table_write(t, &mut template))
            .collect::<Result<Vec<_>, _>>()?;
        commit(&self.commit, writes)
    }

    /// The super table's definition and Arrow schema, read once per exec for the child
    /// tables it creates.
    fn child_template(&self, sname: &str) -> Result<ChildTemplate, ServerError> {
        let db = self.db()?;
        let st = db.stable(sname).ok_or_else(|| table_not_exist(sname))?;
        let def = read(&st).clone();
        let schema = schema_of(&def.columns, db.precision)?;
        Ok(ChildTemplate { def, schema })
    }

    /// An existing table bound through a super table must be one of its children.
    fn check_target(&self, name: &str) -> Result<(), ServerError> {
        let (Some(stable), Ok(tb)) = (&self.stable, self.db()?.table(name)) else {
            return Ok(());
        };
        match &tb.child_of {
            Some((parent, _)) if parent.eq_ignore_ascii_case(stable) => Ok(()),
            _ => Err(ServerError::new(
                Code::TSC_INVALID_OPERATION,
                format!("Table {name} already exists in other stables or is not a child table of {stable}"),
            )),
        }
    }

    fn target_name(&self, t: &ParsedTable) -> Result<String, ServerError> {
        match (&self.table, &t.name) {
            (Some(n), _) => Ok(n.clone()),
            (None, Some(n)) => bare_name(n, &self.db()?.name),
            (None, None) => Err(ServerError::new(
                Code::PAR_INVALID_IDENTIFIER_NAME,
                "table name missing in the bind",
            )),
        }
    }

    /// The rows of one bound table in its stored columns (the super table's for a child
    /// table to create), and how to create it. The commit checks the columns again under its
    /// lock, so an ALTER in between is an error, not a misplaced column.
    fn table_write(
        &self,
        t: &ParsedTable,
        template: &mut Option<ChildTemplate>,
    ) -> Result<TableWrite, ServerError> {
        let name = self.target_name(t)?;
        let db = self.db()?;
        let (schema, create) = match db.table(&name) {
            Ok(tb) => (read(&tb.data).schema().clone(), None),
            Err(e) => {
                let Some(sname) = &self.stable else {
                    return Err(e);
                };
                let template = match template {
                    Some(c) => c,
                    None => template.insert(self.child_template(sname)?),
                };
                let mut tags: Vec<ScalarValue> = template
                    .def
                    .tags
                    .iter()
                    .map(|spec| null_scalar(spec, db.precision))
                    .collect::<Result<_, _>>()?;
                for (arr, &k) in t.tags.iter().zip(&self.tag_index) {
                    tags[k] = ScalarValue::try_from_array(arr.as_ref(), 0)
                        .map_err(ServerError::internal)?;
                }
                let child = NewChild {
                    ttl_days: 0,
                    stable: sname.clone(),
                    columns: template.def.columns.clone(),
                    schema: template.schema.clone(),
                    tags,
                };
                (child.schema.clone(), Some(child))
            }
        };
        let rows = t.num_rows();
        let mut bound: Vec<Option<ArrayRef>> = vec![None; schema.fields().len()];
        for (arr, &k) in t.columns.iter().zip(&self.col_index) {
            let field = schema
                .fields()
                .get(k)
                .ok_or_else(|| table_not_exist(&name))?;
            let want = field.data_type();
            bound[k] = Some(if arr.data_type() == want {
                arr.clone()
            } else if matches!(want, DataType::Timestamp(..)) && is_text(arr.data_type()) {
                time_strings(arr, want, db.precision, self.tz)?
            } else {
                cast(arr.as_ref(), want).map_err(ServerError::internal)?
            });
        }
        // Columns the statement does not bind are NULL.
        let arrays: Vec<ArrayRef> = bound
            .into_iter()
            .zip(schema.fields())
            .map(|(a, f)| a.unwrap_or_else(|| new_null_array(f.data_type(), rows)))
            .collect();
        if arrays.first().is_none_or(|ts| ts.null_count() > 0) {
            return Err(ServerError::new(
                Code::PAR_INCORRECT_TIMESTAMP_VAL,
                "Timestamp data out of range: the primary timestamp cannot be NULL",
            ));
        }
        let batch = RecordBatch::try_new(schema, arrays).map_err(ServerError::internal)?;
        Ok(TableWrite {
            db: Arc::clone(db),
            name,
            create,
            batch,
        })
    }
}

/// What creating a child table on demand needs from its super table.
struct ChildTemplate {
    def: StableDef,
    schema: SchemaRef,
}

fn null_scalar(spec: &ColumnSpec, p: Precision) -> Result<ScalarValue, ServerError> {
    let schema = schema_of(std::slice::from_ref(spec), p)?;
    ScalarValue::try_from(schema.field(0).data_type()).map_err(ServerError::internal)
}

/// A bound table name, `db.table` or `table`: the database named, if any, and the table.
/// Backticks are dropped; unquoted names are lower-cased. Empty parts are an error.
fn split_name(name: &str) -> Result<(Option<String>, String), ServerError> {
    let name = name.trim();
    let (d, t) = match name.split_once('.') {
        Some((d, t)) => (Some(d), t),
        None => (None, name),
    };
    let clean = |s: &str| {
        let bare = s.trim().trim_matches('`').trim();
        if s.contains('`') {
            bare.to_owned()
        } else {
            bare.to_ascii_lowercase()
        }
    };
    let (d, t) = (d.map(clean), clean(t));
    if t.is_empty() || d.as_deref().is_some_and(str::is_empty) {
        return Err(ServerError::new(
            Code::PAR_INVALID_IDENTIFIER_NAME,
            "Invalid identifier name: empty table name",
        ));
    }
    Ok((d, t))
}

/// `db.table` or `table` → `table` (the database must be the statement's).
fn bare_name(name: &str, db: &str) -> Result<String, ServerError> {
    match split_name(name)? {
        (Some(d), _) if !d.eq_ignore_ascii_case(db) => {
            Err(unsupported_stmt("a child table in another database"))
        }
        (_, t) => Ok(t),
    }
}

/// Renders bound query parameters into the SQL in place of the `?` marks.
pub fn substitute(sql: &str, marks: &[usize], params: &[ArrayRef]) -> Result<String, ServerError> {
    if marks.len() != params.len() {
        return Err(ServerError::new(
            Code::PAR_INCORRECT_NUM_OF_COL,
            format!(
                "{} parameter(s) expected, {} bound",
                marks.len(),
                params.len()
            ),
        ));
    }
    let mut out = String::with_capacity(sql.len() + 16 * params.len());
    let mut at = 0;
    for (&pos, p) in marks.iter().zip(params) {
        let before = sql.get(at..pos).ok_or_else(|| bad_mark(pos))?;
        out.push_str(before);
        let lit = literal(p)?;
        // A negative number right after `-` would make `--`, a comment.
        if lit.starts_with('-') && out.ends_with('-') {
            out.push(' ');
        }
        out.push_str(&lit);
        at = pos + 1;
    }
    out.push_str(sql.get(at..).ok_or_else(|| bad_mark(at))?);
    Ok(out)
}

/// A placeholder offset that is not a `?` of the prepared text.
fn bad_mark(pos: usize) -> ServerError {
    ServerError::internal(format!("placeholder offset {pos} is not in the statement"))
}

/// True for the Arrow types a VARCHAR / NCHAR bind arrives as.
fn is_text(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// Time strings bound to a TIMESTAMP column (Arrow type `want`, ticks of `p`): read as
/// TDengine reads them in SQL, those without an offset in the connection's zone `tz`.
fn time_strings(
    a: &ArrayRef,
    want: &DataType,
    p: Precision,
    tz: Option<chrono_tz::Tz>,
) -> Result<ArrayRef, ServerError> {
    let text = cast(a.as_ref(), &DataType::Utf8).map_err(ServerError::internal)?;
    let text = text.as_string::<i32>();
    let mut ticks = Vec::with_capacity(text.len());
    for v in text.iter() {
        ticks.push(match v {
            Some(s) => Some(super::time::parse_time_string(s, p, tz)?),
            None => None,
        });
    }
    let ticks = arrow::array::Int64Array::from(ticks);
    cast(&ticks, want).map_err(ServerError::internal)
}

/// One value as a SQL literal.
fn literal(a: &ArrayRef) -> Result<String, ServerError> {
    if a.len() != 1 {
        return Err(ServerError::protocol("query only supports one row"));
    }
    if a.is_null(0) {
        return Ok("NULL".to_owned());
    }
    Ok(match a.data_type() {
        DataType::Utf8 => quote_literal(a.as_string::<i32>().value(0)),
        DataType::LargeUtf8 => quote_literal(a.as_string::<i64>().value(0)),
        DataType::Binary | DataType::LargeBinary => {
            let bytes: &[u8] = match a.data_type() {
                DataType::Binary => a.as_binary::<i32>().value(0),
                _ => a.as_binary::<i64>().value(0),
            };
            format!("'\\x{}'", taosarrow_protocol::hex::encode(bytes))
        }
        DataType::Timestamp(..) => {
            let text = timestamp_ticks(a.as_ref(), 0)
                .and_then(|(ticks, unit)| rfc3339_utc(ticks, unit))
                .ok_or_else(|| ServerError::from_code(Code::INVALID_TIMESTAMP))?;
            format!("'{text}'")
        }
        _ => {
            let s = ScalarValue::try_from_array(a.as_ref(), 0).map_err(ServerError::internal)?;
            match s {
                ScalarValue::Boolean(Some(b)) => b.to_string(),
                other => other.to_string(),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, Float64Array, Int32Array, StringArray};

    use super::substitute;

    fn marks(sql: &str) -> Vec<usize> {
        sql.match_indices('?').map(|(k, _)| k).collect()
    }

    #[test]
    fn a_negative_parameter_after_minus_is_not_a_comment() {
        let params: Vec<ArrayRef> = vec![
            Arc::new(Int32Array::from(vec![-1])),
            Arc::new(Float64Array::from(vec![-2.5])),
            Arc::new(StringArray::from(vec!["x"])),
        ];
        let sql = "select v -? from t where w = 1-? and s = ?";
        let out = substitute(sql, &marks(sql), &params).unwrap();
        assert_eq!(out, "select v - -1 from t where w = 1- -2.5 and s = 'x'");
        assert!(!out.contains("--"));
        let sql = "select v - ? from t where w = ?-1 and s = ?";
        let out = substitute(sql, &marks(sql), &params).unwrap();
        assert_eq!(out, "select v - -1 from t where w = -2.5-1 and s = 'x'");
    }

    #[test]
    fn marks_outside_the_text_are_an_error() {
        let params: Vec<ArrayRef> = vec![Arc::new(Int32Array::from(vec![1]))];
        assert!(substitute("select ?", &[99], &params).is_err());
    }
}
