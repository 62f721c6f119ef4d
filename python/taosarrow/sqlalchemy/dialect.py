"""The SQLAlchemy 2 dialect ``taosarrow://user:password@host:port/db`` (and
``taosarrow+ws://`` / ``taosarrow+wss://``), over taosarrow's DB-API.

- Parameters bind server-side (stmt2, ``qmark``); ``executemany`` of an INSERT is one stmt2
  bind of all its rows.
- Reflection: schemas are databases; tables are super tables and normal tables (child tables
  are found by ``has_table`` and reflect like the others); columns come from DESCRIBE, tags
  marked with ``comment="TAG"`` and ``taosarrow_tag=True`` in the column's dialect options.
  The primary key is the first (timestamp) column.
- DDL: ``CREATE TABLE`` from ``Table`` metadata, ``CREATE STABLE … TAGS (…)`` when columns are
  tags (``Column(..., info={"tag": True})`` or the table's ``taosarrow_tags=[names]``). The
  first column must be a timestamp. No constraints, defaults or NOT NULL are written: TDengine
  has none.
- TDengine has no transactions: commit and rollback do nothing.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from sqlalchemy import exc, schema as sqlschema, types as sqltypes
from sqlalchemy.engine import default, reflection
from sqlalchemy.engine.url import URL
from sqlalchemy.sql import compiler

from . import types as tdtypes

#: Words TDengine reserves (its keyword list), quoted when used as names.
RESERVED_WORDS = {
    "aggregate", "all", "alter", "and", "as", "asc", "between", "by", "case", "cast", "column",
    "comment", "create", "database", "databases", "delete", "desc", "describe", "distinct",
    "drop", "else", "end", "event_window", "every", "exists", "explain", "fill", "first",
    "from", "function", "grant", "group", "having", "if", "in", "index", "insert", "interval",
    "into", "is", "join", "keep", "kill", "last", "last_row", "like", "limit", "match", "nchar",
    "not", "now", "null", "nmatch", "offset", "on", "or", "order", "partition", "pass",
    "precision", "range", "revoke", "select", "session", "set", "show", "sliding", "slimit",
    "soffset", "stable", "stables", "state_window", "table", "tables", "tag", "tags", "then",
    "timestamp", "to", "today", "topic", "union", "use", "user", "using", "value", "values",
    "when", "where", "window", "with",
}


class TaosIdentifierPreparer(compiler.IdentifierPreparer):
    """Quotes names with back quotes, as TDengine does."""

    reserved_words = RESERVED_WORDS

    def __init__(self, dialect: default.DefaultDialect) -> None:
        super().__init__(dialect, initial_quote="`", final_quote="`", escape_quote="`")


class TaosTypeCompiler(compiler.GenericTypeCompiler):
    """TDengine's type names in DDL."""

    def visit_TIMESTAMP(self, type_: Any, **kw: Any) -> str:
        return "TIMESTAMP"

    def visit_DATETIME(self, type_: Any, **kw: Any) -> str:
        return "TIMESTAMP"

    def visit_datetime(self, type_: Any, **kw: Any) -> str:
        return "TIMESTAMP"

    def visit_date(self, type_: Any, **kw: Any) -> str:
        return "TIMESTAMP"

    def visit_BOOL(self, type_: Any, **kw: Any) -> str:
        return "BOOL"

    def visit_boolean(self, type_: Any, **kw: Any) -> str:
        return "BOOL"

    def visit_TINYINT(self, type_: Any, **kw: Any) -> str:
        return "TINYINT"

    def visit_SMALLINT(self, type_: Any, **kw: Any) -> str:
        return "SMALLINT"

    def visit_INT(self, type_: Any, **kw: Any) -> str:
        return "INT"

    def visit_integer(self, type_: Any, **kw: Any) -> str:
        return "INT"

    def visit_small_integer(self, type_: Any, **kw: Any) -> str:
        return "SMALLINT"

    def visit_BIGINT(self, type_: Any, **kw: Any) -> str:
        return "BIGINT"

    def visit_big_integer(self, type_: Any, **kw: Any) -> str:
        return "BIGINT"

    def visit_TINYINT_UNSIGNED(self, type_: Any, **kw: Any) -> str:
        return "TINYINT UNSIGNED"

    def visit_SMALLINT_UNSIGNED(self, type_: Any, **kw: Any) -> str:
        return "SMALLINT UNSIGNED"

    def visit_INT_UNSIGNED(self, type_: Any, **kw: Any) -> str:
        return "INT UNSIGNED"

    def visit_BIGINT_UNSIGNED(self, type_: Any, **kw: Any) -> str:
        return "BIGINT UNSIGNED"

    def visit_FLOAT(self, type_: Any, **kw: Any) -> str:
        return "FLOAT"

    def visit_float(self, type_: Any, **kw: Any) -> str:
        return "DOUBLE" if (type_.precision or 0) > 24 else "FLOAT"

    def visit_DOUBLE(self, type_: Any, **kw: Any) -> str:
        return "DOUBLE"

    def visit_double(self, type_: Any, **kw: Any) -> str:
        return "DOUBLE"

    def visit_REAL(self, type_: Any, **kw: Any) -> str:
        return "FLOAT"

    def _sized(self, name: str, type_: Any, default: int) -> str:
        return f"{name}({type_.length or default})"

    def visit_VARCHAR(self, type_: Any, **kw: Any) -> str:
        return self._sized("VARCHAR", type_, 255)

    def visit_string(self, type_: Any, **kw: Any) -> str:
        return self._sized("VARCHAR", type_, 255)

    def visit_text(self, type_: Any, **kw: Any) -> str:
        return self._sized("VARCHAR", type_, 16374)

    def visit_NCHAR(self, type_: Any, **kw: Any) -> str:
        return self._sized("NCHAR", type_, 255)

    def visit_unicode(self, type_: Any, **kw: Any) -> str:
        return self._sized("NCHAR", type_, 255)

    def visit_unicode_text(self, type_: Any, **kw: Any) -> str:
        return self._sized("NCHAR", type_, 4093)

    def visit_VARBINARY(self, type_: Any, **kw: Any) -> str:
        return self._sized("VARBINARY", type_, 255)

    def visit_large_binary(self, type_: Any, **kw: Any) -> str:
        return self._sized("VARBINARY", type_, 16374)

    def visit_GEOMETRY(self, type_: Any, **kw: Any) -> str:
        return self._sized("GEOMETRY", type_, 512)

    def visit_JSON(self, type_: Any, **kw: Any) -> str:
        return "JSON"

    def visit_DECIMAL(self, type_: Any, **kw: Any) -> str:
        return f"DECIMAL({type_.precision or 18}, {type_.scale or 0})"

    def visit_numeric(self, type_: Any, **kw: Any) -> str:
        return self.visit_DECIMAL(type_)


