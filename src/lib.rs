//! taosarrow: an Apache-Arrow-native client for TDengine over its WebSocket protocol.
//!
//! Connect with [`Connection::connect`] and [`ConnectOptions`] (a typed builder or a DSN),
//! run statements with [`Connection::exec`], read results as Arrow record batches with
//! [`Connection::query`], or let the server's answer decide with [`Connection::execute`];
//! write InfluxDB line protocol or OpenTSDB data with [`Connection::schemaless_insert`].
//! [`blocking`] wraps the same API for synchronous callers.
#![warn(missing_docs)]

pub mod blocking;
mod connection;
mod error;
pub mod fuzzing;
mod ingest;
mod options;
mod schemaless;
mod session;
mod socket;
mod stmt1;
mod stmt2;
mod stream;
mod tls;
pub mod tmq;
mod transport;

use std::sync::OnceLock;

pub use connection::{Connection, Outcome};
pub use error::{classify, Delivery, Error, ErrorKind};
pub use ingest::{
    BatchResult, IngestError, IngestMode, IngestOptions, IngestReport, IngestStop, IngestTarget,
    Progress, Subtable, UnknownIngestMode,
};
pub use options::{
    ConnectOptions, NsTimestamps, DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_SCHEMALESS_BATCH_BYTES,
};
pub use schemaless::{FailedBatch, SchemalessError, SchemalessOutcome};
pub use stmt1::Stmt;
pub use stmt2::Stmt2;
pub use stream::{CancelHandle, ResultStream};
pub use taosarrow_codec as codec;
pub use taosarrow_protocol as protocol;
pub use taosarrow_protocol::schemaless::{SchemalessPrecision, SchemalessProtocol};
pub use taosarrow_protocol::{Code, Precision};
pub use tmq::{Consumer, ConsumerOptions};

/// The one shared multi-threaded tokio runtime used by the blocking API.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("taosarrow")
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("cannot start the tokio runtime: {e}"))
    })
}
