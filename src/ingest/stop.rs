//! A stop signal for an ingest: once raised, no further chunk is started; the chunks in
//! flight settle and the ingest ends with an account of every row.

use std::sync::Arc;

use tokio::sync::watch;

/// Stops an [`Connection::ingest`](crate::Connection::ingest) from anywhere (another task,
/// thread or a signal handler's caller): no chunk is started after [`stop`](Self::stop),
/// the chunks already sent settle (each bounded by the read timeout), and the ingest fails
/// with an [`IngestError`](crate::IngestError) whose source is
/// [`Error::Interrupted`](crate::Error::Interrupted).
///
/// ```
/// let stop = taosarrow::IngestStop::new();
/// assert!(!stop.is_stopped());
/// stop.stop();
/// assert!(stop.is_stopped());
/// ```
#[derive(Debug, Clone)]
pub struct IngestStop {
    flag: Arc<watch::Sender<bool>>,
}

impl Default for IngestStop {
    fn default() -> Self {
        IngestStop::new()
    }
}

impl IngestStop {
    /// A signal not yet raised.
    pub fn new() -> Self {
        IngestStop {
            flag: Arc::new(watch::Sender::new(false)),
        }
    }

    /// Raises the signal (idempotent).
    pub fn stop(&self) {
        self.flag.send_replace(true);
    }

    /// True once [`stop`](Self::stop) was called.
    pub fn is_stopped(&self) -> bool {
        *self.flag.borrow()
    }

    /// Completes once the signal is raised.
    pub(crate) async fn stopped(&self) {
        let mut rx = self.flag.subscribe();
        // The sender lives in `self`, so waiting cannot fail.
        let _ = rx.wait_for(|raised| *raised).await;
    }
}
