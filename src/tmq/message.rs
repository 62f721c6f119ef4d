//! What a poll delivers: [`Message`] with its data blocks ([`TmqBlock`]) or its JSON meta,
//! and a vgroup's [`Assignment`].

use arrow_array::RecordBatch;
use taosarrow_protocol::Precision;

/// What a message carries (`message_type` of the poll, `tmq.md` §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// Rows (type 1).
    Data,
    /// Table DDL as JSON (type 2).
    Meta,
    /// DDL and rows (type 3).
    MetaData,
}

impl MessageKind {
    /// The kind of a poll's `message_type`, `None` for one this client cannot read.
    pub fn from_code(code: u8) -> Option<MessageKind> {
        match code {
            1 => Some(MessageKind::Data),
            2 => Some(MessageKind::Meta),
            3 => Some(MessageKind::MetaData),
            _ => None,
        }
    }

    /// Whether messages of this kind carry rows.
    pub fn has_data(self) -> bool {
        matches!(self, MessageKind::Data | MessageKind::MetaData)
    }

    /// Whether messages of this kind carry JSON meta.
    pub fn has_meta(self) -> bool {
        matches!(self, MessageKind::Meta | MessageKind::MetaData)
    }
}

/// The rows of one table in a data message.
#[derive(Debug, Clone)]
pub struct TmqBlock {
    pub(crate) table_name: Option<String>,
    pub(crate) batch: RecordBatch,
}

impl TmqBlock {
    /// A block of `batch` from `table_name`.
    pub fn new(table_name: Option<String>, batch: RecordBatch) -> TmqBlock {
        TmqBlock { table_name, batch }
    }

    /// The (child or normal) table the rows belong to, when the server sent it.
    pub fn table_name(&self) -> Option<&str> {
        self.table_name.as_deref()
    }

    /// The rows; timestamps carry the database precision and the connection's time zone,
    /// as query results do.
    pub fn batch(&self) -> &RecordBatch {
        &self.batch
    }

    /// The rows, by value.
    pub fn into_batch(self) -> RecordBatch {
        self.batch
    }
}

/// One polled message: where it comes from, and its rows and/or meta.
#[derive(Debug, Clone)]
pub struct Message {
    pub(crate) topic: String,
    pub(crate) database: String,
    pub(crate) vgroup_id: i32,
    pub(crate) offset: i64,
    pub(crate) message_id: u64,
    pub(crate) kind: MessageKind,
    pub(crate) precision: Precision,
    pub(crate) blocks: Vec<TmqBlock>,
    pub(crate) meta: Option<serde_json::Value>,
    /// The generation of the consumer's socket it was polled on.
    pub(crate) generation: u64,
}

impl Message {
    /// The topic.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// The database the topic reads.
    pub fn database(&self) -> &str {
        &self.database
    }

    /// The vgroup (partition) the message comes from.
    pub fn vgroup_id(&self) -> i32 {
        self.vgroup_id
    }

    /// The message's offset in its vgroup (for data: the log version its read started at;
    /// committing it with [`commit_offset`](crate::tmq::Consumer::commit_offset) delivers
    /// this message again to the next consumer of the group).
    pub fn offset(&self) -> i64 {
        self.offset
    }

    /// The server's handle of the message on this connection.
    pub fn message_id(&self) -> u64 {
        self.message_id
    }

    /// What the message carries.
    pub fn kind(&self) -> MessageKind {
        self.kind
    }

    /// The timestamp precision of the blocks (that of the first block; the database's).
    pub fn precision(&self) -> Precision {
        self.precision
    }

    /// The data blocks, one per table and write (empty for a meta message).
    pub fn blocks(&self) -> &[TmqBlock] {
        &self.blocks
    }

    /// The JSON meta of a meta message (`tmq.md` §3.8).
    pub fn meta(&self) -> Option<&serde_json::Value> {
        self.meta.as_ref()
    }

    /// The total number of rows.
    pub fn num_rows(&self) -> usize {
        self.blocks.iter().map(|b| b.batch.num_rows()).sum()
    }

    /// The record batches, dropping the table names.
    pub fn into_batches(self) -> Vec<RecordBatch> {
        self.blocks.into_iter().map(|b| b.batch).collect()
    }
}

/// The state of one vgroup assigned to the consumer (`tmq.md` §3.13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Assignment {
    /// The vgroup id.
    pub vgroup_id: i32,
    /// The current position: the next poll reads from here.
    pub offset: i64,
    /// The first retained log version.
    pub begin: i64,
    /// The last log version.
    pub end: i64,
}
