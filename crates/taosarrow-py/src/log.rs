//! Rust `tracing` events delivered to Python's `logging`, under the `taosarrow` logger
//! (`taosarrow::transport` → `taosarrow.transport`), at Python's levels (WARN → 30, …).
//!
//! An event is formatted where it happens and queued (a bounded channel, never blocking
//! the emitter); one thread takes the GIL and hands queued events to `logging`, which
//! applies the logger's level and handlers. The emitting thread never waits for the GIL, so
//! a Python thread that holds it while waiting on the client cannot deadlock with a log
//! event. `TAOSARROW_LOG` (`off`, `error`, `warn`, `info`, `debug`, `trace`; default
//! `debug`) filters on the Rust side, before anything is formatted.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::OnceLock;

use pyo3::prelude::*;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// Events waiting for the logging thread; beyond this they are counted and dropped.
const QUEUE: usize = 4096;

/// One formatted event.
struct Line {
    logger: String,
    level: u8,
    message: String,
}

/// Events dropped because the queue was full (reported with the next delivered one).
static DROPPED: AtomicU64 = AtomicU64::new(0);

/// The subscriber: filters by level, formats, queues.
struct PythonLogging {
    max: Level,
    tx: SyncSender<Line>,
}

/// Python's level number for a `tracing` level.
fn python_level(l: &Level) -> u8 {
    match *l {
        Level::ERROR => 40,
        Level::WARN => 30,
        Level::INFO => 20,
        Level::DEBUG => 10,
        _ => 5,
    }
}

/// The level `TAOSARROW_LOG` names (`None`: off).
fn env_level() -> Option<Level> {
    match std::env::var("TAOSARROW_LOG")
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
        .as_str()
    {
        "off" | "none" => None,
        "error" => Some(Level::ERROR),
        "warn" | "warning" => Some(Level::WARN),
        "info" => Some(Level::INFO),
        "trace" => Some(Level::TRACE),
        _ => Some(Level::DEBUG),
    }
}

/// Writes an event's message, then its other fields as ` key=value`.
#[derive(Default)]
struct Fields {
    message: String,
    rest: String,
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.rest, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.rest, " {}={value}", field.name());
        }
    }
}

impl Subscriber for PythonLogging {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= &self.max
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let meta = event.metadata();
        let mut fields = Fields::default();
        event.record(&mut fields);
        let module = meta.target().split("::").next().unwrap_or("");
        let logger = if module.starts_with("taosarrow") {
            meta.target()
                .replace("::", ".")
                .replace("taosarrow_", "taosarrow.")
        } else {
            format!("taosarrow.{}", meta.target().replace("::", "."))
        };
        let line = Line {
            logger,
            level: python_level(meta.level()),
            message: fields.message + &fields.rest,
        };
        if let Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) = self.tx.try_send(line) {
            DROPPED.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// Hands queued events to `logging.getLogger(name).log(level, message)`.
fn deliver(rx: std::sync::mpsc::Receiver<Line>) {
    while let Ok(line) = rx.recv() {
        Python::attach(|py| {
            let dropped = DROPPED.swap(0, Ordering::Relaxed);
            let result = (|| -> PyResult<()> {
                let logging = py.import("logging")?;
                let logger = logging.call_method1("getLogger", (line.logger.as_str(),))?;
                if dropped > 0 {
                    let note = format!("{dropped} log events were dropped: the queue was full");
                    logger.call_method1("log", (30u8, note))?;
                }
                logger.call_method1("log", (line.level, line.message.as_str()))?;
                Ok(())
            })();
            // A handler that raises must not end the delivery of later events.
            if let Err(e) = result {
                e.print(py);
            }
        });
    }
}

/// Installs the bridge (once; a process that already has a global subscriber keeps it).
pub fn install() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let Some(max) = env_level() else { return };
        let (tx, rx) = sync_channel(QUEUE);
        if tracing::subscriber::set_global_default(PythonLogging { max, tx }).is_err() {
            return;
        }
        let _ = std::thread::Builder::new()
            .name("taosarrow-logging".to_owned())
            .spawn(move || deliver(rx));
    });
}

/// Emits one event at `level` (Python's number) from Rust, for tests of the bridge.
#[pyfunction]
pub fn _log_test_event(level: u8, message: &str) {
    match level {
        40.. => tracing::error!("{message}"),
        30.. => tracing::warn!("{message}"),
        20.. => tracing::info!("{message}"),
        10.. => tracing::debug!("{message}"),
        _ => tracing::trace!("{message}"),
    }
}
