//! TMQ data subscription: a [`Consumer`] on the server's `/rest/tmq` endpoint that delivers
//! polled rows as Arrow record batches (`tmq.md`).

mod consumer;
mod message;
mod options;

pub use consumer::Consumer;
pub use message::{Assignment, Message, MessageKind, TmqBlock};
pub use options::{ConsumerOptions, OffsetReset, DEFAULT_AUTO_COMMIT_INTERVAL};

/// The `committed` value the server reports for a vgroup with nothing committed.
pub use taosarrow_protocol::messages::TMQ_NO_COMMITTED;
