//! TDengine error codes as they travel on the wire (`overview.md` §6–§7).
//!
//! TDengine's int32 codes are sent masked to their low 16 bits; [`Code`] holds that masked
//! value. Client-side codes (`0xE000…`) are never sent by a server.

use std::fmt;

/// A TDengine error code, masked to 16 bits as on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code(pub u16);

macro_rules! codes {
    ($( $(#[$doc:meta])* $name:ident = $value:expr, $msg:expr; )*) => {
        impl Code {
            $( $(#[$doc])* pub const $name: Code = Code($value); )*

            /// TDengine's built-in message for this code (`terror.c`), if it is one we know.
            pub fn default_message(self) -> Option<&'static str> {
                match self.0 {
                    $( $value => Some($msg), )*
                    _ => None,
                }
            }

            /// The TDengine constant name without its `TSDB_CODE_` prefix, if known.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $value => Some(stringify!($name)), )*
                    _ => None,
                }
            }
        }
    };
}

codes! {
    /// Success.
    SUCCESS = 0x0000, "success";
    /// taosd unreachable.
    RPC_NETWORK_UNAVAIL = 0x000B, "Unable to establish connection";
    /// Connection to taosd lost.
    RPC_BROKEN_LINK = 0x0018, "Conn is broken";
    /// Read timeout.
    RPC_TIMEOUT = 0x0019, "Conn read timeout";
    /// Too many sessions: the server's connection, result or statement limit is reached.
    RPC_MAX_SESSIONS = 0x0022, "rpc open too many session";
    /// A message or a bind exceeds a size limit.
    RPC_MSG_EXCCED_LIMIT = 0x002B, "msg exceed limit";
    /// Operation not supported.
    OPS_NOT_SUPPORT = 0x0100, "Operation not supported";
    /// Out of memory.
    OUT_OF_MEMORY = 0x0102, "Out of Memory";
    /// Unexpected generic error.
    APP_ERROR = 0x0110, "Unexpected generic error";
    /// Invalid parameters.
    INVALID_PARA = 0x0118, "Invalid parameters";
    /// Invalid timestamp format.
    INVALID_TIMESTAMP = 0x0127, "Invalid timestamp format";
    /// Invalid operation.
    TSC_INVALID_OPERATION = 0x0200, "Invalid operation";
    /// An empty or unparsable value (schemaless field values).
    TSC_INVALID_VALUE = 0x0203, "Invalid value";
    /// Invalid user name.
    TSC_INVALID_USER_LENGTH = 0x0207, "Invalid user name";
    /// Invalid password.
    TSC_INVALID_PASS_LENGTH = 0x0208, "Invalid password";
    /// Database name too long.
    TSC_INVALID_DB_LENGTH = 0x0209, "Database name too long";
    /// Table name empty or too long (schemaless measurement or metric).
    TSC_INVALID_TABLE_ID_LENGTH = 0x020A, "Table name too long";
    /// Invalid connection.
    TSC_INVALID_CONNECTION = 0x020B, "Invalid connection";
    /// Disconnected from service.
    TSC_DISCONNECTED = 0x0213, "Disconnected from service";
    /// Client-side SQL syntax error (rare in 3.x; the parser uses `PAR_SYNTAX_ERROR`).
    TSC_SQL_SYNTAX_ERROR = 0x0216, "Syntax error in SQL";
    /// No database selected.
    TSC_DB_NOT_SELECTED = 0x0217, "Database not specified or available";
    /// SQL statement too long.
    TSC_EXCEED_SQL_LIMIT = 0x0219, "SQL statement too long";
    /// Schemaless line syntax error.
    TSC_LINE_SYNTAX_ERROR = 0x021B, "Syntax error in Line";
    /// Column or tag name empty or too long (schemaless keys).
    TSC_INVALID_COLUMN_LENGTH = 0x021F, "Invalid column length";
    /// Invalid JSON (schemaless JSON protocol).
    TSC_INVALID_JSON = 0x0221, "Invalid JSON format";
    /// Unsupported `type` of a typed JSON value (schemaless JSON protocol).
    TSC_INVALID_JSON_TYPE = 0x0222, "Invalid JSON data type";
    /// Value out of range.
    TSC_VALUE_OUT_OF_RANGE = 0x0224, "Value out of range";
    /// A statement API call out of order (e.g. exec before bind).
    TSC_STMT_API_ERROR = 0x022A, "Stmt API usage error";
    /// A prepared statement needs its table name first (`INSERT INTO ? VALUES …`).
    TSC_STMT_TBNAME_ERROR = 0x022B, "Stmt table name not set";
    /// Query killed.
    TSC_QUERY_KILLED = 0x022D, "Query killed";
    /// SHOW CREATE STABLE of a table that is not a super table.
    TSC_NOT_STABLE_ERROR = 0x022F, "Table is not a super table";
    /// Internal client error.
    TSC_INTERNAL_ERROR = 0x02FF, "Internal error";
    /// Insufficient privilege.
    MND_NO_RIGHTS = 0x0303, "Insufficient privilege for operation";
    /// KILL QUERY with an id that is not `conn:query`.
    MND_INVALID_QUERY_ID = 0x030C, "Invalid query id";
    /// KILL of a connection that does not exist.
    MND_INVALID_CONN_ID = 0x030E, "Invalid connection id";
    /// Login as a disabled user.
    MND_USER_DISABLED = 0x0315, "User is disabled";
    /// CREATE USER of a name that exists.
    MND_USER_ALREADY_EXIST = 0x0350, "User already exists";
    /// Invalid user.
    MND_USER_NOT_EXIST = 0x0351, "Invalid user";
    /// An empty user name.
    MND_INVALID_USER_FORMAT = 0x0352, "Invalid user format";
    /// A password that is too weak or too long.
    MND_INVALID_PASS_FORMAT = 0x0353, "Invalid password format";
    /// Wrong user or password.
    MND_AUTH_FAILURE = 0x0357, "Authentication failure";
    /// Super table already exists.
    MND_STB_ALREADY_EXIST = 0x0360, "STable already exists";
    /// Super table does not exist.
    MND_STB_NOT_EXIST = 0x0362, "STable not exist";
    /// Tag already exists.
    MND_TAG_ALREADY_EXIST = 0x0369, "Tag already exists";
    /// Tag does not exist.
    MND_TAG_NOT_EXIST = 0x036A, "Tag does not exist";
    /// Column already exists.
    MND_COLUMN_ALREADY_EXIST = 0x036B, "Column already exists";
    /// Column does not exist.
    MND_COLUMN_NOT_EXIST = 0x036C, "Column does not exist";
    /// No database selected (management node).
    MND_DB_NOT_SELECTED = 0x0380, "Database not specified or available";
    /// Database already exists.
    MND_DB_ALREADY_EXIST = 0x0381, "Database already exists";
    /// Invalid database options.
    MND_INVALID_DB_OPTION = 0x0382, "Invalid database options";
    /// Invalid database name.
    MND_INVALID_DB = 0x0383, "Invalid database name";
    /// Database does not exist.
    MND_DB_NOT_EXIST = 0x0388, "Database not exist";
    /// An ALTER of a super table that its schema does not allow (dropping the timestamp or
    /// the last tag).
    MND_INVALID_STB_ALTER_OPTION = 0x03C2, "Invalid stable alter options";
    /// A topic of that name exists.
    MND_TOPIC_ALREADY_EXIST = 0x03E0, "Topic already exists";
    /// No topic of that name.
    MND_TOPIC_NOT_EXIST = 0x03E1, "Topic not exist";
    /// More topics than the server allows.
    MND_TOO_MANY_TOPICS = 0x03E2, "Too many Topics";
    /// A topic definition that names no valid source.
    MND_INVALID_TOPIC = 0x03E3, "Invalid topic";
    /// A topic query with aggregates, windows or other unsupported clauses.
    MND_INVALID_TOPIC_QUERY = 0x03E4, "Topic with invalid query";
    /// An unknown or invalid topic option.
    MND_INVALID_TOPIC_OPTION = 0x03E5, "Topic with invalid option";
    /// No consumer of that id.
    MND_CONSUMER_NOT_EXIST = 0x03E6, "Consumer not exist";
    /// No subscription of that group on that topic.
    MND_SUBSCRIBE_NOT_EXIST = 0x03E8, "Subcribe not exist";
    /// DROP TOPIC while a consumer is subscribed (without FORCE).
    MND_TOPIC_SUBSCRIBED = 0x03EB, "Topic subscribed cannot be dropped";
    /// DROP CONSUMER GROUP while a consumer of it is subscribed (without FORCE).
    MND_CGROUP_USED = 0x03EC, "Consumer group being used by some consumer";
    /// DROP DATABASE or DROP STABLE while a topic reads it.
    MND_TOPIC_MUST_BE_DELETED = 0x03ED, "Topic must be dropped first";
    /// A subscribe option with an invalid value.
    MND_INVALID_SUB_OPTION = 0x03EE, "Invalid subscribe option";
    /// Table already exists.
    TDB_TABLE_ALREADY_EXIST = 0x0603, "Table already exists";
    /// Timestamp outside the database's range.
    TDB_TIMESTAMP_OUT_OF_RANGE = 0x060B, "Timestamp data out of range";
    /// Table does not exist (storage layer).
    TDB_TABLE_NOT_EXIST = 0x0618, "Table not exists";
    /// Invalid query handle.
    QRY_INVALID_QHANDLE = 0x0700, "Invalid handle";
    /// SQL syntax error (`syntax error near "…"`).
    PAR_SYNTAX_ERROR = 0x2600, "syntax error near";
    /// Incomplete SQL statement.
    PAR_INCOMPLETE_SQL = 0x2601, "Incomplete SQL statement";
    /// Invalid column name.
    PAR_INVALID_COLUMN = 0x2602, "Invalid column name";
    /// Table does not exist (parser).
    PAR_TABLE_NOT_EXIST = 0x2603, "Table does not exist";
    /// Column ambiguously defined.
    PAR_AMBIGUOUS_COLUMN = 0x2604, "Column ambiguously defined";
    /// Invalid value type.
    PAR_WRONG_VALUE_TYPE = 0x2605, "Invalid value type";
    /// A user name or password over its length limit.
    PAR_NAME_OR_PASSWD_TOO_LONG = 0x2610, "Name or password too long";
    /// A password shorter than 8 characters.
    PAR_PASSWD_TOO_SHORT_OR_EMPTY = 0x2611, "Password too short or empty";
    /// Database not specified.
    PAR_DB_NOT_SPECIFIED = 0x2616, "Database not specified";
    /// Invalid identifier name.
    PAR_INVALID_IDENTIFIER_NAME = 0x2617, "Invalid identifier name";
    /// An aggregate function called inside another one's argument.
    PAR_AGG_FUNC_NESTING = 0x2627, "Aggregate functions do not support nesting";
    /// Wrong number of values or result columns.
    PAR_INCORRECT_NUM_OF_COL = 0x2634, "Query block has incorrect number of result columns";
    /// Incorrect TIMESTAMP value.
    PAR_INCORRECT_TIMESTAMP_VAL = 0x2635, "Incorrect TIMESTAMP value";
    /// Duplicated column names.
    PAR_DUPLICATED_COLUMN = 0x263C, "Duplicated column names";
    /// A string longer than the longest VARCHAR/NCHAR.
    PAR_INVALID_VAR_COLUMN_LEN = 0x2642, "Invalid binary/nchar column length";
    /// Permission denied or target object not exist.
    PAR_PERMISSION_DENIED = 0x2644, "Permission denied or target object not exist";
    /// A password with a character it may not have.
    PAR_INVALID_PASSWD = 0x2648, "Invalid password";
    /// Dropping a column the table cannot lose (its last data column).
    PAR_INVALID_DROP_COL = 0x2651, "No columns can be dropped";
    /// Value too long for column/tag.
    PAR_VALUE_TOO_LONG = 0x2653, "Value too long for column/tag";
    /// A function argument out of its range (a percentile above 100, …).
    FUNC_FUNTION_PARA_VALUE = 0x2803, "Invalid function para value";
    /// DELETE whose WHERE is not a range of the timestamp column.
    PAR_INVALID_DELETE_WHERE = 0x2655, "The DELETE statement must have a definite time window range";
    /// Fail to get table info.
    PAR_GET_META_ERROR = 0x2662, "Fail to get table info";
    /// Tags of a table that has none (a normal table).
    PAR_INVALID_TAGS_PC = 0x2665, "The _TAGS pseudo column can only be used for subtable and supertable queries";
    /// Schemaless: protocol not 1–3.
    SML_INVALID_PROTOCOL_TYPE = 0x3000, "Invalid line protocol type";
    /// Schemaless: invalid precision.
    SML_INVALID_PRECISION_TYPE = 0x3001, "Invalid timestamp precision type";
    /// Schemaless: a malformed line.
    SML_INVALID_DATA = 0x3002, "Invalid data format";
    /// Schemaless: one column given two types.
    SML_NOT_SAME_TYPE = 0x3004, "Not the same type as before";
    /// Schemaless: internal error.
    SML_INTERNAL_ERROR = 0x3005, "Internal error";
    /// A TMQ message the server cannot accept.
    TMQ_INVALID_MSG = 0x4000, "Invalid message";
    /// The consumer does not own what it names (after a rebalance).
    TMQ_CONSUMER_MISMATCH = 0x4001, "Consumer mismatch";
    /// The consumer was closed.
    TMQ_CONSUMER_CLOSED = 0x4002, "Consumer closed";
    /// A seek or committed offset outside the vgroup's retained range.
    TMQ_VERSION_OUT_OF_RANGE = 0x4007, "Offset out of range";
    /// A vgroup that is not assigned to this consumer.
    TMQ_INVALID_VGID = 0x4008, "VgId does not belong to this consumer";
    /// A topic this consumer did not subscribe.
    TMQ_INVALID_TOPIC = 0x4009, "Topic does not belong to this consumer";
    /// Nothing committed for the vgroup (passed back as a value by `committed`).
    TMQ_NO_COMMITTED = 0x4011, "No committed info";
    /// SQL rejected by a configured regex (taosAdapter).
    ADAPTER_REJECT_SQL = 0xFFFD, "reject sql";
    /// Over the concurrency limit (taosAdapter).
    ADAPTER_TOO_MANY_REQUESTS = 0xFFFE, "too many requests";
    /// taosAdapter's own protocol failures (`server not connected`, `result is nil`, …).
    ADAPTER_PROTOCOL = 0xFFFF, "protocol error";
}

impl Code {
    /// Masks a TDengine int32 code (e.g. `0x80002600`) to its 16-bit wire form.
    pub const fn from_i32(code: i32) -> Code {
        Code((code as u32 & 0xFFFF) as u16)
    }

    /// True for code 0.
    pub const fn is_success(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Display for Code {
    /// Renders as the official clients do: `0x2600`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:04X}", self.0)
    }
}

impl From<u16> for Code {
    fn from(v: u16) -> Self {
        Code(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_and_renders() {
        assert_eq!(
            Code::from_i32(0x8000_2600_u32 as i32),
            Code::PAR_SYNTAX_ERROR
        );
        assert_eq!(Code::PAR_SYNTAX_ERROR.to_string(), "0x2600");
        assert_eq!(
            Code::MND_DB_NOT_EXIST.default_message(),
            Some("Database not exist")
        );
        assert_eq!(Code::MND_DB_NOT_EXIST.name(), Some("MND_DB_NOT_EXIST"));
        assert_eq!(Code(0x1234).default_message(), None);
    }
}
