//! The one blocking helper: run a future on the shared runtime with the GIL released,
//! checking for Ctrl-C about every 100 ms.

use std::future::Future;
use std::time::Duration;

use pyo3::prelude::*;

use crate::errors::{internal, to_py_err};

const SIGNAL_POLL: Duration = Duration::from_millis(100);

/// Runs `fut` to completion on `taosarrow::runtime()`; the GIL is released meanwhile.
///
/// When a signal handler raises (Ctrl-C → `KeyboardInterrupt`), the task is aborted and
/// that exception is returned.
pub fn wait<F, T>(py: Python<'_>, fut: F) -> PyResult<T>
where
    F: Future<Output = Result<T, taosarrow::Error>> + Send + 'static,
    T: Send + 'static,
{
    let rt = taosarrow::runtime();
    let mut handle = rt.spawn(fut);
    loop {
        // The timer is created inside `block_on`, where the runtime's reactor is current.
        let polled = py
            .detach(|| rt.block_on(async { tokio::time::timeout(SIGNAL_POLL, &mut handle).await }));
        match polled {
            Ok(Ok(result)) => return result.map_err(to_py_err),
            Ok(Err(join)) => return Err(internal(format!("background task failed: {join}"))),
            Err(_elapsed) => {
                if let Err(signal) = py.check_signals() {
                    handle.abort();
                    return Err(signal);
                }
            }
        }
    }
}