class TaosCompiler(compiler.SQLCompiler):
    """SELECT / INSERT text as TDengine reads it."""

    def limit_clause(self, select: Any, **kw: Any) -> str:
        text = ""
        if select._limit_clause is not None:
            text += " LIMIT " + self.process(select._limit_clause, **kw)
        if select._offset_clause is not None:
            if select._limit_clause is None:
                # TDengine's OFFSET needs a LIMIT; the largest BIGINT means "all".
                text += " LIMIT 9223372036854775807"
            text += " OFFSET " + self.process(select._offset_clause, **kw)
        return text

    def visit_true(self, expr: Any, **kw: Any) -> str:
        return "true"

    def visit_false(self, expr: Any, **kw: Any) -> str:
        return "false"

    def visit_now_func(self, fn: Any, **kw: Any) -> str:
        return "NOW()"


def _is_tag(column: Any) -> bool:
    if column.info.get("tag") or column.dialect_options["taosarrow"].get("tag"):
        return True
    tags = column.table.dialect_options["taosarrow"].get("tags") or ()
    return column.name in tags


class TaosDDLCompiler(compiler.DDLCompiler):
    """CREATE TABLE / STABLE from ``Table`` metadata."""

    def visit_create_table(self, create: Any, **kw: Any) -> str:
        table = create.element
        columns = [c for c in table.columns if not _is_tag(c)]
        tags = [c for c in table.columns if _is_tag(c)]
        if not columns:
            raise exc.CompileError(f"table {table.name!r} has no data columns")
        first = columns[0].type
        if not isinstance(first, (sqltypes.DateTime, sqltypes.Date)):
            raise exc.CompileError(
                f"the first column of a TDengine table is its TIMESTAMP key: {table.name}.{columns[0].name} "
                f"is {first!r}"
            )
        prep = self.preparer
        kind = "STABLE" if tags else "TABLE"
        if_not = "IF NOT EXISTS " if create.if_not_exists else ""

        def spec(c: Any) -> str:
            return f"{prep.format_column(c)} {self.dialect.type_compiler_instance.process(c.type)}"

        text = f"\nCREATE {kind} {if_not}{prep.format_table(table)} ({', '.join(spec(c) for c in columns)})"
        if tags:
            text += f" TAGS ({', '.join(spec(c) for c in tags)})"
        comment = table.comment
        if comment:
            text += " COMMENT " + self.sql_compiler.render_literal_value(comment, sqltypes.String())
        return text + "\n\n"

    def visit_drop_table(self, drop: Any, **kw: Any) -> str:
        table = drop.element
        kind = "STABLE" if any(_is_tag(c) for c in table.columns) else "TABLE"
        if_exists = "IF EXISTS " if drop.if_exists else ""
        return f"\nDROP {kind} {if_exists}{self.preparer.format_table(table)}"

    def visit_create_index(self, create: Any, **kw: Any) -> str:
        index = create.element
        cols = list(index.columns)
        data = [c for c in index.table.columns if not _is_tag(c)]
        # The timestamp key is TDengine's index already (pandas asks for one on a
        # DataFrame's index): nothing to create, so a statement that changes nothing.
        if len(cols) == 1 and data and cols[0] is data[0]:
            return "SELECT 1"
        raise exc.CompileError(
            f"TDengine indexes a table by its timestamp key only; cannot index {index.table.name}."
            + ", ".join(c.name for c in cols)
        )

    def visit_drop_index(self, drop: Any, **kw: Any) -> str:
        return "SELECT 1"

    def visit_primary_key_constraint(self, constraint: Any, **kw: Any) -> str:
        return ""

    def visit_foreign_key_constraint(self, constraint: Any, **kw: Any) -> str:
        return ""

    def visit_unique_constraint(self, constraint: Any, **kw: Any) -> str:
        return ""

    def visit_check_constraint(self, constraint: Any, **kw: Any) -> str:
        return ""


class TaosExecutionContext(default.DefaultExecutionContext):
    """No last row id; TDengine's rowcount for writes."""

    def get_lastrowid(self) -> Optional[int]:
        return None


class TaosArrowDialect(default.DefaultDialect):
    """TDengine through taosarrow."""

    name = "taosarrow"
    driver = "taosarrow"
    supports_statement_cache = True
    default_paramstyle = "qmark"
    supports_native_decimal = True
    supports_native_boolean = True
    supports_unicode_statements = True
    supports_unicode_binds = True
    supports_alter = False
    supports_sequences = False
    supports_default_values = False
    supports_empty_insert = False
    supports_multivalues_insert = False
    use_insertmanyvalues = False
    postfetch_lastrowid = False
    implicit_returning = False
    full_returning = False
    insert_returning = False
    update_returning = False
    delete_returning = False
    supports_comments = True
    inline_comments = True
    requires_name_normalize = False
    max_identifier_length = 192
    preparer = TaosIdentifierPreparer
    type_compiler_cls = TaosTypeCompiler
    statement_compiler = TaosCompiler
    ddl_compiler = TaosDDLCompiler
    execution_ctx_cls = TaosExecutionContext
    construct_arguments = [
        (sqlschema.Table, {"tags": None}),
        (sqlschema.Column, {"tag": False}),
    ]
    colspecs = {
        sqltypes.DateTime: tdtypes.TIMESTAMP,
    }

    @classmethod
    def import_dbapi(cls) -> Any:
        import taosarrow

        return taosarrow

    def create_connect_args(self, url: URL) -> Tuple[List[Any], Dict[str, Any]]:
        """``(args, kwargs)`` for ``taosarrow.connect`` from the URL: host, port, user,
        password, database, and every query parameter as an option. Nanosecond timestamps come
        back as exact ``pandas.Timestamp`` (``ns_timestamps=pandas``) unless the URL says
        otherwise."""
        opts: Dict[str, Any] = {k: v for k, v in url.query.items()}
        if url.host:
            opts["host"] = url.host
        if url.port:
            opts["port"] = url.port
        if url.username is not None:
            opts["user"] = url.username
        if url.password is not None:
            opts["password"] = url.password
        if url.database:
            opts["database"] = url.database
        driver = url.get_driver_name()
        if driver in ("wss", "ws"):
            opts.setdefault("websocket", driver)
        opts.setdefault("ns_timestamps", "pandas")
        return [], opts

    def do_rollback(self, dbapi_connection: Any) -> None:
        """TDengine has no transactions."""

    def do_commit(self, dbapi_connection: Any) -> None:
        """TDengine has no transactions."""

    def do_ping(self, dbapi_connection: Any) -> bool:
        cur = dbapi_connection.cursor()
        try:
            cur.execute("SELECT SERVER_STATUS()")
            cur.fetchall()
        finally:
            cur.close()
        return True

    def _get_server_version_info(self, connection: Any) -> Tuple[int, ...]:
        raw = connection.exec_driver_sql("SELECT SERVER_VERSION()").scalar() or ""
        parts = []
        for p in str(raw).split("."):
            if not p.isdigit():
                break
            parts.append(int(p))
        return tuple(parts)

    def _get_default_schema_name(self, connection: Any) -> Optional[str]:
        try:
            return connection.exec_driver_sql("SELECT DATABASE()").scalar()
        except exc.DBAPIError:
            return None

    def is_disconnect(self, e: Exception, connection: Any, cursor: Any) -> bool:
        import taosarrow

        return isinstance(e, taosarrow.ConnectionError)

    def _schema(self, connection: Any, schema: Optional[str]) -> str:
        name = schema or self.default_schema_name or self._get_default_schema_name(connection)
        if not name:
            raise exc.InvalidRequestError("no database: give a schema or a database in the URL")
        return name

    def _names(self, connection: Any, sql: str) -> List[str]:
        return [row[0] for row in connection.exec_driver_sql(sql)]

    @reflection.cache
    def get_schema_names(self, connection: Any, **kw: Any) -> List[str]:
        return self._names(connection, "SHOW DATABASES")

    @reflection.cache
    def get_table_names(self, connection: Any, schema: Optional[str] = None, **kw: Any) -> List[str]:
        """Super tables and normal tables (child tables are many and have their super table's
        columns; ``has_table`` and ``get_columns`` take them too)."""
        db = self.identifier_preparer.quote_identifier(self._schema(connection, schema))
        return self._names(connection, f"SHOW {db}.STABLES") + self._names(connection, f"SHOW NORMAL {db}.TABLES")

    @reflection.cache
    def get_view_names(self, connection: Any, schema: Optional[str] = None, **kw: Any) -> List[str]:
        return []

    def has_table(self, connection: Any, table_name: str, schema: Optional[str] = None, **kw: Any) -> bool:
        db = self._schema(connection, schema)
        for sys_table, col in (("ins_stables", "stable_name"), ("ins_tables", "table_name")):
            rows = connection.exec_driver_sql(
                f"SELECT {col} FROM information_schema.{sys_table} WHERE db_name = ? AND {col} = ?",
                (db, table_name),
            ).fetchall()
            if rows:
                return True
        return False

    def _precision(self, connection: Any, db: str) -> Optional[str]:
        rows = connection.exec_driver_sql(
            "SELECT `precision` FROM information_schema.ins_databases WHERE name = ?", (db,)
        ).fetchall()
        return rows[0][0] if rows else None

    @reflection.cache
    def get_columns(
        self, connection: Any, table_name: str, schema: Optional[str] = None, **kw: Any
    ) -> List[Dict[str, Any]]:
        db = self._schema(connection, schema)
        prep = self.identifier_preparer
        if not self.has_table(connection, table_name, schema=db):
            raise exc.NoSuchTableError(table_name)
        precision = self._precision(connection, db)
        rows = connection.exec_driver_sql(
            f"DESCRIBE {prep.quote_identifier(db)}.{prep.quote_identifier(table_name)}"
        ).fetchall()
        out = []
        for k, row in enumerate(rows):
            name, type_name, length, note = row[0], row[1], row[2], row[3]
            is_tag = (note or "").strip().upper() == "TAG"
            out.append(
                {
                    "name": name,
                    "type": tdtypes.resolve_type(type_name, length, precision),
                    "nullable": k != 0,
                    "default": None,
                    "autoincrement": False,
                    "comment": "TAG" if is_tag else None,
                    "dialect_options": {"taosarrow_tag": True} if is_tag else {},
                }
            )
        return out

    @reflection.cache
    def get_pk_constraint(
        self, connection: Any, table_name: str, schema: Optional[str] = None, **kw: Any
    ) -> Dict[str, Any]:
        cols = self.get_columns(connection, table_name, schema=schema, **kw)
        return {"constrained_columns": [cols[0]["name"]] if cols else [], "name": None}

    def get_foreign_keys(self, connection: Any, table_name: str, schema: Optional[str] = None, **kw: Any) -> List[Any]:
        return []

    def get_indexes(self, connection: Any, table_name: str, schema: Optional[str] = None, **kw: Any) -> List[Any]:
        return []

    def get_unique_constraints(self, connection: Any, table_name: str, schema: Optional[str] = None, **kw: Any) -> List[Any]:
        return []

    def get_check_constraints(self, connection: Any, table_name: str, schema: Optional[str] = None, **kw: Any) -> List[Any]:
        return []

    def get_table_comment(self, connection: Any, table_name: str, schema: Optional[str] = None, **kw: Any) -> Dict[str, Any]:
        return {"text": None}
